"""Verdicts do not depend on machine load: the exercises whose verdicts once came from a
clock or from code watching in the kernel give the very same outcomes, test by test and
word for word, while every core is kept busy, for the reference solutions and for every
kept wrong implementation of them. In-process, like tests/test_wrong_implementations.py."""
from __future__ import annotations

import importlib
import multiprocessing
import os

import pytest

from grader.assignment import load_assignment
from grader.judge.local import reference_link
from grader.judge.plugin import run_tests

ASSIGNMENT = load_assignment("hw1")
EXERCISES = ("vectorization", "add_into", "transpose", "frobenius_norm", "l2_norm", "matvec", "matmul",
             "sin_derivative", "reading_time")
MISTAKES = [m for topic in ("linreg_basics", "tensors", "linalg", "autograd", "fashion_mnist")
            for m in importlib.import_module(f"tests.wrong.{topic}").MISTAKES if m.exercise in EXERCISES]


def _spin(stop) -> None:
    while not stop.is_set():
        sum(i * i for i in range(10_000))


def _outcomes() -> dict[str, list[tuple[str, str, str]]]:
    """Outcome and message of every test of EXERCISES, for the reference and each mistake."""
    runs = {"reference": reference_link(ASSIGNMENT)}
    for m in MISTAKES:
        runs[m.name] = reference_link(ASSIGNMENT, replace=m.replace, section=ASSIGNMENT.exercise(m.exercise).section)
    found = {}
    for name, link in runs.items():
        outcomes, problems = run_tests(ASSIGNMENT, link, exercises=EXERCISES)
        assert problems == []
        found[name] = [(o.name, o.outcome, o.message) for o in outcomes]
    return found


@pytest.fixture(scope="module")
def quiet():
    return _outcomes()


def test_verdicts_are_the_same_while_every_core_is_busy(quiet):
    stop = multiprocessing.Event()
    spinners = [multiprocessing.Process(target=_spin, args=(stop,), daemon=True)
                for _ in range(os.cpu_count() or 1)]
    for p in spinners:
        p.start()
    try:
        loaded = _outcomes()
    finally:
        stop.set()
        for p in spinners:
            p.join(timeout=5)
            if p.is_alive():
                p.kill()
    assert loaded == quiet


def test_the_runs_cover_passing_and_failing_verdicts(quiet):
    assert len(MISTAKES) >= 15
    assert all(outcome == "passed" for _, outcome, _ in quiet["reference"])
    failing = {name for name, outcomes in quiet.items() if any(o != "passed" for _, o, _ in outcomes)}
    assert failing == {m.name for m in MISTAKES}
