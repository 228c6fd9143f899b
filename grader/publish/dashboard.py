"""What the class dashboard shows, computed from the students' final results: the score
distribution, each exercise's average and pass rate, the tests most often failed and their
most common messages, run times, and the submissions that need a look (late, errored,
unmatched, refused, not yet graded)."""
from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from grader.assignment import Assignment, LatePolicy
from grader.intake.archive import Refusal
from grader.intake.roster import Roster
from grader.publish import chart
from grader.publish.sections import SectionShare, SectionTally
from grader.publish.report import test_base
from grader.standings import Standing

if TYPE_CHECKING:
    from grader.results import SubmissionResult

FAILED = ("failed", "error")
MOST_FAILED = 10
MESSAGES_PER_TEST = 3
RUNTIME_BARS = 60


@dataclass(frozen=True)
class ExerciseLine:
    id: str
    section: str
    title: str
    kind: str
    points: float
    graded: int              # results that have a score for it
    average: float
    pass_rate: float         # share of those with full marks
    pending: int = 0         # free-response answers awaiting a grader

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class FailedTest:
    """A test (all cases of a parametrised one together): in how many of the results that ran
    it some case failed, and the commonest messages (each counted once per result)."""

    name: str
    exercise: str
    description: str
    failures: int
    runs: int
    messages: tuple[tuple[str, int], ...]
    cases: int = 1

    def to_dict(self) -> dict:
        return {**self.__dict__, "messages": [list(m) for m in self.messages]}


@dataclass(frozen=True)
class Dashboard:
    title: str
    assignment: str
    version: str
    standings: tuple[Standing, ...]
    scale: float                              # points graded so far (the histogram's range)
    max_score: float
    mean: float
    median: float
    exercises: tuple[ExerciseLine, ...]
    ungraded_exercises: int
    failed_tests: tuple[FailedTest, ...]
    histogram_svg: str
    exercise_svg: str
    runtime_svg: str
    late: tuple[Standing, ...]
    errored: tuple[Standing, ...]
    pending: tuple[Standing, ...]           # counted attempts not graded yet
    unmatched: tuple[Standing, ...]
    refused: tuple[Refusal, ...]
    earlier_attempts: int
    missing: tuple[str, ...]                  # on the roster, nothing handed in
    deadline: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)
    sections: tuple[SectionShare, ...] = ()   # per book section: who ran, matched, trained, discussed

    def to_dict(self) -> dict:
        return {"title": self.title, "assignment": self.assignment, "version": self.version,
                "scale": self.scale, "max_score": self.max_score, "mean": self.mean, "median": self.median,
                "exercises": [e.to_dict() for e in self.exercises],
                "failed_tests": [t.to_dict() for t in self.failed_tests],
                "late": [s.submission for s in self.late], "errored": [s.submission for s in self.errored],
                "pending": [s.submission for s in self.pending],
                "unmatched": [s.submission for s in self.unmatched],
                "refused": [r.to_dict() for r in self.refused], "earlier_attempts": self.earlier_attempts,
                "missing": list(self.missing), "deadline": self.deadline,
                "sections": [s.to_dict() for s in self.sections]}


def build_dashboard(found: Iterable[Standing], assignment: Assignment, *, policy: LatePolicy,
                    refused: Sequence[Refusal] = (), roster: Roster | None = None) -> Dashboard:
    """One pass over ``found``: each full result is tallied, then only its brief form is kept,
    so a class's worth of results is never in memory at once."""
    exercises, tests, by_section = _ExerciseTally(assignment), _TestTally(), SectionTally()
    kept = []
    for standing in found:
        if standing.result is not None:
            exercises.add(standing.result)
            by_section.add(standing.result)
            tests.add(standing.result)
        kept.append(standing.brief())
    graded = [s for s in kept if s.result is not None]
    lines = exercises.lines()
    shown = [line for line in lines if line.graded or line.pending]
    scored = [line for line in shown if line.graded]     # answers awaiting a grader are not 0%
    scale = sum(line.points for line in lines if line.graded) or assignment.max_score
    totals = [s.result.score for s in graded if s.result]
    runtimes = sorted(((s.submission, float(s.result.timing.get("total", 0.0))) for s in graded if s.result),
                      key=lambda item: -item[1])[:RUNTIME_BARS]
    slowest = max((t for _, t in runtimes), default=1.0)
    notes = []
    if len(graded) > RUNTIME_BARS:
        notes.append(f"run times: the {RUNTIME_BARS} slowest of {len(graded)} submissions are drawn")
    on_file = {s.attempt.student for s in kept}
    missing = [e for e in roster.entries if e.student_id not in on_file] if roster else []
    return Dashboard(
        title=assignment.title, assignment=assignment.id, version=assignment.version,
        standings=tuple(kept), scale=scale, max_score=assignment.max_score,
        mean=statistics.fmean(totals) if totals else 0.0,
        median=statistics.median(totals) if totals else 0.0,
        exercises=tuple(shown), ungraded_exercises=len(lines) - len(shown),
        failed_tests=tests.most_failed(), sections=by_section.shares(),
        histogram_svg=chart.histogram(totals, high=scale, label=f"distribution of {len(totals)} total scores",
                                      css_id="histogram-svg"),
        exercise_svg=chart.bars([(f"{e.section} {e.id}", 100 * e.average / e.points if e.points else 0.0, 100.0)
                                 for e in scored], label="average score per exercise, as a share of its points",
                                css_id="exercise-svg", unit="%") if scored else "",
        runtime_svg=chart.bars([(name, t, slowest) for name, t in runtimes], label="grading time per submission",
                               css_id="runtime-svg", unit=" s") if runtimes else "",
        late=tuple(s for s in graded if s.result and s.result.late),
        errored=tuple(s for s in graded if s.result and s.result.errors),
        pending=tuple(s for s in kept if s.result is None),
        unmatched=tuple(s for s in kept if not s.attempt.matched),
        refused=tuple(refused), earlier_attempts=sum(len(s.history) - 1 for s in kept),
        missing=tuple(f"{e.name} ({e.student_id})" if e.name else e.student_id for e in missing),
        deadline=policy.deadline.isoformat() if policy.deadline else "", notes=tuple(notes))


class _ExerciseTally:
    """Per exercise: the scores of results that graded it, and free-response answers awaiting a grader."""

    def __init__(self, assignment: Assignment) -> None:
        self.assignment = assignment
        self.manual = {ex.id for ex in assignment.exercises if ex.manual}
        self.scores: dict[str, list[float]] = {ex.id: [] for ex in assignment.exercises}
        self.full: Counter[str] = Counter()
        self.pending: Counter[str] = Counter()

    def add(self, result: "SubmissionResult") -> None:
        for e in result.exercises:
            if e.id not in self.scores:
                continue
            if e.id in self.manual:
                self.pending[e.id] += 1 if e.manual and e.answered else 0
                scored = not e.manual
            else:
                scored = bool(e.tests)
            if scored:
                self.scores[e.id].append(e.score)
                self.full[e.id] += 1 if e.max_score > 0 and e.score >= e.max_score else 0

    def lines(self) -> list[ExerciseLine]:
        lines = []
        for ex in self.assignment.exercises:
            scored = self.scores[ex.id]
            lines.append(ExerciseLine(id=ex.id, section=ex.section, title=ex.title, kind=ex.kind, points=ex.points,
                                      graded=len(scored), average=statistics.fmean(scored) if scored else 0.0,
                                      pass_rate=self.full[ex.id] / len(scored) if scored else 0.0,
                                      pending=self.pending[ex.id]))
        return lines


class _TestTally:
    """Per test (its cases together): how many results ran it, how many failed some case of it,
    and with which messages."""

    def __init__(self) -> None:
        self.runs: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()
        self.messages: dict[str, Counter[str]] = {}
        self.about: dict[str, tuple[str, str]] = {}
        self.cases: dict[str, set[str]] = {}

    def add(self, result: "SubmissionResult") -> None:
        ran: set[str] = set()
        failed: dict[str, set[str]] = {}
        for e in result.exercises:
            for t in e.tests:
                base = test_base(t.name)
                ran.add(base)
                self.cases.setdefault(base, set()).add(t.name)
                self.about.setdefault(base, (e.id, t.description))
                if t.outcome in FAILED:
                    failed.setdefault(base, set()).add(t.message or "(no message)")
        self.runs.update(ran)
        for base, messages in failed.items():
            self.failures[base] += 1
            self.messages.setdefault(base, Counter()).update(messages)

    def most_failed(self) -> tuple[FailedTest, ...]:
        ranked = sorted(self.failures, key=lambda name: (-self.failures[name], name))[:MOST_FAILED]
        return tuple(FailedTest(name=name, exercise=self.about[name][0], description=self.about[name][1],
                                failures=self.failures[name], runs=self.runs[name],
                                messages=tuple(self.messages[name].most_common(MESSAGES_PER_TEST)),
                                cases=len(self.cases[name]))
                     for name in ranked)
