"""Grading on a Dask cluster on loopback: one worker killed mid-batch (every submission is
still graded, and each result arrives exactly once), a worker of two threads (it grades as a
local worker does), and a worker that grades a later batch after the tests were edited."""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import psutil
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.grading.cluster import grade_on_cluster
from grader.grading.pool import grade_all
from grader.grading.settings import GradeSettings, Submission
from grader.grading.submission import FORKED_NOTE
from grader.assignment import ASSIGNMENTS_DIR, load_assignment, parse_assignment
from tests.hostile.make_notebooks import TENSORS

ASSIGNMENT = load_assignment("hw1")
DASK = Path(sys.executable).parent / "dask"


@contextlib.contextmanager
def running_cluster(tmp_path: Path, *, workers: int, threads: int):
    """A scheduler and ``workers`` worker processes of ``threads`` threads each, on loopback."""
    info = tmp_path / "scheduler.json"
    env = dict(os.environ, DASK_DISTRIBUTED__WORKER__DAEMON="False")
    procs = [subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0",
                               "--no-dashboard", "--scheduler-file", str(info)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)]
    deadline = time.monotonic() + 60
    while not info.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    started = []
    for _ in range(workers):
        started.append(subprocess.Popen(
            [str(DASK), "worker", "--scheduler-file", str(info), "--nthreads", str(threads), "--no-nanny",
             "--no-dashboard", "--host", "127.0.0.1", "--memory-limit", "0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True))
    procs += started
    try:
        address = json.loads(info.read_text())["address"]
        from distributed import Client
        with Client(address, timeout=30) as client:
            client.wait_for_workers(workers, timeout=60)
        yield address, started
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture
def cluster(tmp_path):
    with running_cluster(tmp_path, workers=2, threads=1) as running:
        yield running


def test_a_killed_worker_loses_nothing_and_duplicates_nothing(cluster, course_env, tmp_path):
    address, workers = cluster
    subs = []
    for i in range(4):
        nb = new_notebook(cells=[new_code_cell(TENSORS), new_code_cell("import time\ntime.sleep(20)")])
        path = tmp_path / f"student{i}.ipynb"
        nbformat.write(nb, path)
        subs.append(Submission(path.stem, path))
    settings = GradeSettings(interpreter=course_env.interpreter, limits=ASSIGNMENT.limits,
                             exercises=("compare",))
    killed = []

    def kill_one_worker_mid_task() -> None:
        time.sleep(12)   # both workers are inside their first 20 s cell by now
        victim = psutil.Process(workers[0].pid)
        for proc in [victim, *victim.children(recursive=True)]:
            try:
                proc.kill()
            except psutil.Error:
                pass
        killed.append(victim.pid)

    threading.Thread(target=kill_one_worker_mid_task, daemon=True).start()
    results = list(grade_on_cluster(subs, ASSIGNMENT, settings, scheduler=address))
    assert killed
    assert sorted(r.submission for r in results) == ["student0", "student1", "student2", "student3"]
    for r in results:
        assert r.errors == ()
        compare = next(e for e in r.exercises if e.id == "compare")
        assert compare.score == compare.max_score


def test_an_unreachable_scheduler_is_one_clear_error(course_env, tmp_path):
    from grader.errors import GraderError
    settings = GradeSettings(interpreter=course_env.interpreter, limits=ASSIGNMENT.limits)
    with pytest.raises(GraderError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        list(grade_on_cluster([Submission("x", tmp_path / "x.ipynb")], ASSIGNMENT, settings,
                              scheduler="tcp://127.0.0.1:9"))


def outcomes(result) -> dict:
    return {(e.id, t.name): (t.outcome, t.message) for e in result.exercises for t in e.tests}


def test_a_worker_with_two_threads_grades_one_notebook_at_a_time_as_a_local_worker_does(course_env, tmp_path):
    """Dask runs a worker's tasks in threads of one process. Judged there at once, two notebooks
    lost each other's tests; each process now grades one at a time, forking kernels from a
    parent of its own, with one memo and one table of settled tests for the whole batch."""
    subs = []
    for i in range(3):
        path = tmp_path / f"student{i}.ipynb"
        nbformat.write(new_notebook(cells=[new_code_cell(TENSORS)]), path)
        subs.append(Submission(path.stem, path))
    settings = GradeSettings(interpreter=course_env.interpreter, limits=ASSIGNMENT.limits)
    local = next(grade_all(subs[:1], ASSIGNMENT, settings, workers=1))
    with running_cluster(tmp_path, workers=1, threads=2) as (address, workers):
        results = list(grade_on_cluster(subs, ASSIGNMENT, settings, scheduler=address))
        left = psutil.Process(workers[0].pid).children(recursive=True)
    expected = outcomes(local)
    assert len(expected) > 500
    assert sorted(r.submission for r in results) == ["student0", "student1", "student2"]
    for r in results:
        assert r.errors == ()
        assert outcomes(r) == expected
        assert r.score == local.score
        assert r.environment["kernel_start"] == FORKED_NOTE
        assert r.environment["tests_settled"] > 0
    # Results arrive in the order they were graded: the later ones reuse the first one's references.
    assert all(r.environment["reference_outputs"]["from_memo"] > 0 for r in results[1:])
    assert left == []   # the batch's kernel parent is gone once the batch ends


def test_a_later_batch_on_the_same_worker_is_graded_by_the_tests_as_they_are_then(course_env, tmp_path):
    """A Dask worker outlives a batch; pytest and the reference solutions reuse what a process
    has imported, so without a fresh import an edit to the tests would never reach it."""
    root = tmp_path / "assignments" / "hw1"
    shutil.copytree(ASSIGNMENTS_DIR / "hw1", root)
    path = tmp_path / "student.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(TENSORS)]), path)
    settings = GradeSettings(interpreter=course_env.interpreter, limits=ASSIGNMENT.limits, exercises=("compare",))
    test = "hidden/test_tensors::test_compare_returns_booleans"
    with running_cluster(tmp_path, workers=1, threads=1) as (address, _):
        [before] = grade_on_cluster([Submission("student", path)], parse_assignment(root / "assignment.toml"),
                                    settings, scheduler=address)
        hidden = root / "hidden" / "test_tensors.py"
        docstring = '    """The three results are boolean tensors, as X == Y is."""\n'
        assert docstring in hidden.read_text()
        hidden.write_text(hidden.read_text().replace(
            docstring, docstring + '    require(False, "edited between the two batches")\n'))
        [after] = grade_on_cluster([Submission("student", path)], parse_assignment(root / "assignment.toml"),
                                   settings, scheduler=address)
    assert outcomes(before)[("compare", test)] == ("passed", "")
    assert outcomes(after)[("compare", test)] == ("failed", "edited between the two batches")
    assert after.score < before.score
