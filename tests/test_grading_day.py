"""The instructor's grading day, for real: a zip of 30 submissions (several per student, some
late, one free-response answer each, two files no pattern claims, two unsafe members) graded
by the `grade` command in sandboxed kernels into a SQLite gradebook; a second run grades
nothing; a run killed with SIGKILL half-way and restarted ends with the same gradebook as an
uninterrupted one, and nothing the killed run made stays on the host; manual scores go out as CSV and come back; exports for Canvas and a plain
CSV. Only `compare` is graded so each notebook takes seconds."""
from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import psutil
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.assignment import load_assignment
from tests.leftover_names import left_by

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
ASSIGNMENT = load_assignment("hw1")
FREE = "broadcasting_rules"
FREE_POINTS = ASSIGNMENT.exercise(FREE).points
DEADLINE = "2026-04-10T23:59:00+09:00"
OPTIONS = ["--only", "compare", "--deadline", DEADLINE, "--workers", "2", "--cell-timeout", "30",
           "--notebook-timeout", "90", "--call-timeout", "10"]

CORRECT = "import torch\n\ndef compare(X, Y):\n    return X == Y, X < Y, X > Y\n"
SWAPPED = "import torch\n\ndef compare(X, Y):\n    return X == Y, X > Y, X < Y\n"
RAISES = "def compare(X, Y):\n    raise ValueError('not done yet')\n"
BROKEN = "not a notebook"

# (file name in the zip, code, zip time (+09:00, the deadline's zone)); the last of each
# student's attempts is the newest.
ON_TIME, LATE_1, LATE_2 = (2026, 4, 10, 20, 0, 0), (2026, 4, 11, 9, 0, 0), (2026, 4, 12, 9, 0, 0)
EARLY = [(2026, 4, d, 12, 0, 0) for d in range(1, 8)]


def canvas(name, uid, codes, last_time=ON_TIME, *, late_mark=False):
    """Canvas's names; with ``late_mark``, the newest carries Canvas's _LATE_ marker."""
    times = EARLY[:len(codes) - 1] + [last_time]
    return [(f"{name}{'_LATE' if late_mark and i == len(codes) - 1 else ''}_{uid}_{900 + i}_hw1.ipynb", code, when)
            for i, (code, when) in enumerate(zip(codes, times))]


SUBMISSIONS = [
    *canvas("kimann", 1001, [CORRECT]),
    *canvas("leebo", 1002, [SWAPPED, SWAPPED, CORRECT]),
    *canvas("parkcy", 1003, [CORRECT, SWAPPED], LATE_1, late_mark=True),
    *canvas("choidi", 1004, [SWAPPED, SWAPPED, SWAPPED, CORRECT], LATE_2),
    *canvas("jungeu", 1005, [CORRECT, CORRECT, CORRECT, CORRECT, BROKEN]),
    *canvas("hanfa", 1006, [CORRECT, SWAPPED, CORRECT, RAISES]),
    *canvas("yoongi", 1007, [SWAPPED, SWAPPED, SWAPPED, SWAPPED, SWAPPED, CORRECT]),
    ("2020123456_2026-04-09T21-00-00.ipynb", SWAPPED, ON_TIME),
    ("2020123456_2026-04-10T22-00-00.ipynb", SWAPPED, ON_TIME),
    ("2020123456_2026-04-13T10-00-00.ipynb", CORRECT, ON_TIME),      # 3 days late by its name
    ("hw1 (final).ipynb", CORRECT, ON_TIME),
    ("my hw1 copy.ipynb", SWAPPED, ON_TIME),
]
STUDENTS = 10      # 7 Canvas ids, one plain id, two unmatched files


def notebook_bytes(index, code):
    if code == BROKEN:
        return b'{"cells": [ this is not JSON'
    nb = new_notebook(cells=[new_markdown_cell("## 2.1"), new_code_cell(f"# attempt {index}\n" + code),
                             new_markdown_cell(f"**Answer [{FREE}]:** Shapes align from the right (attempt {index}).")])
    return nbformat.writes(nb).encode()


@pytest.fixture(scope="module")
def bulk(tmp_path_factory):
    path = tmp_path_factory.mktemp("lms") / "hw1_submissions.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for index, (name, code, when) in enumerate(SUBMISSIONS):
            z.writestr(zipfile.ZipInfo(name, date_time=when), notebook_bytes(index, code))
        z.writestr(zipfile.ZipInfo("../outside.ipynb", date_time=ON_TIME), notebook_bytes(99, CORRECT))
        z.writestr(zipfile.ZipInfo("instructions.pdf", date_time=ON_TIME), b"%PDF-1.4")
    assert len(SUBMISSIONS) == 30
    return path


def grade(bulk, out, *extra, timeout=900):
    done = subprocess.run([str(BIN / "grade"), str(bulk), "--out", str(out), *OPTIONS, *extra],
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def grader(*args):
    done = subprocess.run([str(BIN / "grader"), *map(str, args)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def query(out, sql):
    db = sqlite3.connect(f"file:{out / 'gradebook.sqlite'}?mode=ro", uri=True, timeout=30)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def snapshot(out):
    """Everything grading put in the gradebook, without timings and paths on disk."""
    return (query(out, "SELECT student, submission, matched, content_hash, origin, submitted_at, time_source, "
                       "assignment_version, graded_exercises, score, max_score, pending_manual, errors "
                       "FROM attempts ORDER BY student, content_hash"),
            query(out, "SELECT a.student, a.content_hash, o.exercise, o.test, o.outcome, o.points, o.message "
                       "FROM outcomes o JOIN attempts a ON a.id = o.attempt ORDER BY 1, 2, 4"),
            (out / "gradebook.csv").read_text())


def csv_rows(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def first_run(bulk, tmp_path_factory):
    out = tmp_path_factory.mktemp("grades")
    began = time.monotonic()
    stdout = grade(bulk, out)
    return out, stdout, time.monotonic() - began


def test_a_zip_of_30_submissions_fills_the_gradebook_dashboard_and_exports(first_run):
    out, stdout, _ = first_run
    assert stdout.startswith("Graded 10 submissions")
    assert "20 earlier attempt(s) recorded, not counted" in stdout
    assert "2 file(s) unmatched" in stdout and "hw1_submissions.zip:hw1 (final).ipynb" in stdout
    assert "hw1_submissions.zip:../outside.ipynb: a path with '..', outside the extraction folder" in stdout
    assert "hw1_submissions.zip:instructions.pdf: not a notebook (*.ipynb)" in stdout
    assert query(out, "SELECT count(*), count(result) FROM attempts") == [(30, 10)]
    assert not list(out.parent.glob("outside.ipynb")) and not (out / "outside.ipynb").exists()
    rows = {r["student"]: r for r in csv_rows(out / "gradebook.csv")}
    assert len(rows) == STUDENTS
    assert [rows[s]["total"] for s in ("1001", "1002", "1007", "hw1_final")] == ["2", "2", "2", "2"]
    assert rows["1004"]["total"] == "1.6" and rows["1004"]["days_late"] == "2"          # 20% off 2
    assert rows["2020123456"]["total"] == "1.4" and rows["2020123456"]["days_late"] == "3"
    swapped = float(rows["1003"]["score_before_penalty"])
    assert 0 < swapped < 2 and float(rows["1003"]["total"]) == pytest.approx(swapped * 0.9)
    assert rows["1005"]["total"] == "0" and rows["1005"]["errors"] == "1"
    assert rows["1007"]["attempts"] == "6"
    hanfa = json.loads((out / "1006" / "result.json").read_text())
    messages = [t["message"] for e in hanfa["exercises"] for t in e["tests"]]
    assert messages and all("raised ValueError: not done yet" in m for m in messages)
    index = (out / "index.html").read_text()
    for element in ('id="histogram"', 'id="most-failed"', 'id="runtime"', 'table id="late"', 'id="errored"',
                    'id="unmatched"', 'id="refused"', 'href="1004/report.html"'):
        assert element in index
    assert "Late: 2 days, −20%." in (out / "1004" / "report.html").read_text()
    assert "The learning platform marked this file late" in (out / "1003" / "report.html").read_text()

    grader("export", "--format", "canvas", "--out", out)
    canvas_rows = list(csv.reader((out / "exports" / "canvas.csv").open()))
    assert canvas_rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "hw1"]
    assert len(canvas_rows) == 2 + 8          # unmatched files are left out
    grader("export", "--format", "csv", "--out", out)
    assert len(csv_rows(out / "exports" / "grades.csv")) == STUDENTS


def test_a_second_run_grades_nothing(first_run, bulk):
    out, _, _ = first_run
    before = query(out, "SELECT id, graded_at, result FROM attempts ORDER BY id")
    stdout = grade(bulk, out)
    assert stdout.startswith("Graded 0 submissions") and "(10 unchanged, not regraded)" in stdout
    assert query(out, "SELECT id, graded_at, result FROM attempts ORDER BY id") == before


def test_a_run_killed_half_way_and_restarted_ends_like_an_uninterrupted_one(first_run, bulk, tmp_path):
    out, _, _ = first_run
    cut = tmp_path / "grades"
    proc = subprocess.Popen([str(BIN / "grade"), str(bulk), "--out", str(cut), *OPTIONS],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    finished = 0
    deadline = time.monotonic() + 600
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                finished = query(cut, "SELECT count(result) FROM attempts")[0][0]
            except sqlite3.Error:   # not created yet
                finished = 0
            if finished >= 2:
                break
            time.sleep(0.1)
    finally:
        family = [proc.pid, *(p.pid for p in psutil.Process(proc.pid).children(recursive=True))]
        os.killpg(proc.pid, signal.SIGKILL)     # the command and its workers, as a power cut would
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    kept = query(cut, "SELECT count(*), count(result) FROM attempts")[0]
    assert kept[0] == 30 and 2 <= kept[1] < 10, kept
    assert left_by(family), "the killed workers left no cgroup or runtime folder to remove"
    stdout = grade(bulk, cut)
    assert left_by(family) == []   # the next run removed them
    assert stdout.startswith(f"Graded {10 - kept[1]} submissions") and f"({kept[1]} unchanged" in stdout
    assert snapshot(cut) == snapshot(out)
    assert query(cut, "SELECT count(*) FROM (SELECT student, content_hash FROM attempts "
                      "GROUP BY 1, 2 HAVING count(*) > 1)") == [(0,)]


def test_manual_scores_go_out_as_csv_and_come_back(first_run):
    out, _, _ = first_run
    assert "blank answer(s) are not listed" in grader("manual", "export", "--out", out)
    rows = csv_rows(out / "manual" / "answers.csv")
    answers = {r["student"]: r["answer"] for r in rows if r["exercise"] == FREE}
    assert len(answers) == STUDENTS - 1 and "1005" not in answers      # the notebook that is not JSON has none
    assert all(a.startswith("Shapes align from the right") for a in answers.values())
    assert "reference answer" in (out / "manual" / "index.html").read_text().lower()
    for r in rows:
        r["score"] = (f"{FREE_POINTS:g}" if r["student"] != "1003" else f"{FREE_POINTS / 2:g}") \
            if r["exercise"] == FREE else ""
    filled = out / "scores.csv"
    with filled.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    before = {r["student"]: r for r in csv_rows(out / "gradebook.csv")}
    stdout = grader("manual", "import", filled, "--out", out)
    assert stdout.startswith(f"Imported {STUDENTS - 1} manual score(s)")
    after = {r["student"]: r for r in csv_rows(out / "gradebook.csv")}
    assert float(after["1001"]["total"]) == float(before["1001"]["total"]) + FREE_POINTS
    parkcy = float(before["1003"]["score_before_penalty"]) + FREE_POINTS / 2
    assert float(after["1003"]["total"]) == pytest.approx(parkcy * 0.9)
    assert after["1001"][FREE] == f"{FREE_POINTS:g}" and float(after["1001"]["pending_manual"]) == \
        float(before["1001"]["pending_manual"]) - FREE_POINTS
    report = (out / "1001" / "report.html").read_text()
    assert f"Is the 3-D result what you expected? — {FREE_POINTS:g} / {FREE_POINTS:g}" in report
    grader("manual", "export", out)                  # the folder may also be given as an argument
    again = {r["student"]: r["score"] for r in csv_rows(out / "manual" / "answers.csv") if r["exercise"] == FREE}
    assert again["1001"] == f"{FREE_POINTS:g}" and again["1003"] == f"{FREE_POINTS / 2:g}"
    grader("export", "--format", "canvas", "--out", out)
    canvas_scores = {r[2]: r[5] for r in csv.reader((out / "exports" / "canvas.csv").open())}
    assert float(canvas_scores["1001"]) == float(after["1001"]["total"])
