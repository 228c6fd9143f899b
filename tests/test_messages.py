"""What a test says about a student's code is bounded and never quotes the code the grader
sent into the kernel, whatever the notebook puts in its exceptions and objects."""
from __future__ import annotations

import inspect

import torch

from grader.assignment import load_assignment
from grader.bookcode import CLASSIFIER_ACCURACY
from grader.errors import MissingNameError, StudentError, StudentTraceback, WireError
from grader.judge import bridge, plugin
from grader.judge.local import NamespaceLink, reference_link
from grader.judge.plugin import run_tests

ASSIGNMENT = load_assignment("hw1")


def _code_of_the_caller() -> str:
    """What a hostile notebook does: find the grader's request among the callers' frames."""
    frame = inspect.currentframe()
    while frame is not None:
        request = frame.f_locals.get("request")
        if isinstance(request, dict) and "code" in request:
            return request["code"]
        frame = frame.f_back
    return "no code found"


class ReturnsTheCheckCode:
    def accuracy(self, Y_hat, Y, averaged=True):
        raise ValueError(_code_of_the_caller())


def test_a_message_never_quotes_the_code_a_test_sent():
    link = reference_link(ASSIGNMENT, replace={"Classifier": ReturnsTheCheckCode}, section="4.3")
    outcomes, problems = run_tests(ASSIGNMENT, link, exercises=["accuracy"])
    assert problems == []
    failed = [o for o in outcomes if o.outcome == "failed"]
    assert failed and len(failed) == len(outcomes)
    for o in failed:
        assert CLASSIFIER_ACCURACY.strip() not in o.message + " ".join(o.traceback)
        assert o.message.endswith("raised ValueError: [grader code]"), o.message


def test_short_lines_of_kernel_code_are_left_alone():
    exc = StudentError("`f`", StudentTraceback("ValueError", "import torch went wrong"))
    _, message, _ = plugin._failure(exc, sent=["import torch\nf(x)"])
    assert message == "`f` raised ValueError: import torch went wrong"


def test_a_failure_message_and_its_traceback_are_capped():
    exc = StudentError("`f`", StudentTraceback("ValueError", "x" * 50_000,
                                               tuple(f"cell line {i}: " + "y" * 1000 for i in range(20))))
    outcome, message, tb = plugin._failure(exc)
    assert outcome == "failed" and len(message) == plugin.MESSAGE_CHARS and message.endswith("...")
    assert len(tb) == plugin.TRACEBACK_LINES == 8
    assert all(len(line) == plugin.TRACEBACK_LINE_CHARS for line in tb)
    assert tb[-1].startswith("cell line 19: ")


def test_an_assertion_message_is_capped():
    _, message, _ = plugin._failure(AssertionError("z" * 10_000))
    assert len(message) == plugin.MESSAGE_CHARS


def test_what_the_kernel_says_about_an_error_is_capped():
    error = bridge._error_from({"kind": "raised", "type": "T" * 5000, "where": "w" * 5000, "message": "m" * 5000,
                                "lines": ["l" * 5000] * 50}, "f")
    assert isinstance(error, StudentError)
    assert len(error.traceback.type) == bridge.TYPE_CHARS
    assert len(error.traceback.message) == 600
    assert len(error.traceback.lines) == bridge.TRACEBACK_LINES
    assert all(len(line) == bridge.LINE_CHARS for line in error.traceback.lines)
    missing = bridge._error_from({"kind": "missing", "name": "n" * 5000}, "f")
    assert isinstance(missing, MissingNameError) and len(missing.name) == bridge.NAME_CHARS
    wire = bridge._error_from({"kind": "wire", "message": "w" * 5000}, "f")
    assert isinstance(wire, WireError) and len(str(wire)) < 700


class _Long:
    def __repr__(self) -> str:
        return "r" * 5000


def test_a_kept_objects_type_name_and_repr_are_capped():
    named = type("N" * 5000, (_Long,), {})
    student = bridge.Student(NamespaceLink({"thing": named()}), timeout=5)
    ref = student.value("thing")
    assert isinstance(ref, bridge.Ref)
    assert len(ref.type_name) <= bridge.TYPE_CHARS and len(ref.text) <= bridge.REPR_CHARS


def test_a_caps_own_limits_leave_ordinary_values_alone():
    student = bridge.Student(NamespaceLink({"X": torch.ones(2)}), timeout=5)
    assert torch.equal(student.value("X"), torch.ones(2))
