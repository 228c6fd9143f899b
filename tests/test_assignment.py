"""The assignment file and its tests agree, and the reference solutions earn full marks."""
from __future__ import annotations

from collections import defaultdict

import pytest

from grader.judge.local import NamespaceLink, reference_link
from grader.judge.plugin import run_tests
from grader.assignment import load_assignment

ASSIGNMENT = load_assignment("hw1")


@pytest.fixture(scope="module")
def reference_outcomes():
    outcomes, problems = run_tests(ASSIGNMENT, reference_link(ASSIGNMENT))
    assert problems == []
    return outcomes


def test_reference_solutions_pass_every_test(reference_outcomes):
    failing = [(o.name, o.message) for o in reference_outcomes if o.outcome != "passed"]
    assert failing == []


def test_declared_points_equal_the_tests_points(reference_outcomes):
    per_exercise = defaultdict(float)
    for o in reference_outcomes:
        per_exercise[o.exercise] += o.max_points
    declared = {e.id: e.points for e in ASSIGNMENT.exercises if not e.manual}
    assert {k: pytest.approx(v) for k, v in per_exercise.items()} == declared


def test_an_empty_notebook_scores_nothing():
    outcomes, problems = run_tests(ASSIGNMENT, NamespaceLink({}))
    assert problems == []
    assert [o.name for o in outcomes if o.outcome == "passed"] == []
    missing = [o for o in outcomes if "is not defined in the notebook" in o.message]
    assert len(missing) >= len([e for e in ASSIGNMENT.exercises if not e.manual])


def test_every_tolerance_states_why():
    assert [n for n, t in ASSIGNMENT.tolerances.items() if not t.why.strip()] == []


def test_free_response_items_have_reference_answers():
    assert [e.id for e in ASSIGNMENT.exercises if e.manual and not e.answer.strip()] == []


def test_every_exercise_has_public_and_hidden_tests(reference_outcomes):
    automatic = {e.id for e in ASSIGNMENT.exercises if not e.manual}
    public = {o.exercise for o in reference_outcomes if o.public}
    hidden = {o.exercise for o in reference_outcomes if not o.public}
    assert automatic - public == set()
    assert automatic - hidden == set()


def test_public_tests_do_not_need_the_reference_solutions():
    """Students run the public tests without reference/ (it stays with the instructor)."""
    import ast
    offenders = []
    for path in sorted(ASSIGNMENT.public_dir.glob("test_*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and any(a.arg == "reference" for a in node.args.args):
                offenders.append(f"{path.name}::{node.name}")
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", "") or ""]
                if any(n.split(".")[0] == "reference" for n in names):
                    offenders.append(f"{path.name}: imports reference")
    assert offenders == []
