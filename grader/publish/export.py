"""Grades for the learning platform, rendered from the gradebook:

- ``canvas``: a gradebook CSV Canvas imports (Student, ID, SIS User ID, SIS Login ID,
  Section, one column for the assignment, a "Points Possible" row);
- ``csv``: one plain row per student with the final total and one column per exercise.

With a roster, its students who handed in nothing are in the Canvas and CSV exports too,
with a blank total (``missing="blank"``: Canvas leaves their grade alone) or 0.

Gradescope takes its grades from the release's autograder, run on each upload there
(``grader autograde gradescope``, grader/platforms/), not from an export.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.assignment import Assignment
from grader.errors import UsageError
from grader.gradebook import Gradebook
from grader.intake.roster import Roster, RosterEntry
from grader.publish.files import write_atomically
from grader.publish.site import MISSING, absentees, gradebook_csv
from grader.standings import Standing, class_roster, standings

FORMATS = ("canvas", "csv")


@dataclass(frozen=True)
class ExportSummary:
    format: str
    path: Path
    notes: tuple[str, ...] = ()

    def line(self) -> str:
        return "\n".join([f"Wrote the {self.format} export: {self.path}", *self.notes])


def export_grades(gradebook: Gradebook, assignment: Assignment, *, fmt: str, dest: Path,
                  column: str | None = None, missing: str = "blank") -> ExportSummary:
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r} (one of: {', '.join(FORMATS)})")
    if missing not in MISSING:
        raise UsageError(f"--missing must be one of: {', '.join(MISSING)}")
    everyone = list(standings(gradebook, assignment))
    found = [s for s in everyone if s.result is not None]
    if not found:
        raise UsageError(f"the gradebook at {gradebook.path} holds no graded submission yet")
    notes = []
    pending = sum(1 for s in found if s.result and s.result.pending_manual)
    if pending:
        notes.append(f"note: {pending} student(s) have free-response answers awaiting a grader; they count 0 so far")
    roster = class_roster(gradebook)
    nothing = absentees(everyone, roster)
    if nothing:
        notes.append(f"note: {len(nothing)} student(s) on the roster handed in nothing: "
                     + ("0 points" if missing == "zero" else "left blank (--missing zero gives 0)"))
    if fmt == "canvas":
        unmatched = [s.submission for s in found if not s.attempt.matched]
        if unmatched:
            notes.append(f"note: left out {len(unmatched)} file(s) that matched no student: {', '.join(unmatched)}")
        write_atomically(_file(dest), canvas_csv([s for s in found if s.attempt.matched], assignment,
                                                 roster=roster, column=column or assignment.id, absent=nothing,
                                                 missing=missing))
        return ExportSummary(fmt, _file(dest), tuple(notes))
    write_atomically(_file(dest), gradebook_csv(found, assignment, absent=nothing, missing=missing))
    return ExportSummary(fmt, _file(dest), tuple(notes))


def _file(dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    return dest


def canvas_csv(found: Sequence[Standing], assignment: Assignment, *, roster: Roster | None, column: str,
               absent: Sequence[RosterEntry] = (), missing: str = "blank") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column])
    writer.writerow(["Points Possible", "", "", "", "", f"{assignment.max_score:g}"])
    rows: list[list[str]] = []
    for s in found:
        assert s.result is not None
        entry = roster.lookup(s.attempt.student) if roster else None
        if entry is not None:
            rows.append([entry.name, entry.canvas_id, entry.student_id, entry.login, entry.section,
                         f"{s.result.score:g}"])
        else:
            rows.append([s.attempt.student, s.attempt.student, s.attempt.student, "", "", f"{s.result.score:g}"])
    rows += [[e.name, e.canvas_id, e.student_id, e.login, e.section, "0" if missing == "zero" else ""]
             for e in absent]
    rows.sort(key=lambda row: row[2])
    writer.writerows(rows)
    return out.getvalue()

