"""Reports and the class summary, opened in a real headless Chromium (Debian's `chromium`):
the elements a reader needs are there, links work, nothing errors in the console, and
nothing is fetched from the network. Screenshots are kept in test-artifacts/."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.gradebook import gradebook_csv
from grader.report import render_summary, write_report
from grader.results import CellResult, CheckResult, SubmissionResult
from grader.scoring import score_exercises, totals
from grader.spec import load_assignment

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = shutil.which("chromium")
ASSIGNMENT = load_assignment("hw1")


def make_result(sid, passed, *, errors=()):
    outcomes = [CheckResult(name=f"hidden/test_softmax::test_{i}", exercise="softmax",
                            outcome="passed" if i < passed else "failed", points=1.0 if i < passed else 0.0,
                            max_points=1.0, description=f"check {i} <b>escaped</b>",
                            message="" if i < passed else "softmax(X) contains NaN at 1 of 4 entries",
                            traceback=() if i < passed else ("cell line 3, in softmax: return X_exp / p",))
                for i in range(5)]
    exercises = score_exercises(ASSIGNMENT, outcomes, answers={})
    score, max_score, pending = totals(exercises)
    return SubmissionResult(submission=sid, path=f"/x/{sid}.ipynb", assignment="hw1",
                            assignment_version=ASSIGNMENT.version, score=score, max_score=max_score,
                            pending_manual=pending, exercises=exercises, errors=tuple(errors),
                            cells=(CellResult(3, "error", 0.1, {"type": "ZeroDivisionError",
                                                                "message": "division by zero",
                                                                "traceback": ["----> 1 1/0"]}),),
                            timing={"total": 4.2}, environment={"sandbox": "bubblewrap"})


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    results = [make_result("alice", 5), make_result("bob <script>", 2),
               make_result("carol", 0, errors=("carol.ipynb is not valid JSON (line 1, column 2)",))]
    for r in results:
        write_report(r, out / r.submission)
    links = {r.submission: f"{r.submission}/report.html" for r in results}
    (out / "index.html").write_text(render_summary(results, ASSIGNMENT, report_links=links))
    (out / "gradebook.csv").write_text(gradebook_csv(results, ASSIGNMENT))
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


def test_summary_lists_students_and_links_to_reports(browser, site):
    page, problems, requests = open_page(browser, (site / "index.html").as_uri())
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "summary.png"), full_page=True)
    assert page.locator("#students tr").count() == 4
    assert page.locator("#exercise-averages tr").count() == len(ASSIGNMENT.exercises) + 1
    assert "could not be graded fully" in page.locator("#errored").inner_text()
    page.locator("#students a", has_text="alice").click()
    assert page.locator("#total").inner_text().startswith("Score: 5 /")
    assert problems == []
    assert all(u.startswith("file://") for u in requests)


def test_report_shows_messages_tracebacks_and_escapes_student_text(browser, site):
    page, problems, _ = open_page(browser, (site / "bob <script>" / "report.html").as_uri())
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    assert page.locator("#total").inner_text().startswith("Score: 2 /")
    body = page.locator("body").inner_text()
    assert "softmax(X) contains NaN at 1 of 4 entries" in body
    assert "cell line 3, in softmax" in body
    assert "check 0 <b>escaped</b>" in body          # shown as text, not markup
    assert page.locator("h1").inner_text() == "hw1: bob <script>"
    assert page.locator("#cells").inner_text().count("ZeroDivisionError") == 1
    assert problems == []


def test_gradebook_has_one_row_per_student(site):
    rows = (site / "gradebook.csv").read_text().splitlines()
    assert rows[0].startswith("submission,total,max_score,pending_manual,errors,")
    assert [r.split(",")[0] for r in rows[1:]] == ["alice", "bob <script>", "carol"]
