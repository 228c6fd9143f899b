"""Tests settled from the survey (judge/settled.py) get the verdicts running them would give,
and only tests that read nothing of the notebook but the names it lacks are settled."""
from __future__ import annotations

import dataclasses
import shutil
import sys
import threading

import pytest

from grader.assignment import ASSIGNMENTS_DIR, load_assignment, parse_assignment
from grader.errors import NotebookTimeoutError
from grader.judge.bridge import Student
from grader.judge.local import reference_link
from grader.judge.plugin import GradingPlugin, run_tests
from grader.judge.settled import settle_tests

ASSIGNMENT = load_assignment("hw1")

# Tests planted beside hw1's own tests of 2.1: each ends at `compare` when the notebook lacks
# it, but only the last one reads nothing else.
PLANTED = '''

from grader.errors import MissingNameError


@pytest.fixture(scope="module")
def shared_between_tests():
    return []


@pytest.mark.exercise("compare")
@pytest.mark.points(0.5)
def test_planted_asks_the_kernel_first(student):
    try:   # the answer decides nothing here, but the request reaches the kernel
        student.defines("planted_helper")
    except Exception:
        pass
    student.compare(1, 2)


@pytest.mark.exercise("compare")
@pytest.mark.points(0.5)
def test_planted_shares_a_fixture_with_other_tests(student, shared_between_tests):
    student.compare(1, 2)


@pytest.mark.exercise("compare")
@pytest.mark.points(0.5)
def test_planted_reads_the_source(student, source):
    student.compare(1, 2)


class TestPlantedOwnStudent:
    @pytest.fixture
    def student(self, student):
        return student

    @pytest.mark.exercise("compare")
    @pytest.mark.points(0.5)
    def test_planted_with_a_student_fixture_of_its_own(self, student):
        student.compare(1, 2)


@pytest.mark.exercise("compare")
@pytest.mark.points(0.5)
def test_planted_tries_two_names(student):
    try:
        student.broadcast_shape((3, 1), (1, 4))
    except MissingNameError:
        pass
    student.compare(1, 2)
'''


def without(link, *names):
    """The notebook behind ``link`` with ``names`` never defined."""
    for namespace in (*link.agent.snapshots.values(), link.agent.shell.user_ns):
        for name in names:
            namespace.pop(name, None)
    return link


def comparable(outcomes):
    return [dataclasses.replace(o, seconds=0.0) for o in outcomes]


@pytest.fixture
def ran(monkeypatch):
    """The ids of tests pytest set up (a settled test never is)."""
    seen = []
    setup = GradingPlugin.pytest_runtest_setup

    def counting(self, item):   # named as verdicts are: public/test_mlp::test_relu_small_example
        path, test = item.nodeid.split("::", 1)
        seen.append(f"{path.split('/')[-2]}/{path.split('/')[-1].removesuffix('.py')}::{test}")
        return setup(self, item)
    monkeypatch.setattr(GradingPlugin, "pytest_runtest_setup", counting)
    return seen


@pytest.fixture
def planted(tmp_path):
    """A copy of hw1 with PLANTED among its tests. Its test modules have the names hw1's own
    have (hw1.hidden.test_tensors), so neither may be left imported for the other."""
    root = tmp_path / "assignments" / "hw1"
    shutil.copytree(ASSIGNMENTS_DIR / "hw1", root)
    hidden = root / "hidden" / "test_tensors.py"
    hidden.write_text(hidden.read_text() + PLANTED)
    forget_test_modules()
    yield parse_assignment(root / "assignment.toml")
    forget_test_modules()


def forget_test_modules():
    for name in [n for n in sys.modules if n.split(".")[0] == "hw1"]:
        del sys.modules[name]


@pytest.mark.parametrize("lacking", [("compare",), ("compare", "broadcast_shape")], ids=["compare", "both"])
def test_only_tests_that_read_nothing_but_the_missing_names_are_settled(book_data_cwd, planted, ran, lacking):
    settled = settle_tests(planted)
    ran.clear()
    chosen = ["compare", "broadcast_shape"]
    plain, problems = run_tests(planted, without(reference_link(planted), *lacking), exercises=chosen)
    assert not problems
    ran_plain = list(ran)
    ran.clear()
    fast, _ = run_tests(planted, without(reference_link(planted), *lacking), exercises=chosen, settled=settled)
    assert comparable(fast) == comparable(plain)
    assert len(ran_plain) == len(plain) > len(ran)
    always = {f"hidden/test_tensors::{name}" for name in (
        "test_planted_asks_the_kernel_first", "test_planted_shares_a_fixture_with_other_tests",
        "test_planted_reads_the_source", "TestPlantedOwnStudent::test_planted_with_a_student_fixture_of_its_own")}
    assert always <= set(ran)
    assert "hidden/test_tensors::test_compare_returns_booleans" not in ran
    # Settled only when the notebook lacks both names the test looked up.
    assert ("hidden/test_tensors::test_planted_tries_two_names" in ran) == ("broadcast_shape" not in lacking)
    not_defined = [o for o in fast if o.message == "`compare` is not defined in the notebook"]
    assert len(not_defined) >= 10 and all(o.outcome == "failed" and o.points == 0 for o in not_defined)


def test_a_test_that_builds_its_inputs_in_the_kernel_first_is_settled_once_it_names_what_it_needs(
        book_data_cwd, ran, monkeypatch):
    """hw1's add_into tests make Z in the kernel before calling add_into; they name it first
    with student.needs, which gives the verdicts calling it gives, and then they are settled."""
    settled = settle_tests(ASSIGNMENT)
    with monkeypatch.context() as patched:
        patched.setattr(Student, "needs", lambda self, *names: None)
        called, _ = run_tests(ASSIGNMENT, without(reference_link(ASSIGNMENT), "add_into"), exercises=["add_into"])
    ran.clear()
    fast, _ = run_tests(ASSIGNMENT, without(reference_link(ASSIGNMENT), "add_into"), exercises=["add_into"],
                        settled=settled)
    assert comparable(fast) == comparable(called)
    assert len(called) >= 3 and all(o.message == "`add_into` is not defined in the notebook" for o in called)
    assert ran == []


def test_a_name_bound_to_none_is_not_settled_and_gets_its_own_message(book_data_cwd, ran):
    settled = settle_tests(ASSIGNMENT)
    ran.clear()
    link = reference_link(ASSIGNMENT, replace={"softmax": None})
    fast, problems = run_tests(ASSIGNMENT, without(link, "relu"), exercises=["softmax", "relu"], settled=settled)
    ran = list(ran)
    plain, _ = run_tests(ASSIGNMENT, without(reference_link(ASSIGNMENT, replace={"softmax": None}), "relu"),
                         exercises=["softmax", "relu"])
    assert not problems and comparable(fast) == comparable(plain)
    none = [o for o in fast if "`softmax` is None in the notebook" in o.message]
    assert none and all(o.name in ran for o in none)
    missing = [o for o in fast if o.message == "`relu` is not defined in the notebook"]
    assert len([o for o in missing if o.name not in ran]) >= 5


def test_the_check_before_each_test_runs_once_for_settled_tests_too_and_its_error_stands(book_data_cwd):
    settled = settle_tests(ASSIGNMENT)

    def grade(settled):
        calls = []

        def before_test():
            calls.append(1)
            if len(calls) > 12:   # the notebook's time runs out part-way through the tests
                raise NotebookTimeoutError("the notebook ran out of time")
        outcomes, _ = run_tests(ASSIGNMENT, without(reference_link(ASSIGNMENT), "compare", "add_into"),
                                exercises=["compare", "add_into", "broadcast_shape"], before_test=before_test,
                                settled=settled)
        return comparable(outcomes), len(calls)

    fast, plain = grade(settled), grade(None)
    assert fast == plain
    assert fast[1] == len(fast[0])
    assert any("ran out of time" in o.message for o in fast[0])
    assert any(o.message == "`compare` is not defined in the notebook" for o in fast[0])


def test_settled_tests_of_another_version_of_the_assignment_are_not_used(book_data_cwd, planted, ran):
    settled = settle_tests(planted)
    forget_test_modules()
    hw1 = settle_tests(ASSIGNMENT)
    assert settled.version != hw1.version
    ran.clear()
    run_tests(ASSIGNMENT, without(reference_link(ASSIGNMENT), "compare"), exercises=["compare"], settled=settled)
    assert "hidden/test_tensors::test_compare_returns_booleans" in ran


def test_settling_prints_nothing_and_leaves_the_streams_alone_so_it_can_run_in_a_thread(capfd):
    import warnings
    forget_test_modules()
    stdout, found = sys.stdout, []
    with warnings.catch_warnings(record=True) as caught:   # else printed on the worker's stderr
        warnings.simplefilter("always")
        warm_up = threading.Thread(target=lambda: found.append(settle_tests(ASSIGNMENT)))
        warm_up.start()
        while warm_up.is_alive():   # it never swaps the process's streams from under another thread
            assert sys.stdout is stdout
            warm_up.join(0.01)
    out, err = capfd.readouterr()
    assert (out, err, [str(w.message) for w in caught]) == ("", "", [])
    assert "hw1.hidden.test_softmax" in sys.modules
    messages = {s.verdict.message for s in found[0].tests.values()}
    assert "`softmax` is not defined in the notebook" in messages
