"""Comparison messages say what is wrong in words a student can act on."""
import math

import numpy as np
import pytest
import torch

from grader.judge.compare import Mismatch, assert_close, require
from grader.assignment import Tolerance

TOL = Tolerance(rtol=1e-5, atol=1e-6)


def message(actual, expected, **kw):
    with pytest.raises(Mismatch) as info:
        assert_close(actual, expected, TOL, name="softmax(X)", **kw)
    return str(info.value)


def test_equal_tensors_pass_within_tolerance():
    x = torch.rand(3, 4)
    assert_close(x * (1 + 1e-7), x, TOL)


def test_shape_mismatch_names_both_shapes():
    assert message(torch.zeros(5, 2), torch.zeros(2, 5)) == \
        "softmax(X) has shape (5, 2); expected shape (2, 5)"


def test_worst_element_is_reported_with_index_and_allowed_difference():
    expected = torch.tensor([[0.1, 0.2], [0.3, 0.4]])
    got = expected.clone()
    got[1, 0] = 0.35
    got[0, 1] = 0.2001
    text = message(got, expected)
    assert "at 2 of 4 entries" in text
    assert "worst at [1, 0]: got 0.35, expected 0.3" in text
    assert "atol 1e-06 + rtol 1e-05" in text


def test_nan_is_named_with_its_first_position():
    got = torch.tensor([[0.5, float("nan")], [0.2, 0.8]])
    assert message(got, torch.full((2, 2), 0.5)) == \
        "softmax(X) contains NaN at 1 of 4 entries (first at [0, 1]); expected finite values"


def test_inf_is_named():
    text = message(torch.tensor([float("inf"), 1.0]), torch.tensor([1.0, 1.0]))
    assert text.startswith("softmax(X) contains inf at 1 of 2 entries")


def test_not_a_tensor_says_what_came_back():
    assert message([0.5, 0.5], torch.tensor([0.5, 0.5])) == \
        "softmax(X) is a list; expected a tensor of shape (2,)"
    assert message(None, torch.zeros(2)) == "softmax(X) is None; expected a tensor of shape (2,)"


def test_scalar_tensor_compares_as_a_number():
    assert message(torch.tensor(2.99573), torch.tensor(1.49787)).startswith(
        "softmax(X) is 2.99573; expected 1.49787 (|difference| 1.5 > allowed")
    assert_close(torch.tensor(1.4978661), 1.497866, TOL)


def test_integer_results_must_match_exactly():
    text = message(torch.tensor([1, 2, 4]), torch.tensor([1, 2, 3]))
    assert "first at [2]: got 4, expected 3" in text


def test_tuples_compare_item_by_item_with_item_names():
    text = message((torch.ones(2), torch.zeros(2)), (torch.ones(2), torch.ones(2)))
    assert text.startswith("softmax(X)[1] differs")


def test_dtype_is_checked_only_when_asked():
    assert_close(torch.ones(2, dtype=torch.float64), torch.ones(2), TOL)
    assert message(torch.ones(2, dtype=torch.float64), torch.ones(2), check_dtype=True) == \
        "softmax(X) has dtype float64; expected float32"


def test_numbers_and_special_values():
    assert_close(float("nan"), math.nan, TOL)
    assert message(1.0, math.nan) == "softmax(X) is 1; expected NaN"
    assert_close(np.float32(0.1), 0.1, TOL)


def test_require_raises_with_the_given_message():
    require(True, "unused")
    with pytest.raises(Mismatch, match="^return a tuple$"):
        require(False, "return a tuple")
