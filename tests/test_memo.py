"""The reference memo answers a pure reference call once per assignment version, hands out
copies, and calls everything else every time."""
from __future__ import annotations

import random
from types import ModuleType

import numpy as np
import pytest
import torch
from torch import nn

from grader.judge.local import reference_link
from grader.judge.memo import ReferenceMemo
from grader.judge.plugin import run_tests
from grader.assignment import load_assignment

ASSIGNMENT = load_assignment("hw1")


def module_of(*functions, **others) -> ModuleType:
    """A stand-in reference module holding these plain functions (and other attributes)."""
    module = ModuleType("fake_reference")
    for function in functions:
        setattr(module, function.__name__, function)
    for name, value in others.items():
        setattr(module, name, value)
    return module


def test_a_pure_call_runs_once_and_each_caller_gets_its_own_copy():
    calls = []

    def softmax(X):
        calls.append(X)
        return torch.softmax(X, dim=1)

    memo = ReferenceMemo()
    reference = memo.wrap(module_of(softmax))
    first = reference.softmax(torch.arange(6.0).reshape(2, 3))
    second = reference.softmax(torch.arange(6.0).reshape(2, 3))
    assert len(calls) == 1
    assert torch.equal(first, second) and first is not second
    assert torch.equal(first, torch.softmax(torch.arange(6.0).reshape(2, 3), dim=1))
    assert (memo.hits, memo.misses, memo.uncacheable) == (1, 1, 0)


def test_mutating_what_a_test_got_does_not_change_what_the_next_one_gets():
    def double(x):
        return 2 * x

    reference = ReferenceMemo().wrap(module_of(double))
    got = reference.double(torch.ones(3))
    got += 100
    assert torch.equal(reference.double(torch.ones(3)), torch.full((3,), 2.0))
    hit = reference.double(torch.ones(3))
    hit.zero_()
    assert torch.equal(reference.double(torch.ones(3)), torch.full((3,), 2.0))


def test_a_result_that_is_a_view_of_the_argument_is_kept_apart_from_it():
    def first_row(X):
        return X[0]

    reference = ReferenceMemo().wrap(module_of(first_row))
    X = torch.ones(2, 2)
    reference.first_row(X)
    X.zero_()
    assert torch.equal(reference.first_row(torch.ones(2, 2)), torch.ones(2))


@pytest.mark.parametrize("draw", [lambda: torch.randn(2).sum().item(), lambda: float(np.random.rand()),
                                  random.random], ids=["torch", "numpy", "random"])
def test_a_call_that_draws_random_numbers_is_never_kept(draw):
    calls = []

    def noisy(x):
        calls.append(x)
        return x + draw()

    memo = ReferenceMemo()
    reference = memo.wrap(module_of(noisy))
    values = {reference.noisy(1.0) for _ in range(3)}
    assert len(calls) == 3 and len(values) == 3
    assert (memo.hits, len(memo), memo.discarded) == (0, 0, 3)


def test_a_call_that_changes_its_argument_is_never_kept():
    calls = []

    def add_one_(X):
        calls.append(X)
        X += 1
        return X.sum()

    memo = ReferenceMemo()
    reference = memo.wrap(module_of(add_one_))
    assert reference.add_one_(torch.zeros(3)).item() == 3.0
    assert reference.add_one_(torch.zeros(3)).item() == 3.0
    assert len(calls) == 2 and len(memo) == 0 and memo.hits == 0


def test_different_values_dtypes_types_and_versions_are_different_entries():
    calls = []

    def describe(x):
        calls.append(x)
        return repr(x)

    memo = ReferenceMemo()
    module = module_of(describe)
    reference = memo.wrap(module, version="hw1 v1")
    arguments = [torch.ones(2), torch.full((2,), 2.0), torch.ones(2, dtype=torch.float64),
                 torch.ones(1, 2), torch.zeros(2), torch.zeros(2, dtype=torch.int32), 1, 1.0, True,
                 "1", (1,), [1], {"a": 1, "b": 2}, {"b": 2, "a": 1},
                 np.zeros(2, dtype=np.float32), np.zeros(2, dtype=np.int32)]
    for x in arguments:
        reference.describe(x)
    assert len(calls) == len(arguments) == len(memo)
    memo.wrap(module, version="hw1 v2").describe(torch.ones(2))
    assert len(calls) == len(arguments) + 1
    for x in arguments:
        assert reference.describe(x) == repr(x)
    assert len(calls) == len(arguments) + 1 and memo.hits == len(arguments)


def test_a_call_under_another_default_dtype_is_another_entry():
    def zeros(n):
        return torch.zeros(n)

    reference = ReferenceMemo().wrap(module_of(zeros))
    assert reference.zeros(2).dtype == torch.float32
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        assert reference.zeros(2).dtype == torch.float64
    finally:
        torch.set_default_dtype(before)
    assert reference.zeros(2).dtype == torch.float32


def test_the_same_tensor_twice_is_not_the_same_call_as_two_equal_tensors():
    calls = []

    def same(a, b):
        calls.append(a)
        return a is b

    reference = ReferenceMemo().wrap(module_of(same))
    x = torch.ones(2)
    assert reference.same(x, x) is True
    assert reference.same(x, torch.ones(2)) is False
    assert len(calls) == 2


@pytest.mark.parametrize("argument", [lambda x: x, nn.Linear(2, 2), torch.ones(2, requires_grad=True),
                                      object()], ids=["lambda", "module", "requires-grad", "object"])
def test_arguments_that_are_not_plain_data_are_passed_through_every_time(argument):
    calls = []

    def identity(x):
        calls.append(x)
        return x

    memo = ReferenceMemo()
    reference = memo.wrap(module_of(identity))
    assert reference.identity(argument) is argument
    assert reference.identity(argument) is argument
    assert len(calls) == 2
    assert (memo.uncacheable, memo.hits, memo.misses, len(memo)) == (2, 0, 0, 0)


def test_a_path_to_an_existing_file_is_not_a_key(tmp_path):
    def read(path):
        with open(path) as f:
            return f.read()

    memo = ReferenceMemo()
    reference = memo.wrap(module_of(read))
    path = tmp_path / "house.csv"
    path.write_text("a")
    assert reference.read(str(path)) == "a"
    path.write_text("b")
    assert reference.read(str(path)) == "b"
    assert memo.uncacheable == 2


def test_a_result_with_autograd_history_is_not_kept():
    w = torch.ones(2, requires_grad=True)

    def scale(x):
        return w * x

    memo = ReferenceMemo()
    reference = memo.wrap(module_of(scale))
    for _ in range(2):
        result = reference.scale(torch.ones(2))
        assert result.grad_fn is not None
        result.sum().backward()
    assert torch.equal(w.grad, torch.full((2,), 2.0))
    assert len(memo) == 0 and memo.discarded == 2


def test_exceptions_propagate_and_are_not_kept():
    calls = []

    def square_only(A):
        calls.append(A)
        if A.shape[0] != A.shape[1]:
            raise ValueError("A + A.T needs a square matrix")
        return A + A.T

    memo = ReferenceMemo()
    reference = memo.wrap(module_of(square_only))
    for _ in range(2):
        with pytest.raises(ValueError, match="square matrix"):
            reference.square_only(torch.ones(2, 3))
    assert len(calls) == 2 and len(memo) == 0


def test_classes_modules_and_constants_pass_through():
    class Classifier:
        pass

    def softmax(X):
        return X

    module = module_of(softmax, Classifier=Classifier, torch=torch, NUM_CLASSES=10)
    reference = ReferenceMemo().wrap(module)
    assert reference.Classifier is Classifier
    assert reference.torch is torch
    assert reference.NUM_CLASSES == 10
    assert reference.softmax is not softmax and reference.softmax.__wrapped__ is softmax
    assert reference.softmax.__name__ == "softmax" and reference.softmax is reference.softmax
    with pytest.raises(AttributeError):
        reference.missing_name


def test_the_memo_holds_at_most_max_entries_least_recently_used_first():
    calls = []

    def square(n):
        calls.append(n)
        return n * n

    memo = ReferenceMemo(max_entries=4)
    reference = memo.wrap(module_of(square))
    for n in range(10):
        reference.square(n)
    assert len(memo) == 4
    reference.square(9)
    assert len(calls) == 10
    reference.square(0)
    assert len(calls) == 11 and len(memo) == 4


def test_a_result_over_the_size_limit_is_not_kept():
    def zeros(n):
        return torch.zeros(n)

    memo = ReferenceMemo(max_entry_bytes=1024)
    reference = memo.wrap(module_of(zeros))
    reference.zeros(16)
    reference.zeros(1024)
    assert len(memo) == 1 and 64 <= memo.nbytes < 1024 and memo.discarded == 1


def test_grading_twice_with_one_memo_computes_the_reference_once():
    memo = ReferenceMemo()
    link = reference_link(ASSIGNMENT)
    exercises = ["softmax", "cross_entropy", "ridge_solution"]
    first, problems = run_tests(ASSIGNMENT, link, exercises=exercises, memo=memo)
    assert problems == []
    after_first = memo.stats()
    second, problems = run_tests(ASSIGNMENT, link, exercises=exercises, memo=memo)
    assert problems == []
    after_second = memo.stats()

    def summary(outcomes):
        return [(o.name, o.outcome, o.points, o.message) for o in outcomes]
    assert {o.exercise for o in first} == set(exercises)
    assert [o for o in first if o.outcome != "passed"] == []
    assert summary(second) == summary(first)
    assert after_first.misses > 0
    assert after_second.hits > after_first.hits
    assert after_second.misses == after_first.misses   # nothing was computed again
