"""``grader similarity OUT`` (and the end of ``grade``): every counted notebook in the
gradebook compared with every other and with the reference solutions, written to
``OUT/similarity/``.

What it reads: each student's counted attempt (its notebook file, read again here, never
run) and the free-response answers of its stored result; names from the roster the gradebook
was graded with.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from grader.assignment import Assignment
from grader.gradebook import Gradebook
from grader.publish.files import write_atomically
from grader.intake.roster import Roster
from grader.publish.cells import release_templates
from grader.publish.report import page_templates
from grader.publish.similarity.findings import Findings, Participant, compare, exercise_scopes, given_hashes
from grader.publish.similarity.given import given_answer_text, given_code, reference_work
from grader.publish.similarity.page import write_pages
from grader.publish.similarity.sources import read_notebooks

FOLDER = "similarity"
REFERENCE = "reference"
READERS = 4           # processes reading notebooks at most (one per core)


@dataclass(frozen=True)
class SimilaritySummary:
    compared: int                # students' notebooks
    pairs: int                   # pairs reported
    index: Path
    seconds: float
    unreadable: int = 0

    def line(self) -> str:
        return (f"Similarity: {self.compared} notebook{'s' if self.compared != 1 else ''} compared in "
                f"{self.seconds:.1f} s, {self.pairs} pair{'s' if self.pairs != 1 else ''} reported"
                + (f", {self.unreadable} notebook(s) unreadable" if self.unreadable else "") + f": {self.index}")


def write_similarity(gradebook: Gradebook, assignment: Assignment, out: Path) -> SimilaritySummary:
    """Compare the gradebook's counted notebooks and write ``out/similarity/``."""
    began = time.monotonic()
    participants, unreadable = participants_from(gradebook, assignment)
    findings = find_similar(participants, assignment, unreadable=unreadable)
    index = write_pages(findings, assignment, out / FOLDER)
    return SimilaritySummary(compared=len(participants) - 1, pairs=len(findings.pairs), index=index,
                             seconds=time.monotonic() - began, unreadable=len(unreadable))


def note_failure(assignment: Assignment, out: Path, error: str) -> None:
    """Put a page saying the report failed where the dashboard links it (never raises)."""
    try:
        (out / FOLDER).mkdir(parents=True, exist_ok=True)
        write_atomically(out / FOLDER / "index.html", page_templates().get_template("similarity/failed.html.j2")
                         .render(assignment=assignment, error=error, out=str(out)))
    except Exception:  # noqa: BLE001 - the batch's results matter more than this page
        pass


def find_similar(participants: list[Participant], assignment: Assignment, *,
                 unreadable: tuple[str, ...] = ()) -> Findings:
    """The comparison itself, from participants already read (the benchmark calls this)."""
    release = release_templates()
    answers = {e.id: given_answer_text(assignment, e, release) for e in assignment.exercises if e.manual}
    return compare(participants, exercise_scopes(assignment), given=given_hashes(given_code(assignment, release)),
                   given_answers=answers, unreadable=unreadable)


def participants_from(gradebook: Gradebook, assignment: Assignment) -> tuple[list[Participant], tuple[str, ...]]:
    """The reference solutions first, then each student's counted attempt, in the gradebook's order."""
    roster_data = gradebook.meta_json("roster")
    roster = Roster.from_dict(roster_data) if isinstance(roster_data, dict) else None
    names = {e.student_id: e.name for e in roster.entries if e.name} if roster else {}
    max_bytes = assignment.limits.notebook_mb * 1024 * 1024
    rows = gradebook.counted()
    works = read_notebooks([Path(row.path) for row in rows], max_bytes=max_bytes,
                           processes=min(os.cpu_count() or 1, READERS))
    people = [reference_participant(assignment)]
    unreadable: list[str] = []
    for row, work in zip(rows, works):
        if isinstance(work, str):
            unreadable.append(f"{row.student}: {work}")
            continue
        stored = gradebook.result(row.id) or {}
        answers = {e["id"]: e["answer"] for e in stored.get("exercises", [])
                   if isinstance(e, dict) and e.get("kind") == "F" and isinstance(e.get("answer"), str)}
        name = names.get(row.student, "")
        people.append(Participant(row.student, f"{name} ({row.student})" if name else row.student, row.submission,
                                  work, answers, name))
    return people, tuple(unreadable)


def reference_participant(assignment: Assignment) -> Participant:
    """The reference solutions and reference answers, compared like any student's."""
    return Participant(REFERENCE, "reference solution", "", reference_work(assignment),
                       {e.id: e.answer for e in assignment.exercises if e.manual and e.answer}, "reference solution")
