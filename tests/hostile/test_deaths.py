"""Kernel deaths and the whole-submission deadline, graded for real (notebooks made by
tests/hostile/make_notebooks.py in notebooks/deaths/).

A function whose call kills the kernel costs exactly what a function that raises costs; one
that ignores its interrupt fails its own tests and nothing else; a cell that stops the kernel
after reporting success is found and not replayed; one deadline (``notebook_timeout``)
covers cells, replays and checks.
"""
from __future__ import annotations

import shutil

import pytest

from tests.hostile.make_notebooks import HERE

FOLDER = HERE / "deaths"
ONLY = ("compare", "broadcast_shape", "add_into", "softmax", "cross_entropy", "softmax_regression_scratch")
LIMITS = dict(cell_timeout=15, call_timeout=3, memory_mb=1500, processes=64, kernel_restarts=2,
              notebook_timeout=300)
DEADLINE = 40
FULL = {"compare": 2, "broadcast_shape": 3, "add_into": 2, "softmax": 5, "cross_entropy": 3}


def _graded(grade, tmp_path_factory, names, **limits):
    folder = tmp_path_factory.mktemp("deaths")
    for name in names:
        shutil.copy(FOLDER / f"{name}.ipynb", folder / f"{name}.ipynb")
    results, _, _ = grade([folder], only=ONLY, **limits)
    return results


@pytest.fixture(scope="module")
def deaths(grade, tmp_path_factory):
    return _graded(grade, tmp_path_factory, ["softmax_exits", "softmax_raises", "exits_after_reporting_ok",
                                             "softmax_ignores_interrupts"], **LIMITS)


@pytest.fixture(scope="module")
def deadline(grade, tmp_path_factory):
    return _graded(grade, tmp_path_factory, ["sleeps_in_every_call", "dies_after_slow_cells"],
                   **dict(LIMITS, notebook_timeout=DEADLINE))


def scores(result):
    return {e.id: e.score for e in result.exercises if e.id in ONLY}


def failed(result, exercise):
    return [t.message for e in result.exercises if e.id == exercise for t in e.tests if t.outcome != "passed"]


def test_a_function_that_kills_the_kernel_costs_what_one_that_raises_costs(deaths):
    exits, raises = deaths["softmax_exits"], deaths["softmax_raises"]
    assert scores(exits) == scores(raises)
    assert {k: v for k, v in scores(exits).items() if k in FULL} == dict(FULL, softmax=0)
    assert failed(exits, "softmax")[0].startswith("the kernel died while running `softmax`")
    assert exits.errors == () and not exits.grader_fault


def test_a_function_that_ignores_its_interrupt_fails_its_own_tests_and_the_kernel_comes_back(deaths):
    r = deaths["softmax_ignores_interrupts"]
    messages = failed(r, "softmax")
    assert messages[0] == "`softmax` did not finish within 3 s and was stopped", messages
    assert all("did not stop when interrupted" in m for m in messages[1:]), messages
    # The wedged kernel was replaced: cross_entropy, after softmax in the tests, still counts.
    assert {k: v for k, v in scores(r).items() if k in FULL} == dict(FULL, softmax=0)
    assert r.errors == () and not r.grader_fault


def test_a_cell_that_stops_the_kernel_after_reporting_success_is_not_replayed(deaths):
    r = deaths["exits_after_reporting_ok"]
    assert r.cells[1].status == "died" and "left out of later replays" in r.cells[1].error["message"]
    assert [c.status for c in r.cells[3:]] == ["ok", "ok"]
    assert {k: v for k, v in scores(r).items() if k in FULL} == FULL


def test_one_deadline_covers_the_cells_and_the_checks(deadline):
    r = deadline["sleeps_in_every_call"]
    assert r.timing["execute"] + r.timing["tests"] < DEADLINE + 8
    messages = [m for e in ONLY for m in failed(r, e)]
    late = f"not run: the submission used up its {DEADLINE} s for cells and checks (notebook_timeout)"
    assert late in messages and 0 < r.score
    assert all(m == late or "did not finish" in m or "not defined" in m for m in messages), messages


def test_replays_after_a_death_stay_within_the_deadline(deadline):
    r = deadline["dies_after_slow_cells"]
    assert r.timing["execute"] + r.timing["tests"] < DEADLINE + 8
    assert r.cells[3].status == "died"
    assert any("no time left" in w for w in r.warnings), r.warnings
