"""The grading room for real: `grader manual serve` (uvicorn) in a subprocess, driven in headless
Chromium (Debian's `chromium`): three answers scored from the keyboard and one commented,
all still there after a reload, in the gradebook and on the student's re-rendered report; an
answer holding `<script>` shows as text; a request without the token is refused. A
screenshot of the grading page is kept in test-artifacts/room.png."""
from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.test_report_browser import ARTIFACTS, browser, open_page  # noqa: F401  (a fixture)
from tests.test_room import FREE, NAMES, make_gradebook

ROOT = Path(__file__).resolve().parent.parent
# The command line of this checkout, whatever else is installed: grader.cli from ROOT.
GRADER = [sys.executable, "-c", "from grader.cli import main; main()"]


@pytest.fixture
def room(tmp_path):
    """The output folder and the address `grader manual serve` printed; stopped with Ctrl-C."""
    make_gradebook(tmp_path)
    proc = subprocess.Popen([*GRADER, "manual", "serve", str(tmp_path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    line = proc.stdout.readline()
    found = re.search(r"http://127\.0\.0\.1:\d+/\?token=\S+", line)
    assert found, line + proc.stderr.read()
    address = found.group(0)
    for _ in range(100):
        try:
            urllib.request.urlopen(address, timeout=2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield tmp_path, address, proc
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_scoring_three_answers_by_keyboard_in_a_real_browser(browser, room):  # noqa: F811
    out, address, proc = room
    base = address.split("?")[0]
    assert status_of(base) == 403 and status_of(f"{base}q/{FREE}") == 403
    assert status_of(address.replace("token=", "token=x")) == 403

    page, problems, requests = open_page(browser, address)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.fill("#grader-name", "TA Kim")
    page.press("#grader-name", "Tab")                 # saved in this browser, sent with each score
    page.locator("#questions a", has_text="Is the 3-D result what you expected?").click()
    cards = page.locator("article.card")
    assert cards.count() == 6
    assert "current" in cards.nth(0).get_attribute("class")
    page.locator("body").click(position={"x": 5, "y": 5})
    for key, card in (("f", 0), ("0", 1), ("h", 2)):   # full marks, 0, half; each moves on to the next
        page.keyboard.press(key)
        page.locator(f"#card-{card + 1} .status", has_text="score saved").wait_for()
    assert "current" in cards.nth(3).get_attribute("class")
    page.keyboard.press("k")
    assert "current" in cards.nth(2).get_attribute("class")
    page.keyboard.press("c")
    page.keyboard.type("Close, but <b>axis 0</b> is not stretched.")
    page.keyboard.press("Escape")
    page.locator("#card-3 .status", has_text="comment saved by TA Kim").wait_for()
    assert page.locator("#scored").inner_text() == "3"
    script_card = cards.nth(2)
    assert "<script>alert('x')</script>" in script_card.locator(".answer").inner_text()
    assert page.locator("script").count() == 1 and dialogs == []
    assert script_card.locator(".answer math").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "room.png"), full_page=True)

    page.reload()
    values = [cards.nth(i).locator("input.score").input_value() for i in range(4)]
    assert values == ["1", "0", "0.5", ""]
    assert cards.nth(2).locator("textarea.comment").input_value() == "Close, but <b>axis 0</b> is not stretched."
    assert "current" in cards.nth(3).get_attribute("class")        # the first answer without a score
    assert problems == [] and all(u.startswith(base) for u in requests)

    db = sqlite3.connect(out / "gradebook.sqlite")
    held = dict(((s, (v, c, g)) for s, v, c, g in db.execute(
        "SELECT student, score, comment, grader FROM manual_scores WHERE exercise = ?", (FREE,))))
    db.close()
    assert held == {"2020000001": (1.0, "", "TA Kim"), "2020000002": (0.0, "", "TA Kim"),
                    "2020000003": (0.5, "Close, but <b>axis 0</b> is not stretched.", "TA Kim")}
    report_page, _, _ = open_page(browser, (out / "2020000003" / "report.html").as_uri())
    text = report_page.locator("#ex-broadcasting_rules").inner_text()
    assert "— 0.5 / 1" in text and "Close, but <b>axis 0</b> is not stretched." in text
    assert report_page.locator("h1").inner_text().startswith(f"hw1: {NAMES['2020000003']}")

    proc.send_signal(signal.SIGINT)                                # Ctrl-C: the dashboard is rendered again
    assert proc.wait(timeout=30) == 0
    dashboard = (out / "index.html").read_text()
    assert "awaiting a grader" in dashboard and NAMES["2020000001"] in dashboard
