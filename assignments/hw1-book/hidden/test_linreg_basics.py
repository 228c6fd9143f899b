"""Hidden tests for 3.1 Linear regression: the book's normal density, and the sums its
timing cells compute (never the times)."""
import numpy as np
import pytest
import torch

from grader.testing import assert_close, describe, expect_tensor, require

N = 10000


@pytest.mark.exercise("vectorization")
@pytest.mark.points(0.5)
def test_loop_and_vectorised_sums(student, tolerance):
    """c (the Python loop) and d = a + b both hold 2 at each of the n = 10000 entries."""
    for name, how in (("c", "the loop c[i] = a[i] + b[i]"), ("d", "d = a + b")):
        got = expect_tensor(student.value(name), f"{name} at the end of 3.1 ({how})", shape=(N,))
        assert_close(got, torch.full((N,), 2.0), tolerance("exact"), name=f"{name} at the end of 3.1 ({how})")


PARAMS = [(0, 1), (0, 2), (3, 1)]


@pytest.mark.exercise("normal")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("mu,sigma", PARAMS, ids=[f"mean{m}-std{s}" for m, s in PARAMS])
def test_normal_on_the_books_grid(student, reference, tolerance, mu, sigma):
    """normal(x, mu, sigma) on the book's x = np.arange(-7, 7, 0.01)."""
    x = np.arange(-7, 7, 0.01)
    got = student.normal(x, mu, sigma)
    require(isinstance(got, (np.ndarray, torch.Tensor)), f"normal(x, {mu}, {sigma}) is {describe(got)}; "
            "expected an array of densities, one per entry of x")
    assert_close(got, reference.normal(x, mu, sigma), tolerance("float32"), name=f"normal(x, {mu}, {sigma})")


@pytest.mark.exercise("normal")
@pytest.mark.points(0.25)
def test_normal_fractional_sigma(student, reference, tolerance):
    """sigma = 0.5 at a few points: the normaliser is 1 / sqrt(2 pi sigma^2)."""
    x = np.array([-1.0, 0.0, 0.25, 2.0])
    assert_close(student.normal(x, 0.25, 0.5), reference.normal(x, 0.25, 0.5), tolerance("float32"),
                 name="normal(x, 0.25, 0.5)")
