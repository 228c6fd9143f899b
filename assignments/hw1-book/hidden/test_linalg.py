"""Hidden tests for 2.3 Linear algebra: what the section keeps (sum_A, and the dot
product's vectors x and y), as of the end of 2.3, against the book's operations here."""
import pytest
import torch

from grader.testing import assert_close, describe, require

A = torch.arange(6, dtype=torch.float32).reshape(2, 3)


@pytest.mark.exercise("reductions")
@pytest.mark.points(1)
def test_non_reduction_sum(student, tolerance):
    """sum_A = A.sum(axis=1, keepdims=True) keeps the summed axis: shape (2, 1)."""
    sum_A = student.value("sum_A")
    require(isinstance(sum_A, torch.Tensor), f"sum_A at the end of 2.3 is {describe(sum_A)}; expected "
            "A.sum(axis=1, keepdims=True)")
    require(tuple(sum_A.shape) == (2, 1), f"sum_A has shape {tuple(sum_A.shape)}; expected (2, 1): "
            "A.sum(axis=1, keepdims=True) keeps the summed axis with length 1")
    assert_close(sum_A, A.sum(axis=1, keepdims=True), tolerance("float32"), name="sum_A")


@pytest.mark.exercise("reductions")
@pytest.mark.points(0.5)
def test_dot_product_vectors(student, tolerance):
    """x and y of 2.3.8: float32 arange(3) and ones(3), which torch.dot needs of the same dtype."""
    x, y = student.value("x"), student.value("y")
    for name, got, want in (("x", x, torch.arange(3, dtype=torch.float32)),
                            ("y", y, torch.ones(3, dtype=torch.float32))):
        require(isinstance(got, torch.Tensor), f"{name} at the end of 2.3 is {describe(got)}; expected the "
                "vector of 2.3.8")
        assert_close(got, want, tolerance("exact"), name=f"{name} at the end of 2.3", check_dtype=True)
