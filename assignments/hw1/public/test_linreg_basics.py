"""Public checks for 3.1: run them with `grader check`."""
import math

import pytest
import torch

from grader.bookcode import as_number
from grader.testing import assert_close, require, expect_tensor


@pytest.mark.exercise("vectorization")
@pytest.mark.points(0.5)
def test_vectorization_small_sum(student, tolerance):
    """add_loop and add_vectorized both add [1, 2, 3] and [10, 20, 30]."""
    a, b = torch.tensor([1.0, 2, 3]), torch.tensor([10.0, 20, 30])
    assert_close(student.add_loop(a, b), a + b, tolerance("float32"), name="add_loop(a, b)")
    assert_close(student.add_vectorized(a, b), a + b, tolerance("float32"), name="add_vectorized(a, b)")


@pytest.mark.exercise("normal")
@pytest.mark.points(0.5)
def test_normal_at_the_mean(student, tolerance):
    """normal(0, 0, 1) is 1/sqrt(2 pi) = 0.398942."""
    assert_close(student.normal(0.0, 0, 1), 0.3989422804014327, tolerance("float32"),
                 name="normal(0, 0, 1)")


@pytest.mark.exercise("squared_loss")
@pytest.mark.points(0.5)
def test_squared_loss_small(student, tolerance):
    """squared_loss on three examples with y_hat and y of shape (3, 1): residuals -0.5, 0 and 3."""
    y_hat = torch.tensor([[1.0], [2.0], [4.0]])
    y = torch.tensor([[1.5], [2.0], [1.0]])
    got = expect_tensor(student.squared_loss(y_hat, y), "squared_loss(y_hat, y)", shape=(3, 1))
    assert_close(got, torch.tensor([[0.125], [0.0], [4.5]]), tolerance("float32"), name="squared_loss(y_hat, y)")


@pytest.mark.exercise("analytic_solution")
@pytest.mark.points(0.5)
def test_analytic_solution_noise_free(student, tolerance):
    """Noise-free y = X [1, -2] gives back w = [1, -2]."""
    X = torch.tensor([[1.0, 0], [0, 1], [1, 1], [2, -1], [0.5, 3], [-1, 2]], dtype=torch.float64)
    y = X @ torch.tensor([1.0, -2.0], dtype=torch.float64)
    got = expect_tensor(student.analytic_solution(X, y), "analytic_solution(X, y)", shape=(2,))
    assert_close(got, torch.tensor([1.0, -2.0], dtype=torch.float64), tolerance("linreg_basics_solve"),
                 name="analytic_solution(X, y)")


@pytest.mark.exercise("best_constant")
@pytest.mark.points(0.25)
def test_best_constant_l2_small(student, tolerance):
    """The best constant for squared loss on [1, 2, 3, 10] is 4."""
    x = torch.tensor([1.0, 2, 3, 10])
    assert_close(student.best_constant_l2(x), 4.0, tolerance("float32"), name="best_constant_l2(x)")


@pytest.mark.exercise("best_constant")
@pytest.mark.points(0.25)
def test_best_constant_l1_small(student):
    """A best constant for absolute loss on [1, 2, 3, 10] lies in [2, 3]."""
    value = as_number(student.best_constant_l1(torch.tensor([1.0, 2, 3, 10])), "best_constant_l1(x)")
    require(2.0 <= value <= 3.0, f"best_constant_l1([1, 2, 3, 10]) is {value:.6g}; every minimiser "
          "of the absolute loss lies between 2 and 3")


@pytest.mark.exercise("augment_ones")
@pytest.mark.points(0.5)
def test_augment_ones_small(student, tolerance):
    """augment_ones([[1, 2], [3, 4]]) is [[1, 2, 1], [3, 4, 1]]."""
    X = torch.tensor([[1.0, 2], [3, 4]])
    got = expect_tensor(student.augment_ones(X), "augment_ones(X)", shape=(2, 3))
    assert_close(got, torch.tensor([[1.0, 2, 1], [3, 4, 1]]), tolerance("exact"), name="augment_ones(X)")


@pytest.mark.exercise("quadratic_features")
@pytest.mark.points(0.5)
def test_quadratic_features_small(student, tolerance):
    """quadratic_features([[1, 2]]) is [[1, 2, 1, 2, 4]]."""
    got = expect_tensor(student.quadratic_features(torch.tensor([[1.0, 2.0]])),
                        "quadratic_features(X)", shape=(1, 5))
    assert_close(got, torch.tensor([[1.0, 2, 1, 2, 4]]), tolerance("float32"), name="quadratic_features(X)")


@pytest.mark.exercise("ridge_solution")
@pytest.mark.points(0.5)
def test_ridge_solution_identity(student, tolerance):
    """With X = I, y = [2, 4] and lam = 1 the ridge solution is [1, 2]."""
    X = torch.eye(2, dtype=torch.float64)
    y = torch.tensor([2.0, 4.0], dtype=torch.float64)
    got = expect_tensor(student.ridge_solution(X, y, 1.0), "ridge_solution(X, y, 1)", shape=(2,))
    assert_close(got, torch.tensor([1.0, 2.0], dtype=torch.float64), tolerance("linreg_basics_solve"),
                 name="ridge_solution(X, y, 1)")


@pytest.mark.exercise("laplace_nll")
@pytest.mark.points(0.5)
def test_laplace_nll_small(student, tolerance):
    """Residuals 1 and 0 give 1 + 2 log 2."""
    y_hat = torch.tensor([[0.0], [1.0]])
    y = torch.tensor([[1.0], [1.0]])
    assert_close(student.laplace_nll(y_hat, y), 1 + 2 * math.log(2),
                 tolerance("linreg_basics_loss"), name="laplace_nll(y_hat, y)")


@pytest.mark.exercise("collapse_linear")
@pytest.mark.points(0.5)
def test_collapse_linear_small(student, tolerance):
    """One layer (W, b) reproduces two small stacked layers."""
    W1 = torch.tensor([[1.0, 0, 2], [0, 1, -1]])
    b1 = torch.tensor([1.0, 0, 1])
    W2 = torch.tensor([[1.0], [2.0], [-1.0]])
    b2 = torch.tensor([0.5])
    got = student.collapse_linear(W1, b1, W2, b2)
    require(isinstance(got, (tuple, list)) and len(got) == 2, "collapse_linear must return a tuple (W, b)")
    X = torch.tensor([[1.0, 2.0], [-1.0, 0.5]])
    W, b = expect_tensor(got[0], "W"), expect_tensor(got[1], "b")
    assert_close(X @ W + b, (X @ W1 + b1) @ W2 + b2, tolerance("linreg_basics_matmul"), name="X W + b")


@pytest.mark.exercise("poisson_nll")
@pytest.mark.points(0.5)
def test_poisson_nll_zero_count(student, tolerance):
    """log_rate 0 (λ = 1) and k = 0 give -log p = 1."""
    got = student.poisson_nll(torch.tensor([0.0]), torch.tensor([0]))
    assert_close(got, 1.0, tolerance("linreg_basics_loss"), name="poisson_nll([0.], [0])")
