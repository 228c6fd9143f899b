"""Feedback students can keep (``grader feedback``): one self-contained HTML page per student
(inline CSS and SVG, formulas as MathML, no script, nothing fetched), and a zip of them with
each page named the way the learning platform named the student's notebook, so it can go
back in a bulk upload (Canvas: ``kimann_12345_67890_feedback.html``; Moodle: the
participant's folder).

A page holds what is the student's to see: their scores and the late penalty, each public
check with its name and message (tensor mismatches included), each hidden check by its
description and outcome only, their free-response answers with the grader's scores and
comments, and what went wrong in their cells. Never a hidden test's name, source or message,
a grader's internal fault, a rubric, or a reference answer unless the instructor asks for
them (``reference_answers``).
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

from jinja2 import Environment

from grader.assignment import Assignment
from grader.errors import UsageError
from grader.gradebook import Gradebook
from grader.publish.report import check_rows, mismatch_view, page_templates, test_base
from grader.publish.files import write_atomically
from grader.results import SubmissionResult
from grader.standings import Standing, standings

GRADER_FAULT = ("The grader had a problem of its own with part of this notebook; your instructor has "
                "been told and will look at it.")
CANVAS_FILE = re.compile(r"(?:^|[/:])(?P<prefix>[^/:_]+(?:_late)?_\d+_\d+)_[^/:]+\.ipynb$", re.IGNORECASE)
MOODLE_FILE = re.compile(r"(?:^|[/:])(?P<folder>[^/:]+_\d+_assignsubmission_file_)/[^/:]+\.ipynb$", re.IGNORECASE)


@dataclass(frozen=True)
class FeedbackSummary:
    pages: tuple[Path, ...]
    archive: Path | None
    not_graded: tuple[str, ...] = ()

    def line(self) -> str:
        line = f"Wrote {len(self.pages)} feedback page(s) in {self.pages[0].parent if self.pages else '-'}"
        line += f" and {self.archive} (named for the learning platform's bulk upload)." if self.archive else "."
        if self.not_graded:
            line += f" Not graded yet, no page: {', '.join(self.not_graded)}."
        return line


def lms_name(origin: str, submission: str) -> str:
    """The feedback page's name in the zip, after the notebook's name on the platform."""
    canvas = CANVAS_FILE.search(origin)
    if canvas:
        return f"{canvas.group('prefix')}_feedback.html"
    moodle = MOODLE_FILE.search(origin)
    if moodle:
        return f"{moodle.group('folder')}/feedback.html"
    return f"{submission}_feedback.html"


def student_view(result: SubmissionResult) -> dict:
    """What a student's page shows of their result: checks (parametrised cases that ended alike
    folded), the hidden ones without name, message or diff; errors without the grader's own."""
    exercises = []
    for e in result.exercises:
        checks, hidden = [], 0
        # Hidden checks show no message or diff, so their cases fold whenever they ended alike.
        shown = [t if t.public else replace(t, message="", diff={}, traceback=()) for t in e.tests]
        for row in check_rows(shown):
            t = row.verdict
            if not t.public:
                hidden += 1
            checks.append({
                "public": t.public, "outcome": t.outcome, "points": row.points, "max_points": row.max_points,
                "title": t.description or (test_base(t.name).split("::")[-1] if t.public else f"hidden check {hidden}"),
                "name": test_base(t.name).split("::")[-1] if t.public else "",
                "cases": list(row.cases) if t.public else [], "count": len(row.cases) or 1,
                "message": t.message if t.public else "", "traceback": list(t.traceback) if t.public else [],
                "diff": mismatch_view(t) if t.public and t.outcome != "passed" else None})
        exercises.append({"e": e, "checks": checks})
    errors = [GRADER_FAULT if err.startswith("grader:") else err for err in result.errors]
    return {"exercises": exercises, "errors": list(dict.fromkeys(errors)),
            "cells": [c for c in result.cells if c.status != "ok"]}


def feedback_page(standing: Standing, assignment: Assignment, *, reference_answers: bool = False,
                  templates: Environment | None = None) -> str:
    assert standing.result is not None
    return (templates or page_templates()).get_template("feedback/feedback.html.j2").render(
        s=standing, r=standing.result, assignment=assignment, view=student_view(standing.result),
        references={e.id: e.answer for e in assignment.exercises if e.manual} if reference_answers else {})


def write_feedback(gradebook: Gradebook, assignment: Assignment, dest: Path, *,
                   reference_answers: bool = False) -> FeedbackSummary:
    """``dest/<submission>.html`` for each graded student and ``dest/<assignment>-feedback.zip``."""
    dest.mkdir(parents=True, exist_ok=True)
    pages, members, not_graded = [], {}, []
    templates = page_templates()
    for standing in standings(gradebook, assignment):
        if standing.result is None:
            not_graded.append(standing.submission)
            continue
        if not standing.attempt.matched:
            continue      # no one to hand it to: the file matched no student
        page = dest / f"{standing.submission}.html"
        write_atomically(page, feedback_page(standing, assignment, reference_answers=reference_answers,
                                             templates=templates))
        pages.append(page)
        name = lms_name(standing.attempt.origin, standing.submission)
        members[name if name not in members else f"{standing.submission}_{name}"] = page
    if not pages:
        raise UsageError(f"the gradebook at {gradebook.path} holds no graded submission of a known student yet")
    archive = dest / f"{assignment.id}-feedback.zip"
    scratch = archive.with_name(archive.name + ".tmp")
    with zipfile.ZipFile(scratch, "w", zipfile.ZIP_DEFLATED) as z:
        for name, page in sorted(members.items()):
            z.write(page, name)
    scratch.replace(archive)
    return FeedbackSummary(pages=tuple(pages), archive=archive, not_graded=tuple(not_graded))
