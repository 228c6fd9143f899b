"""Names are resolved as of the end of each test's book section.

The book defines `f` twice: f(x) = 3x² − 4x in 2.4 and the control-flow example in 2.5. A
notebook that follows the book ends with 2.5's `f`, and must still get full marks for 2.4's.
"""
from __future__ import annotations

import pytest
import torch

from grader.judge.bridge import Student
from grader.judge.local import NamespaceLink, reference_link
from grader.judge.plugin import run_tests
from grader.judge.solutions import reference_namespace
from grader.assignment import load_assignment

ASSIGNMENT = load_assignment("hw1")
BOTH_F = ["f_calculus", "f_control_flow"]


def test_each_section_sees_its_own_f():
    link = reference_link(ASSIGNMENT)
    assert Student(link, section="2.4").f(2.0) == 4.0                       # 3·4 − 8
    assert Student(link, section="2.5").f(torch.tensor(2.0)).item() == 1024.0  # doubled past 1000
    assert Student(link).f(torch.tensor(2.0)).item() == 1024.0              # the notebook's last f


def test_code_run_for_a_section_sees_that_sections_f():
    link = reference_link(ASSIGNMENT)
    assert Student(link, section="2.4").run("numerical_lim(f, 1.0, 0.1)") == pytest.approx(2.3)
    assert Student(link, section="2.5").run("f(torch.tensor(-1.0)).item()") == -102400.0


def test_redefining_f_in_2_5_costs_no_points_in_2_4():
    outcomes, problems = run_tests(ASSIGNMENT, reference_link(ASSIGNMENT), exercises=BOTH_F)
    assert problems == []
    assert {o.exercise for o in outcomes} == set(BOTH_F)
    assert [(o.name, o.message) for o in outcomes if o.outcome != "passed"] == []


def test_without_section_snapshots_the_2_4_tests_would_see_2_5s_f():
    """The control: the same namespace without snapshots fails 2.4's f tests, so the test above
    proves something."""
    link = NamespaceLink(reference_namespace(ASSIGNMENT))
    outcomes, _ = run_tests(ASSIGNMENT, link, exercises=BOTH_F)
    failed = {o.exercise for o in outcomes if o.outcome != "passed"}
    assert failed == {"f_calculus"}


def test_a_wrong_f_in_2_4_loses_only_2_4_points():
    def wrong_f(x):
        return 3 * x ** 2 + 4 * x

    link = reference_link(ASSIGNMENT, replace={"f": wrong_f}, section="2.4")
    outcomes, problems = run_tests(ASSIGNMENT, link, exercises=BOTH_F)
    assert problems == []
    failed = {o.exercise for o in outcomes if o.outcome != "passed"}
    assert failed == {"f_calculus"}
