"""A result as the rows both platforms list: one per check, named by the exercise's section
and title and the check's description (hidden checks by description or number, never by test
source), and one per free-response exercise, worth 0 here because people grade it; plus the
lines said about the whole submission.

What a student sees here is what the gradebook's feedback shows: the message their code
earned, never hidden test source, reference answers or rubrics."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from grader.assignment import Assignment
from grader.publish.report import check_rows, points_label, test_base
from grader.results import ExerciseResult, SubmissionResult
from grader.text import one_line

CELL_ERRORS_SHOWN = 10
ERRORS_SHOWN = 10
TRACEBACK_LINES = 8


@dataclass(frozen=True)
class Check:
    """One row: ``kind`` is public, hidden or free (a free-response exercise, graded by hand)."""

    name: str
    exercise: str
    kind: str
    score: float
    max_score: float
    passed: bool
    message: str
    output: str = ""


def automatic_points(assignment: Assignment) -> float:
    """What the autograder grades out of: every exercise but free response and extra credit."""
    return round(sum(e.points for e in assignment.exercises if not e.manual and not e.optional), 6)


def hand_graded_points(assignment: Assignment) -> float:
    return round(sum(e.points for e in assignment.exercises if e.manual and not e.optional), 6)


def list_checks(result: SubmissionResult) -> list[Check]:
    """Every row, in the assignment's order."""
    rows: list[Check] = []
    for e in result.exercises:
        rows += [_free(e)] if e.kind == "F" else _checks(e)
    return rows


def _free(e: ExerciseResult) -> Check:
    found = "your answer was found" if e.answered else "no answer was found in the notebook"
    return Check(name=f"{e.section} {e.title} (free response)", exercise=e.id, kind="free", score=0.0,
                 max_score=0.0, passed=e.answered,
                 message=f"graded by hand ({points_label(e.max_score)}, added by the course staff); {found}")


def _checks(e: ExerciseResult) -> list[Check]:
    """The exercise's checks, the cases of a parametrised check that ended alike on one row
    (as in the report); rows that would still share a name are numbered."""
    rows = []
    extra = " (extra credit)" if e.optional else ""
    hidden = 0
    for row in check_rows(e.tests):
        t = row.verdict
        if t.public:
            what = t.description or test_base(t.name).split("::", 1)[-1]
        else:
            hidden += 1
            what = t.description or f"hidden check {hidden}"
        if row.cases:
            what = f"{what.rstrip('.')} ({len(row.cases)} cases)"
        output = "\n".join([*t.traceback[-TRACEBACK_LINES:], *([t.note] if t.note else [])])
        rows.append(Check(name=f"{e.section} {e.title}{extra}: {what}", exercise=e.id,
                          kind="public" if t.public else "hidden", score=round(row.points, 6), max_score=round(row.max_points, 6),
                          passed=t.outcome == "passed", message=t.message, output=output))
    names = Counter(r.name for r in rows)
    seen: Counter[str] = Counter()
    for i, r in enumerate(rows):
        if names[r.name] > 1:
            seen[r.name] += 1
            rows[i] = replace(r, name=f"{r.name} (case {seen[r.name]} of {names[r.name]})")
    return rows


def summary_lines(result: SubmissionResult, assignment: Assignment) -> list[str]:
    """The score out of the automatic points, what is graded by hand, what kept the notebook
    from being graded fully, and the cells that failed."""
    lines = [f"{assignment.title}: {result.score:g} / {automatic_points(assignment):g} automatic points."]
    by_hand = hand_graded_points(assignment)
    if by_hand:
        lines.append(f"Free-response answers ({by_hand:g} points) are graded by hand, separately.")
    lines += [f"Could not be graded fully: {one_line(err)}" for err in result.errors[:ERRORS_SHOWN]]
    failed = [c for c in result.cells if c.status != "ok"]
    for c in failed[:CELL_ERRORS_SHOWN]:
        error = c.error or {}
        what = f"{error.get('type', c.status)}: {error.get('message', '')}".rstrip(": ")
        lines.append(f"Cell {c.index} ({c.status}): {one_line(what, 300)}")
    if len(failed) > CELL_ERRORS_SHOWN:
        lines.append(f"... and {len(failed) - CELL_ERRORS_SHOWN} more cells that did not run cleanly.")
    return lines
