"""The output folder, rendered from the gradebook: each student's final result (manual
scores added, late penalty applied) as ``<id>/result.json`` and ``<id>/report.html``, the
class dashboard ``index.html`` and ``gradebook.csv``."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from pathlib import Path

from jinja2 import Environment

from grader.assignment import Assignment
from grader.gradebook import AttemptRow, Gradebook
from grader.intake.archive import Refusal
from grader.intake.roster import Roster, RosterEntry
from grader.publish.files import write_atomically
from grader.publish.dashboard import build_dashboard
from grader.publish.report import page_templates, render_dashboard, render_report
from grader.publish.similarity.report import FOLDER as SIMILARITY
from grader.results import SubmissionResult
from grader.standings import Standing, class_roster, late_policy, standings


def write_student(standing: Standing, out: Path, *, templates: Environment | None = None) -> None:
    """One student's result.json and report.html (nothing until the attempt is graded);
    ``templates``: the page templates of a run that renders many (``page_templates``)."""
    if standing.result is None:
        return
    folder = out / standing.submission
    folder.mkdir(parents=True, exist_ok=True)
    write_atomically(folder / "result.json", json.dumps({**standing.result.to_dict(), "name": standing.name},
                                                        indent=2))
    write_atomically(folder / "report.html", render_report(standing.result, history=standing.history,
                                                          counted=standing.attempt, comments=standing.comments,
                                                          name=standing.name, templates=templates))


def store_result(gradebook: Gradebook, assignment: Assignment, row: AttemptRow, result: SubmissionResult,
                 out: Path, *, exercises: Sequence[str] = (), templates: Environment | None = None) -> list[str]:
    """What happens as each result arrives: it is committed to the gradebook first, then the
    student's pages are rendered from it (with ``templates``, the batch's page templates).
    Returns the submissions whose pages were written."""
    gradebook.record_result(row.id, result, exercises=exercises)
    written = []
    for standing in standings(gradebook, assignment, student=row.student):
        write_student(standing, out, templates=templates)
        written.append(standing.submission)
    return written


def publish(gradebook: Gradebook, assignment: Assignment, out: Path, *,
            fresh: frozenset[str] = frozenset(), similarity: bool = False,
            templates: Environment | None = None) -> list[Standing]:
    """Render every page and table of the output folder from the gradebook, one student at a
    time. ``fresh`` names submissions whose pages were rendered after their result was stored,
    in this same run: they are not rendered again. ``similarity``: the similarity report is
    written right after (the dashboard links it; it does anyway once it exists). Returns the
    standings in brief (see Standing.brief). ``templates``: the run's page templates, if it
    has rendered pages already."""
    templates = templates or page_templates()

    def written() -> Iterator[Standing]:
        for standing in standings(gradebook, assignment):
            if standing.submission not in fresh:
                write_student(standing, out, templates=templates)
            yield standing

    stored = gradebook.meta_json("refused")
    refused = tuple(Refusal(**r) for r in stored) if isinstance(stored, list) else ()
    roster = class_roster(gradebook)
    dashboard = build_dashboard(written(), assignment, policy=late_policy(gradebook, assignment),
                                refused=refused, roster=roster)
    write_atomically(out / "index.html", render_dashboard(
        dashboard, similarity=similarity or (out / SIMILARITY / "index.html").is_file(), templates=templates))
    write_atomically(out / "gradebook.csv", gradebook_csv(dashboard.standings, assignment,
                                                          absent=absentees(dashboard.standings, roster)))
    return list(dashboard.standings)


MISSING = ("blank", "zero")   # what a roster student who handed in nothing gets in tables and exports


def absentees(found: Sequence[Standing], roster: Roster | None) -> list[RosterEntry]:
    """The roster's students with no attempt in ``found``."""
    on_file = {s.attempt.student for s in found}
    return [e for e in roster.entries if e.student_id not in on_file] if roster else []


def gradebook_csv(found: Sequence[Standing], assignment: Assignment, *, absent: Sequence[RosterEntry] = (),
                  missing: str = "blank") -> str:
    """One row per student: the final total, how it came about, one column per exercise; then
    the roster's students who handed in nothing (total blank, or 0 with ``missing="zero"``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    ids = [e.id for e in assignment.exercises]
    writer.writerow(["submission", "total", "max_score", "pending_manual", "errors", "student", "name",
                     "submitted_at", "days_late", "late_penalty_percent", "score_before_penalty", "attempts", *ids])
    for s in sorted(found, key=lambda s: s.submission.lower()):
        r = s.result
        common = [s.attempt.student, s.name, s.attempt.submitted_at]
        if r is None:
            writer.writerow([s.submission, "", "", "", "not graded yet", *common, "", "", "", len(s.history),
                             *[""] * len(ids)])
            continue
        scores = {e.id: ("" if e.manual else f"{e.score:g}") for e in r.exercises}
        late = r.late
        writer.writerow([s.submission, f"{r.score:g}", f"{r.max_score:g}", f"{r.pending_manual:g}", len(r.errors),
                         *common, late.days_late if late else 0, f"{late.penalty_percent:g}" if late else 0,
                         f"{late.score_before:g}" if late else f"{r.score:g}", len(s.history),
                         *[scores.get(i, "") for i in ids]])
    for e in absent:
        writer.writerow(["", "0" if missing == "zero" else "", f"{assignment.max_score:g}", "", "no submission",
                         e.student_id, e.name, "", "", "", "", 0, *[""] * len(ids)])
    return out.getvalue()
