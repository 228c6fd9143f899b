"""Every kept wrong implementation loses exactly the tests it is about, with a message a
student can act on; every hidden test is caught failing by at least one of them.

These run the real pytest judge and the real bridge agent in-process (no kernel), so the
whole catalogue stays fast.
"""
from __future__ import annotations

import importlib
import pkgutil

import pytest

import tests.wrong
from grader.judge.local import reference_link
from grader.judge.plugin import run_tests
from grader.assignment import load_assignment

ASSIGNMENT = load_assignment("hw1")
TOPICS = sorted(m.name for m in pkgutil.iter_modules(tests.wrong.__path__) if m.name != "show")
MISTAKES = [(topic, m) for topic in TOPICS
            for m in importlib.import_module(f"tests.wrong.{topic}").MISTAKES]


def _failures(mistake):
    exercise = ASSIGNMENT.exercise(mistake.exercise)
    link = reference_link(ASSIGNMENT, replace=mistake.replace, section=exercise.section)
    outcomes, problems = run_tests(ASSIGNMENT, link, exercises=[mistake.exercise])
    assert not problems, problems
    return {o.name: o for o in outcomes if o.outcome != "passed"}, outcomes


@pytest.mark.parametrize("topic,mistake", MISTAKES, ids=[f"{t}:{m.name}" for t, m in MISTAKES])
def test_mistake_fails_exactly_its_tests(topic, mistake):
    failed, outcomes = _failures(mistake)
    assert set(failed) == set(mistake.fails)
    lost = sum(o.max_points for o in outcomes if o.name in mistake.fails)
    earned = sum(o.points for o in outcomes)
    assert earned == pytest.approx(sum(o.max_points for o in outcomes) - lost)
    for outcome in failed.values():
        assert outcome.outcome == "failed", outcome.message
        assert outcome.message and "assert " not in outcome.message
        if mistake.message:
            assert any(mistake.message in o.message for o in failed.values())


def test_every_graded_test_is_caught_by_some_mistake():
    link = reference_link(ASSIGNMENT)
    outcomes, _ = run_tests(ASSIGNMENT, link)
    covered_exercises = {m.exercise for _, m in MISTAKES}
    caught = set().union(*(m.fails for _, m in MISTAKES))
    uncaught = sorted(o.name for o in outcomes
                      if o.exercise in covered_exercises and o.name not in caught)
    assert uncaught == []


def test_every_automatic_exercise_has_a_kept_mistake():
    automatic = {e.id for e in ASSIGNMENT.exercises if not e.manual}
    assert automatic - {m.exercise for _, m in MISTAKES} == set()
