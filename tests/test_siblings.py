"""With several local workers, the first warms up once and the others are forked from it
(grader/grading/siblings.py): they grade as a worker started on its own does, and a forked
worker that dies, or the worker it was forked from, costs only the submissions being graded
and leaves nothing on the host."""
from __future__ import annotations

import json
import queue
import threading
import time

import psutil
import pytest

from grader.grading import siblings
from grader.grading.pool import WORKER_DIED, grade_all
from grader.grading.settings import Submission
from tests.hostile.make_notebooks import TENSORS
from tests.leftover_names import left_by
from tests.test_executor import ASSIGNMENT, CHECKER, POLLUTER, _name, settings_for, write

DIED = (WORKER_DIED,)
SLOW = [TENSORS, "import time\ntime.sleep(600)"]


def _workers() -> tuple[psutil.Process | None, list[psutil.Process]]:
    """The first worker (this process's child) and the workers forked from it."""
    for child in psutil.Process().children():
        if "spawn_main" in _name(child):
            return child, [c for c in child.children() if "spawn_main" in _name(c)]
    return None, []


def _grading(process: psutil.Process) -> bool:
    """True once ``process`` has taken a submission (it made a kernel's cgroup or folder)."""
    return bool(left_by([process.pid]))


def _watch(until, act, seen: dict, timeout: float = 180) -> threading.Thread:
    def run() -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            first, forked = _workers()
            if first is not None and until(first, forked):
                seen.update(first=first, forked=forked, kernel_parents=_kernel_parents(first))
                time.sleep(3)   # its "start" message has left it
                act(first, forked)
                return
            time.sleep(0.5)
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _kernel_parents(process: psutil.Process) -> list[psutil.Process]:
    return [c for c in process.children() if "bwrap" in _name(c)]


@pytest.mark.timeout(400)
def test_the_workers_after_the_first_are_forked_from_it_and_start_each_submission_clean(course_env, tmp_path):
    paths = [write(tmp_path, f"{kind}{i}", [source]) for i in range(2)
             for kind, source in (("a_polluter", POLLUTER), ("b_checker", CHECKER))]
    seen: dict = {}
    watcher = _watch(lambda first, forked: forked and all(map(_grading, [first, *forked])), lambda *_: None, seen)
    results = {r.submission: r for r in grade_all([Submission(p.stem, p) for p in paths], ASSIGNMENT,
                                                  settings_for(course_env), workers=2)}
    watcher.join()
    assert len(seen["forked"]) == 1, seen
    # Both kernel parents were started by the first worker, which the forked one adopted.
    assert len(seen["kernel_parents"]) == 2, seen
    assert {r.timing["grader_worker"] for r in results.values()} == {0, 1}
    for name, result in results.items():
        assert not result.errors, (name, result.errors)
        if name.startswith("b_checker"):
            compare = next(e for e in result.exercises if e.id == "compare")
            assert compare.score == compare.max_score, name


@pytest.mark.timeout(400)
def test_a_forked_worker_that_dies_costs_only_its_own_submission(course_env, tmp_path):
    paths = [write(tmp_path, f"a_slow{i}", SLOW) for i in range(2)]
    paths += [write(tmp_path, f"b_ok{i}", [TENSORS]) for i in range(3)]
    seen: dict = {}
    watcher = _watch(lambda first, forked: forked and _grading(forked[0]), lambda _, forked: forked[0].kill(), seen)
    results = {r.submission: r for r in grade_all([Submission(p.stem, p) for p in paths], ASSIGNMENT,
                                                  settings_for(course_env), workers=2)}
    watcher.join()
    assert "forked" in seen, "the forked worker was never seen grading"
    dead = seen["forked"][0]
    assert set(results) == {p.stem for p in paths}
    assert [name for name, r in results.items() if r.errors == DIED] in (["a_slow0"], ["a_slow1"])
    for name in ("b_ok0", "b_ok1", "b_ok2"):
        compare = next(e for e in results[name].exercises if e.id == "compare")
        assert compare.score == compare.max_score
    # Its kernels' cgroups and folders are gone, and so is the kernel parent it adopted.
    assert left_by([dead.pid]) == []
    assert not any(map(_alive, seen["kernel_parents"]))


@pytest.mark.timeout(400)
def test_when_the_first_worker_dies_the_forked_ones_go_with_it_and_the_rest_is_graded(course_env, tmp_path):
    paths = [write(tmp_path, f"a_slow{i}", SLOW) for i in range(2)]
    paths += [write(tmp_path, f"b_ok{i}", [TENSORS]) for i in range(2)]
    seen: dict = {}
    # The first worker takes its first submission as the forked one does (3 s are left for it).
    watcher = _watch(lambda first, forked: forked and _grading(forked[0]), lambda first, _: first.kill(), seen)
    results = {r.submission: r for r in grade_all([Submission(p.stem, p) for p in paths], ASSIGNMENT,
                                                  settings_for(course_env), workers=2)}
    watcher.join()
    assert "first" in seen, "the workers were never seen grading"
    assert set(results) == {p.stem for p in paths}
    assert results["a_slow0"].errors == DIED and results["a_slow1"].errors == DIED
    for name in ("b_ok0", "b_ok1"):
        compare = next(e for e in results[name].exercises if e.id == "compare")
        assert compare.score == compare.max_score
    gone = [seen["first"], *seen["forked"], *seen["kernel_parents"]]
    assert left_by([p.pid for p in gone]) == []
    assert not any(map(_alive, gone))


def _fork_and_settle(tmp_path, monkeypatch, *, count: int, settle, reads: set[int]):
    """fork_siblings in this process (no kernel parents): each forked worker in ``reads``
    notes when it started and what its first tests would get; the others end at once."""
    monkeypatch.setattr(siblings, "settle", settle)

    def serve(worker_id, shared):
        if worker_id in reads:
            began = time.monotonic()
            got = shared.judge.wait()
            (tmp_path / f"worker{worker_id}.json").write_text(json.dumps(
                {"began": began, "tests": None if got is None else sorted(got.tests),
                 "version": None if got is None else got.version}))

    died: queue.Queue = queue.Queue()
    shared, forked = siblings.fork_siblings(0, count, ASSIGNMENT, None, warm=False, serve=serve, results=died)
    mine = shared.judge.wait()
    forked.wait()
    assert died.empty()
    return mine, {w: json.loads((tmp_path / f"worker{w}.json").read_text()) for w in reads}


@pytest.mark.timeout(120)
def test_forked_workers_start_before_the_tests_are_settled_and_get_the_first_workers_settled_tests(
        tmp_path, monkeypatch):
    settled_at, settle = [], siblings.settle

    def slow(assignment, memo):
        time.sleep(2)
        made = settle(assignment, memo)
        settled_at.append(time.monotonic())
        return made
    # Worker 1 ends without reading what was sent to it: worker 2 still gets its copy.
    mine, seen = _fork_and_settle(tmp_path, monkeypatch, count=3, settle=slow, reads={2})
    assert mine is not None and len(mine.tests) > 100
    assert seen[2]["began"] < settled_at[0]   # it did not wait for the settling to start
    assert seen[2]["tests"] == sorted(mine.tests) and seen[2]["version"] == mine.version


@pytest.mark.timeout(120)
def test_when_the_tests_cannot_be_settled_every_worker_runs_them_all(tmp_path, monkeypatch):
    mine, seen = _fork_and_settle(tmp_path, monkeypatch, count=2, settle=lambda assignment, memo: None,
                                  reads={1})
    assert mine is None and seen[1]["tests"] is None
