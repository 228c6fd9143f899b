"""Feedback pages students can keep: everything that is theirs to see (scores, public checks
with their messages and tensor diffs, hidden checks by description, their answers with the
grader's score and comment), nothing that is not (hidden test names, source or messages, the
grader's own faults, rubrics, reference answers unless asked for), self-contained, and
zipped under the names the learning platform gave the notebooks. A screenshot of one page
is kept in test-artifacts/feedback.png."""
from __future__ import annotations

import re
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.assignment import LatePolicy, load_assignment
from grader.cli import main
from grader.gradebook import Gradebook
from grader.intake.roster import Roster, RosterEntry
from grader.intake.survey import Attempt
from grader.publish.feedback import lms_name, write_feedback
from grader.results import CellResult, SubmissionResult, Verdict
from grader.scoring import score_exercises, totals
from tests.test_report_browser import ARTIFACTS, browser, open_page  # noqa: F401  (a fixture)

ASSIGNMENT = load_assignment("hw1")
FREE = ASSIGNMENT.exercise("broadcasting_rules")
KST = timezone(timedelta(hours=9))
DEADLINE = datetime(2026, 4, 10, 23, 59, tzinfo=KST)
HIDDEN_SOURCE = (ASSIGNMENT.hidden_dir / "test_tensors.py").read_text()
HIDDEN_MESSAGE = "compare(X, Y)[1] differs from the expected values at 2 of 6 entries; first at [0, 2]"
DIFF = {"name": "compare(X, Y)[0]", "shape": [2, 2], "wrong": 1, "total": 4,
        "worst": [{"index": [0, 1], "got": True, "expected": False}], "grid": [[0, 1], [0, 0]]}
ORIGINS = {"1001": "hw1_submissions.zip:kimann_LATE_1001_901_hw1.ipynb",
           "1002": "hw1_submissions.zip:Bo Lee_1002_assignsubmission_file_/HW1.ipynb",
           "1003": "submissions/2020123456.ipynb"}


def result(submission, *, answer, errors=()):
    tests = [
        Verdict(name="public/test_tensors::test_compare_returns_booleans", exercise="compare", outcome="failed",
                points=0.0, max_points=0.25, public=True, description="The three results are boolean tensors",
                message="the X < Y part of compare(X, Y) has dtype float32; expected bool", diff=DIFF,
                traceback=("cell 3, line 2, in compare: return X == Y, (X < Y).float(), X > Y",)),
        *[Verdict(name=f"hidden/test_tensors::test_compare_random_integers[{case}]", exercise="compare",
                  outcome="failed", points=0.0, max_points=0.25, description="compare on random small integers",
                  message=HIDDEN_MESSAGE, diff=DIFF) for case in ("wide", "column", "vector")],
        Verdict(name="hidden/test_tensors::test_compare_broadcasts", exercise="compare", outcome="passed",
                points=0.5, max_points=0.5, description="compare(X, y) with a row vector y"),
    ]
    exercises = score_exercises(ASSIGNMENT, tests, answers={FREE.id: answer})
    score, max_score, pending = totals(exercises)
    return SubmissionResult(submission=submission, path="/x", assignment="hw1", assignment_version=ASSIGNMENT.version,
                            score=score, max_score=max_score, pending_manual=pending, exercises=exercises,
                            errors=tuple(errors), timing={"total": 3.0},
                            cells=(CellResult(4, "error", 0.1, {"type": "NameError", "message": "name 'Y' is not defined",
                                                                "traceback": []}),))


@pytest.fixture
def grades(tmp_path):
    out = tmp_path / "grades"
    with Gradebook.in_folder(out) as gradebook:
        gradebook.set_meta(assignment="hw1", late_policy=LatePolicy(deadline=DEADLINE).to_dict(),
                           roster=Roster(entries=(RosterEntry("1001", "Kim, Ann"), RosterEntry("1002", "Lee, Bo"),
                                                  RosterEntry("1003", "Park, Cy"))).to_dict())
        gradebook.record_attempts([Attempt(student=sid, matched=True, origin=origin, path=Path("/x"),
                                           content_hash=sid * 16, submitted_at=DEADLINE - timedelta(hours=2),
                                           time_source="file", marked_late=sid == "1001")
                                   for sid, origin in ORIGINS.items()])
        answers = {"1001": "Shapes align from the right, so $r_{ijk} = a_{ij0} + b_{00k}$.",
                   "1002": "_write your answer here_", "1003": "The shapes broadcast."}
        faults = {"1003": ("grader: hidden/test_tensors.py::test_x: needs both @exercise and @points markers",)}
        for row in gradebook.counted():
            gradebook.record_result(row.id, result(row.submission, answer=answers[row.student],
                                                   errors=faults.get(row.student, ())), exercises=[])
        ann = next(r for r in gradebook.counted() if r.student == "1001")
        gradebook.set_manual_score("1001", ann.content_hash, FREE.id, 0.5, expect=None)
        gradebook.set_manual_comment("1001", ann.content_hash, FREE.id, "Say why axis 2 has length 2.", expect="")
    return out


def test_a_feedback_page_holds_what_is_the_students_and_nothing_else(grades, tmp_path):
    with Gradebook.in_folder(grades) as gradebook:
        summary = write_feedback(gradebook, ASSIGNMENT, tmp_path / "feedback")
    assert [p.name for p in summary.pages] == ["1001.html", "1002.html", "1003.html"]
    page = (tmp_path / "feedback" / "1001.html").read_text()
    assert "Feedback for <strong>Kim, Ann</strong> (1001)" in page
    assert re.search(r"Score: [\d.]+ / 277.5", page) and "Late by 1 day: −10%." in page
    assert "the X &lt; Y part of compare(X, Y) has dtype float32" in page and "test_compare_returns_booleans" in page
    assert "cell 3, line 2, in compare" in page and page.count('class="mismatch"') == 1     # the public check's diff
    assert page.count("compare on random small integers <span class=\"muted\">(3 cases)</span>") == 1
    assert HIDDEN_MESSAGE not in page and "test_compare_random_integers" not in page and "hidden/" not in page
    assert "Say why axis 2 has length 2." in page and "<math" in page
    assert "NameError" in page
    source_lines = [line.strip() for line in HIDDEN_SOURCE.splitlines() if len(line.strip()) > 25]
    assert source_lines and not any(line in page for line in source_lines)
    assert FREE.answer.strip()[:60] not in page and "Rubric" not in page
    assert "<script" not in page and "src=" not in page and not re.search(r'href="(?!#)', page)
    fault = (tmp_path / "feedback" / "1003.html").read_text()
    assert "needs both @exercise" not in fault and "The grader had a problem of its own" in fault
    assert "No answer was found in your notebook." in (tmp_path / "feedback" / "1002.html").read_text()


def test_reference_answers_appear_only_when_the_instructor_asks(grades, tmp_path):
    with Gradebook.in_folder(grades) as gradebook:
        write_feedback(gradebook, ASSIGNMENT, tmp_path / "with", reference_answers=True)
    page = (tmp_path / "with" / "1001.html").read_text()
    assert "A model answer" in page and "Shapes are aligned from the right" in page


def test_the_zip_names_each_page_as_the_platform_named_the_notebook(grades, tmp_path):
    result = CliRunner().invoke(main, ["feedback", str(grades), "--out", str(tmp_path / "fb")])
    assert result.exit_code == 0, result.output
    assert "3 feedback page(s)" in result.output
    with zipfile.ZipFile(tmp_path / "fb" / "hw1-feedback.zip") as z:
        assert sorted(z.namelist()) == ["1003_feedback.html",
                                        "Bo Lee_1002_assignsubmission_file_/feedback.html",
                                        "kimann_LATE_1001_901_feedback.html"]
        assert z.read("kimann_LATE_1001_901_feedback.html") == (tmp_path / "fb" / "1001.html").read_bytes()
    assert lms_name("bulk.zip:sub/parkcy_1003_77_HW1 final.ipynb", "1003") == "parkcy_1003_77_feedback.html"


def test_a_feedback_page_in_a_real_browser(browser, grades, tmp_path):  # noqa: F811
    with Gradebook.in_folder(grades) as gradebook:
        write_feedback(gradebook, ASSIGNMENT, tmp_path / "feedback")
    page, problems, requests = open_page(browser, (tmp_path / "feedback" / "1001.html").as_uri())
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1100, "height": 1000})
    page.locator("#ex-compare").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "feedback.png"))                   # the checks and the answer
    assert re.search(r'href="#ex-[^"]+"', page.content())
    assert page.locator("section.exercise").count() == len([e for e in ASSIGNMENT.exercises if e.manual]) + 1
    assert page.locator("#total").inner_text().startswith("Score:")
    assert page.locator("#ex-compare tr.check.hidden").count() == 2        # three cases folded, and one more
    assert page.locator("#ex-compare figure.heatmap svg rect").count() == 4
    assert page.locator(f"#ex-{FREE.id} math").count() == 1
    assert page.locator(f"#comment-{FREE.id}").inner_text() == "Grader's comment: Say why axis 2 has length 2."
    assert problems == [] and all(u.startswith("file://") for u in requests)
