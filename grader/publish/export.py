"""Grades for the learning platform, rendered from the gradebook:

- ``canvas``: a gradebook CSV Canvas imports (Student, ID, SIS User ID, SIS Login ID,
  Section, one column for the assignment, a "Points Possible" row);
- ``gradescope``: ``<submission>/results.json`` per student in Gradescope's autograder
  format (score, execution_time, output, tests[] with name, score, max_score, status,
  visibility, output);
- ``csv``: one plain row per student with the final total and one column per exercise.

With a roster, its students who handed in nothing are in the Canvas and CSV exports too,
with a blank total (``missing="blank"``: Canvas leaves their grade alone) or 0.

Everything here may reach students: tests appear by their description and the message the
student's code earned, never by hidden test source, and reference answers and rubrics are
left out.
"""
from __future__ import annotations

import csv
import io
import json
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

FORMATS = ("canvas", "gradescope", "csv")


@dataclass(frozen=True)
class ExportSummary:
    format: str
    paths: tuple[Path, ...]
    notes: tuple[str, ...] = ()

    def line(self) -> str:
        where = self.paths[0] if len(self.paths) == 1 else f"{len(self.paths)} files in {self.paths[0].parent.parent}"
        return "\n".join([f"Wrote the {self.format} export: {where}", *self.notes])


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
    if nothing and fmt != "gradescope":
        notes.append(f"note: {len(nothing)} student(s) on the roster handed in nothing: "
                     + ("0 points" if missing == "zero" else "left blank (--missing zero gives 0)"))
    if fmt == "canvas":
        unmatched = [s.submission for s in found if not s.attempt.matched]
        if unmatched:
            notes.append(f"note: left out {len(unmatched)} file(s) that matched no student: {', '.join(unmatched)}")
        write_atomically(_file(dest), canvas_csv([s for s in found if s.attempt.matched], assignment,
                                                 roster=roster, column=column or assignment.id, absent=nothing,
                                                 missing=missing))
        return ExportSummary(fmt, (_file(dest),), tuple(notes))
    if fmt == "csv":
        write_atomically(_file(dest), gradebook_csv(found, assignment, absent=nothing, missing=missing))
        return ExportSummary(fmt, (_file(dest),), tuple(notes))
    paths = []
    for standing in found:
        folder = dest / standing.submission
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(folder / "results.json", json.dumps(gradescope_results(standing, assignment), indent=2))
        paths.append(folder / "results.json")
    return ExportSummary(fmt, tuple(paths), tuple(notes))


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


def gradescope_results(standing: Standing, assignment: Assignment) -> dict:
    """Gradescope's results.json for one student."""
    r = standing.result
    assert r is not None
    tests = []
    for e in r.exercises:
        if e.kind == "F":
            if e.answer is None and e.manual:
                continue
            comment = standing.comments.get(e.id, "")
            tests.append({"name": f"{e.section} {e.title} (free response)", "score": e.score,
                          "max_score": e.max_score, "status": "passed" if e.score >= e.max_score else "failed",
                          "visibility": "visible",
                          "output": "awaiting a grader" if e.manual else (comment or "graded by hand")})
            continue
        hidden_count = 0
        for t in e.tests:
            if t.public:
                name = t.description or t.name.split("::", 1)[-1]
            else:
                hidden_count += 1
                name = t.description or f"hidden check {hidden_count}"
            output = t.message + ("\n" + "\n".join(t.traceback) if t.traceback else "")
            tests.append({"name": f"{e.section} {e.title}: {name}", "score": t.points, "max_score": t.max_points,
                          "status": "passed" if t.outcome == "passed" else "failed",
                          "visibility": "visible" if t.public else "after_published", "output": output})
    lines = [f"{assignment.title}: {r.score:g} / {r.max_score:g}"]
    if r.late:
        lines.append(f"Late by {r.late.days_late} day(s): -{r.late.penalty_percent:g}% "
                     f"(score before the penalty: {r.late.score_before:g}).")
    if r.pending_manual:
        lines.append(f"{r.pending_manual:g} points of free-response answers await a grader.")
    lines += [f"Could not be graded fully: {err}" for err in r.errors]
    return {"score": r.score, "execution_time": float(r.timing.get("total", 0.0)),
            "output": "\n".join(lines), "tests": tests}
