"""Each student's standing, read from the gradebook: the attempt that counts, its final
result (manual scores added, the late penalty applied), every attempt they handed in, and
their name from the class list when there is one."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from grader.assignment import Assignment, LatePolicy
from grader.gradebook import AttemptRow, Gradebook
from grader.intake.roster import Roster
from grader.results import SubmissionResult
from grader.scoring import finalize


@dataclass(frozen=True)
class Standing:
    """A student's counted attempt, its final result (None until it is graded) and every
    attempt they handed in, oldest first."""

    attempt: AttemptRow
    result: SubmissionResult | None
    history: tuple[AttemptRow, ...]
    comments: dict[str, str] = field(default_factory=dict)   # a grader's comments per free-response exercise
    name: str = ""                                           # from the roster; "" without one

    @property
    def submission(self) -> str:
        return self.attempt.submission

    @property
    def who(self) -> str:
        """How a person reading a page knows the student: the name, else the submission id."""
        return self.name or self.submission

    def brief(self) -> "Standing":
        """Enough for the dashboard's tables and the CSV: scores, errors, lateness, timings."""
        return replace(self, result=self.result.brief() if self.result else None)

    def to_dict(self) -> dict:
        return {"attempt": self.attempt.to_dict(), "result": self.result.to_dict() if self.result else None,
                "history": [a.to_dict() for a in self.history], "comments": dict(self.comments),
                "name": self.name}


def class_roster(gradebook: Gradebook) -> Roster | None:
    """The class list the last grading run was given, if any."""
    stored = gradebook.meta_json("roster")
    return Roster.from_dict(stored) if isinstance(stored, dict) else None


def roster_names(gradebook: Gradebook) -> dict[str, str]:
    """{student id: name} from the class list (empty without one)."""
    roster = class_roster(gradebook)
    return {e.student_id: e.name for e in roster.entries if e.name} if roster else {}


def late_policy(gradebook: Gradebook, assignment: Assignment) -> LatePolicy:
    """The policy of the last grading run (which may have overridden assignment.toml's)."""
    stored = gradebook.meta_json("late_policy")
    return LatePolicy.from_dict(stored) if isinstance(stored, dict) else assignment.late


def standings(gradebook: Gradebook, assignment: Assignment, *, student: str | None = None) -> Iterator[Standing]:
    """Every student's standing (or one student's), in submission order, one at a time:
    each result is read from the gradebook as its standing is reached."""
    policy = late_policy(gradebook, assignment)
    names = roster_names(gradebook)
    manual = gradebook.manual_scores()
    comments = gradebook.manual_comments()
    history: dict[str, list[AttemptRow]] = {}
    for row in gradebook.attempts(student=student):
        history.setdefault(row.student, []).append(row)
    for row in gradebook.counted(student=student):
        result = final_result(row, gradebook.result(row.id), assignment, policy=policy,
                              manual=manual.get((row.student, row.content_hash), {}))
        notes = {e: c for (s, h, e), c in comments.items() if (s, h) == (row.student, row.content_hash) and c}
        yield Standing(row, result, tuple(history.get(row.student, [row])), notes,
                       name=names.get(row.student, "") if row.matched else "")


def final_result(row: AttemptRow, stored: dict | None, assignment: Assignment, *, policy: LatePolicy,
                 manual: dict[str, float]) -> SubmissionResult | None:
    if stored is None:
        return None
    raw = replace(SubmissionResult.from_dict(stored), submission=row.submission, student=row.student)
    return finalize(raw, assignment, manual_scores=manual, policy=policy, submitted=row.submitted,
                    marked_late=row.marked_late)
