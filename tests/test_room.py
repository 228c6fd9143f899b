"""The grading room through Starlette's TestClient: the token guards every route, a question's
page shows what a grader needs (and nothing a student wrote as markup), scores and comments
are saved at once against what the page showed, blank answers get 0 in one action,
anonymous mode hides who wrote what, and two graders at once lose nothing.
(test_room_browser.py drives the same app in a real browser.)"""
from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from grader.assignment import load_assignment
from grader.gradebook import Gradebook
from grader.intake.roster import Roster, RosterEntry
from grader.intake.survey import Attempt
from grader.publish.room import Room, create_app
from grader.results import SubmissionResult
from grader.scoring import score_exercises, totals

ASSIGNMENT = load_assignment("hw1")
FREE = "broadcasting_rules"
TOKEN = "t0ken-for-tests"
COPIED = "Shapes are aligned from the right and an axis of length one is stretched to match the other."
ANSWERS = {
    "2020000001": COPIED,
    "2020000002": COPIED,                                               # identical to 2020000001's
    "2020000003": "<script>alert('x')</script> The result is $a_{ij} + b_j$.",
    "2020000004": "Broadcasting copies the smaller tensor along the missing axes.",
    "2020000005": "_write your answer here_",                          # the released placeholder: blank
    "2020000006": "",
    "2020000007": "Both shapes are compared from the last axis; lengths must match or be 1.",
    "2020000008": "It is (2, 3, 2) because axis lengths of 1 are repeated.",
}
NAMES = {sid: f"Student {sid[-1]}, Name" for sid in ANSWERS}


def make_gradebook(out: Path) -> None:
    when = datetime(2026, 4, 1, tzinfo=timezone.utc)
    with Gradebook.in_folder(out) as gradebook:
        gradebook.set_meta(assignment="hw1", roster=Roster(entries=tuple(
            RosterEntry(sid, name) for sid, name in NAMES.items())).to_dict())
        gradebook.record_attempts([Attempt(student=sid, matched=True, origin=f"{sid}.ipynb", path=Path("/x"),
                                           content_hash=sid.ljust(64, "0"), submitted_at=when - timedelta(hours=1),
                                           time_source="file") for sid in ANSWERS])
        for row in gradebook.counted():
            exercises = score_exercises(ASSIGNMENT, [], answers={FREE: ANSWERS[row.student]})
            score, max_score, pending = totals(exercises)
            gradebook.record_result(row.id, SubmissionResult(
                submission=row.submission, path="/x", assignment="hw1", assignment_version=ASSIGNMENT.version,
                score=score, max_score=max_score, pending_manual=pending, exercises=exercises), exercises=[])


@pytest.fixture
def out(tmp_path):
    make_gradebook(tmp_path)
    return tmp_path


def client(out, **options) -> TestClient:
    return TestClient(create_app(Room(out, ASSIGNMENT, token=TOKEN, **options)))


def keys(html: str) -> list[str]:
    return re.findall(r'data-key="([0-9a-f]+)"', html)


def page(c: TestClient, path: str, **params: str) -> str:
    response = c.get(path, params={"token": TOKEN, **params})
    assert response.status_code == 200
    return response.text


def score(c, key, value, expect=None, **extra):
    return c.post("/api/score", params={"token": TOKEN},
                  json={"exercise": FREE, "key": key, "score": value, "expect": expect, **extra})


@pytest.mark.parametrize("method, path", [("GET", "/"), ("GET", f"/q/{FREE}"), ("GET", "/nowhere"),
                                          ("POST", "/api/score"), ("POST", "/api/comment"), ("POST", "/api/blanks")])
def test_every_route_refuses_a_request_without_the_token(out, method, path):
    c = client(out)
    for params in ({}, {"token": "guess"}, {"token": TOKEN[:-1]}):
        response = c.request(method, path, params=params, json={"exercise": FREE})
        assert response.status_code == 403 and "carries the token" in response.text
        assert NAMES["2020000001"] not in response.text
    assert c.get("/", headers={"X-Grader-Token": TOKEN}).status_code == 200


def test_a_question_shows_the_prompt_the_reference_and_each_answer_rendered_safely(out):
    c = client(out)
    response = c.get(f"/q/{FREE}", params={"token": TOKEN})
    html = response.text
    nonce = re.search(r"script-src 'nonce-([^']+)'", response.headers["content-security-policy"]).group(1)
    assert re.findall(r"<script[^>]*>", html) == [f'<script nonce="{nonce}">']      # only the page's own script
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in html and "<math" in html
    assert len(keys(html)) == 6 and "_write your answer here_" not in html
    assert "2 blank answers not shown" in html
    assert "Reference answer" in html and "Shapes are aligned from the right" in html
    assert html.count(f"identical to {NAMES['2020000001']}") == 1 and html.count(f"identical to {NAMES['2020000002']}") == 1
    order = re.findall(r'<strong class="who">([^<]+)</strong>', html)
    assert order == sorted(order, key=str.casefold) and NAMES["2020000001"] in order
    assert c.get("/q/compare", params={"token": TOKEN}).status_code == 404       # not a free-response question


def test_anonymous_mode_hides_who_wrote_what_and_shuffles_the_order(out):
    c = client(out)
    named = keys(page(c, f"/q/{FREE}"))
    anonymous = page(c, f"/q/{FREE}", anon="1")
    for sid, name in NAMES.items():
        assert sid not in anonymous and name not in anonymous
    assert sorted(keys(anonymous)) == sorted(named) and keys(anonymous) != named
    assert keys(page(c, f"/q/{FREE}", anon="1")) == keys(anonymous)              # stable while the room is open
    assert "identical to Answer" in anonymous
    forced = page(client(out, anonymous=True), f"/q/{FREE}")
    assert all(name not in forced for name in NAMES.values()) and "show names" not in forced
    response = score(c, keys(anonymous)[0], 1)
    assert response.status_code == 200
    conflict = score(c, keys(anonymous)[0], 0.5)                              # the page still showed no score
    assert conflict.status_code == 409 and not any(sid in conflict.text for sid in NAMES)


def test_a_score_and_a_comment_are_saved_at_once_and_reach_the_report(out):
    c = client(out)
    first = keys(page(c, f"/q/{FREE}"))[0]           # Student 1, Name: 2020000001
    response = score(c, first, 1, headers=None)
    assert response.status_code == 200 and response.json()["score"] == 1.0
    response = c.post("/api/comment", params={"token": TOKEN}, headers={"X-Grader-Name": "TA Kim"},
                      json={"exercise": FREE, "key": first, "comment": "Clear, with the <b>rule</b>.", "expect": ""})
    assert response.json() == {"score": 1.0, "comment": "Clear, with the <b>rule</b>.", "grader": "TA Kim"}
    with Gradebook.in_folder(out) as gradebook:
        held = gradebook.manual_grades(FREE)[("2020000001", "2020000001".ljust(64, "0"), FREE)]
    assert (held.score, held.comment, held.grader) == (1.0, "Clear, with the <b>rule</b>.", "TA Kim")
    report = (out / "2020000001" / "report.html").read_text()
    assert "Is the 3-D result what you expected? — 1 / 1" in report
    assert "Clear, with the &lt;b&gt;rule&lt;/b&gt;." in report
    page_again = page(c, f"/q/{FREE}")
    assert 'value="1"' in page_again and "saved by TA Kim" in page_again
    assert "<strong><span id=\"scored\">1</span> of 6</strong>" in page_again
    assert "1 / 6" in page(c, "/")


@pytest.mark.parametrize("value, status, message", [
    (2, 400, "2 is outside 0–1"), (-1, 400, "-1 is outside 0–1"), ("1", 400, "a score is a number or null"),
    (True, 400, "a score is a number or null")])
def test_a_bad_score_is_refused_and_stores_nothing(out, value, status, message):
    c = client(out)
    response = score(c, keys(page(c, f"/q/{FREE}"))[0], value)
    assert (response.status_code, response.json()["error"]) == (status, message)
    assert score(c, "0" * 20, 1).status_code == 404
    with Gradebook.in_folder(out) as gradebook:
        assert gradebook.manual_grades() == {}


def test_blank_answers_score_0_in_one_action_and_a_given_score_stays(out):
    c = client(out)
    with Gradebook.in_folder(out) as gradebook:     # a grader already gave one blank answer a point
        gradebook.set_manual_score("2020000006", "2020000006".ljust(64, "0"), FREE, 1.0, expect=None)
    response = c.post("/api/blanks", params={"token": TOKEN}, json={"exercise": FREE})
    assert response.json() == {"scored": 1}
    with Gradebook.in_folder(out) as gradebook:
        scores = {s: v[FREE] for (s, _), v in gradebook.manual_scores().items()}
    assert scores == {"2020000005": 0.0, "2020000006": 1.0}
    assert "Give the" not in page(c, f"/q/{FREE}")


def test_two_graders_at_once_lose_nothing(out):
    """Two rooms on one output folder (two graders, or two servers), saving at the same time:
    every score and comment arrives; on the one answer both score unseen, one is told."""
    a, b = client(out), client(out)
    answers = keys(page(a, f"/q/{FREE}"))
    results: dict[str, list[int]] = {"a": [], "b": []}
    barrier = threading.Barrier(2)

    def grade(name, c, mine):
        barrier.wait()
        for key in mine:
            results[name].append(score(c, key, 0.5, headers=None).status_code)
            results[name].append(c.post("/api/comment", params={"token": TOKEN}, headers={"X-Grader-Name": name},
                                        json={"exercise": FREE, "key": key, "comment": f"by {name}",
                                              "expect": ""}).status_code)
        results[name].append(score(c, answers[-1], 1 if name == "a" else 0, headers=None).status_code)

    threads = [threading.Thread(target=grade, args=("a", a, answers[:2])),
               threading.Thread(target=grade, args=("b", b, answers[2:5]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results["a"][:-1] == [200] * 4 and results["b"][:-1] == [200] * 6
    assert sorted([results["a"][-1], results["b"][-1]]) == [200, 409]
    with Gradebook.in_folder(out) as gradebook:
        grades = gradebook.manual_grades(FREE)
    assert len(grades) == 6 and sorted(g.comment for g in grades.values()) == ["", *["by a"] * 2, *["by b"] * 3]
    assert sum(1 for g in grades.values() if g.score == 0.5) == 5
