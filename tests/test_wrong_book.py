"""hw1-book, judged in this process against the globals a book-following notebook really leaves
(tests/notebooks/hw1_book_complete.ipynb run here, section by section): the notebook earns
every test, the assignment's declarations agree with its tests, every kept wrong version of
a book name or of a section's state (tests/wrong_book/) loses exactly its tests with a
message a student can act on, and every test is caught by at least one of them.
"""
from __future__ import annotations

import importlib
import pkgutil
import shutil
import sys
from collections import defaultdict

import pytest

import tests.wrong_book
from grader.assignment import load_assignment
from grader.judge.local import NamespaceLink
from grader.judge.plugin import run_tests
from tests.wrong_book import book_link, library_fit_epoch, restored_d2l, run_here

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ASSIGNMENT = load_assignment("hw1-book")
RAW = [e for part in sorted((ASSIGNMENT.root / "exercises").glob("*.toml"))
       for e in tomllib.loads(part.read_text(encoding="utf-8")).get("exercises", [])]
TOPICS = sorted(m.name for m in pkgutil.iter_modules(tests.wrong_book.__path__))
MISTAKES = [(topic, m) for topic in TOPICS
            for m in importlib.import_module(f"tests.wrong_book.{topic}").MISTAKES]



@pytest.fixture(scope="module")
def book():
    """The complete notebook run here; d2l's classes are restored and its scratch folder removed
    when the module's tests end."""
    with restored_d2l():
        run = run_here()
        yield run
    shutil.rmtree(run.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def book_outcomes(book):
    outcomes, problems = run_tests(ASSIGNMENT, book_link(book))
    assert problems == []
    return outcomes


def test_the_book_notebook_runs_cleanly_here(book):
    assert book.errors == {}
    assert list(book.snapshots) == ["2.1", "2.2", "2.3", "2.5", "3.1", "3.2", "3.4", "4.1", "4.2", "4.3",
                                    "4.4", "5.1", "5.2", "5.3"]


def test_the_book_notebook_passes_every_test(book_outcomes):
    failing = [(o.name, o.message) for o in book_outcomes if o.outcome != "passed"]
    assert failing == []


def test_declared_points_equal_the_tests_points(book_outcomes):
    per_exercise = defaultdict(float)
    for o in book_outcomes:
        per_exercise[o.exercise] += o.max_points
    declared = {e.id: e.points for e in ASSIGNMENT.exercises if not e.manual}
    assert {k: pytest.approx(v) for k, v in per_exercise.items()} == declared


def test_an_empty_notebook_scores_nothing(monkeypatch):
    from d2l import torch as d2l
    monkeypatch.setattr(d2l.Trainer, "fit_epoch", library_fit_epoch())   # as a fresh kernel's d2l
    outcomes, problems = run_tests(ASSIGNMENT, NamespaceLink({}))
    assert problems == []
    assert [o.name for o in outcomes if o.outcome == "passed"] == []


def test_declarations_are_complete():
    sections = {"2.1", "2.2", "2.3", "2.4", "2.5", "3.1", "3.2", "3.4", "4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3"}
    assert {e.section for e in ASSIGNMENT.exercises} == sections
    free = [e for e in RAW if e["kind"] == "F"]
    assert {e["section"] for e in free} == sections                         # one per section
    assert [e["id"] for e in free if not (e.get("answer") and e.get("rubric") and e.get("collect"))] == []
    assert [e["id"] for e in RAW if e.get("optional") and e["kind"] == "F"] == []
    assert [n for n, t in ASSIGNMENT.tolerances.items() if not t.why.strip()] == []
    assert [e.id for e in ASSIGNMENT.exercises if not e.manual and not e.module] == []


def test_hw1_book_runs_in_hw1s_environment():
    assert ASSIGNMENT.environment == load_assignment("hw1").environment
    assert ASSIGNMENT.limits == load_assignment("hw1").limits


@pytest.mark.parametrize("topic,mistake", MISTAKES, ids=[f"{t}:{m.name}" for t, m in MISTAKES])
def test_mistake_fails_exactly_its_tests(book, topic, mistake):
    """Every check of the mistake's section runs: a wrong name may cost checks of other exercises
    that use it (a wrong SGD fails the training-step checks too), and only those."""
    section = ASSIGNMENT.exercise(mistake.exercise).section
    exercises = [e.id for e in ASSIGNMENT.exercises if e.section == section and not e.manual]
    outcomes, problems = run_tests(ASSIGNMENT, book_link(book, replace=mistake.replace, section=section),
                                   exercises=exercises)
    assert problems == []
    failed = {o.name: o for o in outcomes if o.outcome != "passed"}
    assert set(failed) == set(mistake.fails)
    for outcome in failed.values():
        assert outcome.outcome == "failed", outcome.message
        assert outcome.message and "assert " not in outcome.message
    if mistake.message:
        assert any(mistake.message in o.message for o in failed.values()), [o.message for o in failed.values()]


def test_every_test_is_caught_by_some_mistake(book_outcomes):
    caught = set().union(*(m.fails for _, m in MISTAKES))
    assert sorted(o.name for o in book_outcomes if o.name not in caught) == []


def test_every_automatic_exercise_has_a_kept_mistake():
    automatic = {e.id for e in ASSIGNMENT.exercises if not e.manual}
    assert automatic - {m.exercise for _, m in MISTAKES} == set()
