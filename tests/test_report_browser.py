"""The class dashboard and reports, rendered from a real gradebook and opened in a real
headless Chromium (Debian's `chromium`): the elements a reader needs are there (charts
included), links work, nothing errors in the console, and nothing is fetched from the
network. Screenshots are kept in test-artifacts/ (CI keeps that folder)."""
from __future__ import annotations

import csv
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from grader.intake.archive import Refusal
from grader.intake.roster import Roster, RosterEntry
from grader.gradebook import Gradebook
from grader.intake.survey import Attempt
from grader.results import CellResult, Verdict, SubmissionResult
from grader.scoring import score_exercises, totals
from grader.publish.site import publish
from grader.assignment import LatePolicy, load_assignment

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = shutil.which("chromium")
ASSIGNMENT = load_assignment("hw1")
KST = timezone(timedelta(hours=9))
DEADLINE = datetime(2026, 4, 10, 23, 59, tzinfo=KST)
NAN_MESSAGE = "softmax(X) contains NaN at 1 of 4 entries"
DIFF = {"name": "compare(X, Y)[0]", "shape": [3, 4], "wrong": 3, "total": 12,
        "worst": [{"index": [0, 1], "got": True, "expected": False}, {"index": [1, 1], "got": True, "expected": False},
                  {"index": [2, 1], "got": True, "expected": False}],
        "grid": [[0, 1, 0, 0], [0, 1, 0, 0], [0, 1, 0, 0]]}


def make_result(sid, passed, *, errors=(), seconds=4.2):
    outcomes = [Verdict(name=f"hidden/test_softmax::test_{i}", exercise="softmax",
                            outcome="passed" if i < passed else "failed", points=1.0 if i < passed else 0.0,
                            max_points=1.0, description=f"check {i} <b>escaped</b>",
                            message="" if i < passed else NAN_MESSAGE,
                            traceback=() if i < passed else ("cell line 3, in softmax: return X_exp / p",))
                for i in range(5)]
    outcomes.append(Verdict(
        name="hidden/test_tensors::test_compare_broadcasts", exercise="compare",
        outcome="passed" if passed == 5 else "failed", points=0.5 if passed == 5 else 0.0, max_points=0.5,
        description="compare(X, y) with a row vector y",
        message="" if passed == 5 else "compare(X, Y)[0] differs from the expected values at 3 of 12 entries; "
                                       "first at [0, 1]: got True, expected False",
        diff={} if passed == 5 else DIFF))
    exercises = score_exercises(ASSIGNMENT, outcomes, answers={})
    score, max_score, pending = totals(exercises)
    return SubmissionResult(submission=sid, path=f"/x/{sid}.ipynb", assignment="hw1",
                            assignment_version=ASSIGNMENT.version, score=score, max_score=max_score,
                            pending_manual=pending, exercises=exercises, errors=tuple(errors),
                            cells=(CellResult(3, "error", 0.1, {"type": "ZeroDivisionError",
                                                                "message": "division by zero",
                                                                "traceback": ["----> 1 1/0"]}),),
                            timing={"total": seconds}, environment={"sandbox": "bubblewrap"})


def attempt(student, hours, *, digest=None, matched=True):
    return Attempt(student=student, matched=matched, origin=f"bulk.zip:{student}.ipynb",
                   path=Path(f"/x/{student}.ipynb"), content_hash=(digest or student).ljust(64, "0"),
                   submitted_at=DEADLINE + timedelta(hours=hours), time_source="file",
                   note="" if matched else "no id pattern matches the file name")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    with Gradebook.in_folder(out) as book:
        book.set_meta(assignment="hw1", late_policy=LatePolicy(deadline=DEADLINE).to_dict(),
                      refused=[Refusal("bulk.zip:../escape.ipynb",
                                       "a path with '..', outside the extraction folder").to_dict()])
        book.record_attempts([attempt("alice", -30, digest="old"), attempt("alice", -3), attempt("bob <script>", 20),
                              attempt("carol", -1), attempt("Untitled_1", -1, matched=False), attempt("dave", -2)])
        graded = {"alice": make_result("alice", 5, seconds=6.5), "bob <script>": make_result("bob <script>", 2),
                  "carol": make_result("carol", 0, errors=("carol.ipynb is not valid JSON (line 1, column 2)",),
                                       seconds=0.2),
                  "Untitled_1": make_result("Untitled_1", 3)}
        for row in book.counted():
            if row.student in graded:
                book.record_result(row.id, graded[row.student], exercises=())
        publish(book, ASSIGNMENT, out)
    return out


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.fail("chromium is not installed: run scripts/install.sh (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        yield b
        b.close()


def open_page(browser, url):
    page = browser.new_page()
    problems, requests = [], []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    return page, problems, requests


def test_the_dashboard_draws_its_charts_and_lists_what_needs_a_look(browser, site):
    page, problems, requests = open_page(browser, (site / "index.html").as_uri())
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    bins = page.locator("#histogram svg rect.bin")
    assert bins.count() == 10
    assert sum(int(bins.nth(i).get_attribute("data-count")) for i in range(10)) == 4
    assert page.locator("#histogram svg").bounding_box()["height"] > 100
    assert page.locator("#runtime svg rect.bar").count() == 4
    assert page.locator("#exercise-chart svg rect.bar").count() == 2     # softmax and compare
    rows = page.locator("#exercise-averages tr")
    assert rows.count() == 3 and "softmax" in rows.nth(1).inner_text() + rows.nth(2).inner_text()
    worst = page.locator("#most-failed tr").nth(1).inner_text()
    assert "check 3 <b>escaped</b>" in worst and "3 / 4" in worst and f"3× {NAN_MESSAGE}" in worst
    assert "bob_script" in page.locator("table#late").inner_text()
    assert "−10%" in page.locator("table#late").inner_text()
    assert "carol" in page.locator("#errored").inner_text()
    assert "bulk.zip:Untitled_1.ipynb" in page.locator("#unmatched").inner_text()
    assert "outside the extraction folder" in page.locator("#refused").inner_text()
    assert "dave" in page.locator("#pending").inner_text()
    assert page.locator("#students tr").count() == 6
    assert "1 earlier attempt recorded" in page.locator("#overview").inner_text()
    page.locator("#students a", has_text="alice").click()
    assert page.locator("#total").inner_text().startswith("Score: 5.5 /")
    assert page.locator("#attempts tr").count() == 3
    assert problems == []
    assert all(u.startswith("file://") for u in requests)


def test_a_report_shows_the_penalty_the_tensor_diff_and_escapes_student_text(browser, site):
    page, problems, requests = open_page(browser, (site / "bob_script" / "report.html").as_uri())
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    assert page.locator("#total").inner_text().startswith("Score: 1.8 /")
    assert page.locator("#late").inner_text().startswith("Late: 1 day, −10%.")
    mismatch = page.locator("table.mismatch")
    assert mismatch.locator("caption").inner_text() == "compare(X, Y)[0], shape (3, 4): 3 of 12 entries wrong"
    assert mismatch.locator("tr").count() == 4
    assert mismatch.locator("tr").nth(1).inner_text().split() == ["[0,", "1]", "True", "False"]
    cells = page.locator("figure.heatmap svg rect.cell")
    assert cells.count() == 12
    assert cells.nth(1).get_attribute("fill") != cells.nth(0).get_attribute("fill")
    body = page.locator("body").inner_text()
    assert NAN_MESSAGE in body and "cell line 3, in softmax" in body
    assert "check 0 <b>escaped</b>" in body          # shown as text, not markup
    assert page.locator("h1").inner_text() == "hw1: bob <script>"
    assert page.locator("#cells").inner_text().count("ZeroDivisionError") == 1
    assert problems == []
    assert all(u.startswith("file://") for u in requests)


def test_a_mismatch_table_comes_from_the_structured_diff_never_from_the_message(site):
    from grader.publish.report import mismatch_view
    message = ("softmax(X) differs from the expected values at 2 of 10 entries; worst at [1, 3]: "
               "got 0.25, expected 0.5 (|difference| 0.25 > allowed 1e-06: atol ...)")
    words_only = Verdict(name="t", exercise="softmax", outcome="failed", points=0, max_points=1, message=message)
    assert mismatch_view(words_only) is None
    diff = {"name": "softmax(X)", "shape": [2, 5], "wrong": 2, "total": 10,
            "worst": [{"index": [1, 3], "got": 0.25, "expected": 0.5, "difference": 0.25}]}
    view = mismatch_view(Verdict(name="t", exercise="softmax", outcome="failed", points=0, max_points=1,
                                 message=message, diff=diff))
    assert (view["name"], view["wrong"], view["total"]) == ("softmax(X)", 2, 10)
    assert view["worst"] == diff["worst"]


def test_gradebook_csv_has_one_row_per_student_with_the_final_total(site):
    rows = (site / "gradebook.csv").read_text().splitlines()
    assert rows[0].startswith("submission,total,max_score,pending_manual,errors,student,name,submitted_at,days_late,")
    assert [r.split(",")[0] for r in rows[1:]] == ["alice", "bob_script", "carol", "dave", "Untitled_1"]
    bob = rows[2].split(",")
    assert bob[1] == "1.8" and bob[8:11] == ["1", "10", "2"]


NOT_DEFINED = "`relu` is not defined in the notebook"
FREE = "broadcasting_rules"
ROSTER = Roster(entries=(RosterEntry("2020000001", "Kim, Ann"), RosterEntry("2020000002", "Lee, Bo"),
                         RosterEntry("2020000003", "Park, Carl")), source="class.csv")


def parametrised_result(sid, *, answer):
    """Ten cases of one parametrised check failing with one message, and a free-response answer."""
    outcomes = [Verdict(name=f"hidden/test_tensors::test_compare_random_integers[case{i}]", exercise="compare",
                        outcome="failed", points=0.0, max_points=0.2, description="compare on random integers",
                        message=NOT_DEFINED) for i in range(10)]
    outcomes.append(Verdict(name="hidden/test_tensors::test_compare_broadcasts", exercise="compare",
                            outcome="passed", points=0.5, max_points=0.5, description="compare broadcasts"))
    exercises = score_exercises(ASSIGNMENT, outcomes, answers={FREE: answer})
    score, max_score, pending = totals(exercises)
    return SubmissionResult(submission=sid, path=f"/x/{sid}.ipynb", assignment="hw1",
                            assignment_version=ASSIGNMENT.version, score=score, max_score=max_score,
                            pending_manual=pending, exercises=exercises, timing={"total": 2.0})


@pytest.fixture(scope="module")
def named_site(tmp_path_factory):
    """A class with a roster: two students graded (one left the answer cell as released), one
    on the roster who handed in nothing."""
    out = tmp_path_factory.mktemp("named")
    with Gradebook.in_folder(out) as book:
        book.set_meta(assignment="hw1", late_policy=LatePolicy().to_dict(), roster=ROSTER.to_dict())
        book.record_attempts([attempt("2020000001", -5), attempt("2020000002", -4)])
        answers = {"2020000001": "Shapes align from the **right**: $a_{ij} + b_j$.",
                   "2020000002": "_write your answer here_"}
        for row in book.counted():
            book.record_result(row.id, parametrised_result(row.submission, answer=answers[row.student]), exercises=())
        publish(book, ASSIGNMENT, out)
    return out


def test_a_report_names_the_student_folds_parametrised_cases_and_links_to_the_dashboard(browser, named_site):
    page, problems, requests = open_page(browser, (named_site / "2020000001" / "report.html").as_uri())
    assert page.locator("h1").inner_text() == "hw1: Kim, Ann 2020000001"
    block = page.locator("#ex-compare")
    assert block.inner_text().count(NOT_DEFINED) == 1
    folded = block.locator("tr.test").first.inner_text()
    assert "10 cases: case0, case1" in folded and "0 / 2" in folded
    assert page.locator("#ex-broadcasting_rules .answer math").count() == 1          # LaTeX drawn as MathML
    assert page.locator("#ex-broadcasting_rules .answer strong").inner_text() == "right"
    page.locator("#dashboard-link").click()
    assert page.url.endswith("/index.html") and page.locator("#students").is_visible()
    assert problems == [] and all(u.startswith("file://") for u in requests)


def test_the_dashboard_names_students_and_shows_free_response_as_awaiting_not_failed(browser, named_site):
    page, problems, _ = open_page(browser, (named_site / "index.html").as_uri())
    students = page.locator("#students").inner_text()
    assert "Kim, Ann" in students and "Lee, Bo" in students
    assert page.locator("#missing").inner_text().endswith("Park, Carl (2020000003)")
    failed = page.locator("#most-failed tr")
    assert failed.count() == 2          # the header and one row for the ten cases
    assert "10 cases" in failed.nth(1).inner_text() and f"2× {NOT_DEFINED}" in failed.nth(1).inner_text()
    free = page.locator("#exercise-averages tr", has_text=FREE).locator("td")
    assert free.nth(2).inner_text() == "awaiting a grader"                  # its average: not 0.00
    assert free.nth(4).inner_text() == "0 +1 awaiting a grader"             # the placeholder is no answer
    labels = page.locator("#exercise-chart svg text").all_text_contents()
    assert not any(FREE in label for label in labels) and any("compare" in label for label in labels)
    assert problems == []
    rows = {r["student"]: r for r in csv.DictReader((named_site / "gradebook.csv").open())}
    assert rows["2020000001"]["name"] == "Kim, Ann"
    assert rows["2020000003"]["total"] == "" and rows["2020000003"]["errors"] == "no submission"


def test_histogram_edge_labels_never_overlap(browser, tmp_path):
    from grader.publish import chart
    svg = chart.histogram([8.25, 120, 277.5], high=277.5, label="totals")
    (tmp_path / "h.html").write_text(f"<!doctype html><meta charset=utf-8><body>{svg}</body>")
    page, problems, _ = open_page(browser, (tmp_path / "h.html").as_uri())
    boxes = [page.locator("text.tick").nth(i).bounding_box() for i in range(page.locator("text.tick").count())]
    assert len(boxes) == 11
    right = page.locator("svg").bounding_box()
    for a, b in zip(boxes, boxes[1:]):
        assert a["x"] + a["width"] <= b["x"], (a, b)
    assert boxes[-1]["x"] + boxes[-1]["width"] <= right["x"] + right["width"]
    assert page.locator("text.tick").last.text_content() == "277.5"
