"""What a submission did, section by section: its cells ran, its checks matched the book,
its models trained to the band, its discussions were written. For a report (one student)
and the dashboard (the class, as shares of those who attempted each section)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from grader.results import SubmissionResult

TRAINED = "T"       # exercise kind of a training check
DISCUSSED = "F"     # free response


@dataclass(frozen=True)
class SectionLine:
    """One book section of one submission. ``None``: the section asks for no such thing."""

    section: str
    cells: int                  # code cells of the section that ran
    failed_cells: int           # of which raised, timed out or stopped the kernel
    checks_passed: int          # automatic checks of the section's exercises (training excluded)
    checks: int
    trained: bool | None        # every training check passed
    discussed: bool | None      # every free-response answer of the section is there

    @property
    def ran(self) -> bool:
        return self.cells > 0

    @property
    def matched(self) -> bool | None:
        return None if not self.checks else self.checks_passed == self.checks

    def to_dict(self) -> dict:
        return {**self.__dict__, "ran": self.ran, "matched": self.matched}


def section_lines(result: SubmissionResult) -> tuple[SectionLine, ...]:
    """One line per section of the assignment, in its order (sections its exercises name)."""
    order: list[str] = []
    for exercise in result.exercises:
        if exercise.section and exercise.section not in order:
            order.append(exercise.section)
    lines = []
    for section in order:
        cells = [c for c in result.cells if c.section == section and c.status != "skipped"]
        mine = [e for e in result.exercises if e.section == section]
        checks = [t for e in mine if e.kind not in (TRAINED, DISCUSSED) for t in e.tests]
        training = [t for e in mine if e.kind == TRAINED for t in e.tests]
        answers = [e for e in mine if e.kind == DISCUSSED]
        lines.append(SectionLine(
            section=section, cells=len(cells),
            failed_cells=sum(1 for c in cells if c.status != "ok"),
            checks_passed=sum(1 for t in checks if t.outcome == "passed"), checks=len(checks),
            trained=all(t.outcome == "passed" for t in training) if training else None,
            discussed=all(e.answered for e in answers) if answers else None))
    return tuple(lines)


@dataclass(frozen=True)
class SectionShare:
    """A section across the class: how many submissions did each thing, of how many."""

    section: str
    submissions: int
    ran: int
    matched: int
    trained: int
    discussed: int
    asks_checks: bool
    asks_training: bool
    asks_discussion: bool

    def to_dict(self) -> dict:
        return dict(self.__dict__)


class SectionTally:
    """Adds up section lines over a class, one result at a time."""

    def __init__(self) -> None:
        self._shares: dict[str, dict] = {}

    def add(self, result: SubmissionResult) -> None:
        for line in section_lines(result):
            share = self._shares.setdefault(line.section, {
                "submissions": 0, "ran": 0, "matched": 0, "trained": 0, "discussed": 0,
                "asks_checks": False, "asks_training": False, "asks_discussion": False})
            share["submissions"] += 1
            share["ran"] += line.ran
            share["matched"] += bool(line.matched)
            share["trained"] += bool(line.trained)
            share["discussed"] += bool(line.discussed)
            share["asks_checks"] |= line.matched is not None
            share["asks_training"] |= line.trained is not None
            share["asks_discussion"] |= line.discussed is not None

    def shares(self) -> tuple[SectionShare, ...]:
        return tuple(SectionShare(section=s, **v) for s, v in self._shares.items())


def tally(results: Iterable[SubmissionResult]) -> tuple[SectionShare, ...]:
    counter = SectionTally()
    for result in results:
        counter.add(result)
    return counter.shares()
