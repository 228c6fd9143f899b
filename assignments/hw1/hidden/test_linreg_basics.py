"""Hidden tests for 3.1 Linear regression."""
import math

import numpy as np
import pytest
import torch

from grader.bookcode import as_number
from grader.testing import assert_close, require, expect_tensor, generator


# ---------------------------------------------------------------- vectorization (T)

@pytest.mark.exercise("vectorization")
@pytest.mark.points(0.5)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_vectorization_sums_agree(student, tolerance, dtype):
    """Both versions return a + b on random vectors of 10000 elements."""
    g = generator("vectorization", str(dtype))
    a, b = torch.randn(10000, generator=g, dtype=dtype), torch.randn(10000, generator=g, dtype=dtype)
    for name in ("add_loop", "add_vectorized"):
        got = expect_tensor(student[name](a, b), f"{name}(a, b)", shape=(10000,))
        assert_close(got, a + b, tolerance("float32"), name=f"{name}(a, b)")


@pytest.mark.exercise("vectorization")
@pytest.mark.points(0.5)
def test_vectorization_loop_against_one_operation(source):
    """add_loop adds in a Python loop and add_vectorized in one tensor operation, read from the
    notebook's source: a clock would measure the machine's load as much as the code."""
    loop, vectorized = source.usage("add_loop"), source.usage("add_vectorized")
    require(loop.loops or loop.comprehensions,
            "add_loop has no loop: it must add one element per step of a Python for loop, as the book's "
            "first timing cell does, so that it is far slower than add_vectorized")
    require(not vectorized.dynamic,
            f"add_vectorized uses {', '.join(sorted(vectorized.dynamic))}, so the grader cannot tell from its "
            "source whether it loops; write it plainly, as a single tensor operation")
    require(not (vectorized.loops or vectorized.comprehensions),
            "add_vectorized loops in Python (a for or while loop, or a comprehension); it must use a single "
            "tensor operation, a + b")


# ---------------------------------------------------------------- normal

BOOK_PARAMS = [(0, 1), (0, 2), (3, 1)]


@pytest.mark.exercise("normal")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("mu,sigma", BOOK_PARAMS, ids=[f"mean{m}-std{s}" for m, s in BOOK_PARAMS])
def test_normal_book_curves(student, reference, tolerance, mu, sigma):
    """The book's three curves on x = np.arange(-7, 7, 0.01)."""
    x = np.arange(-7, 7, 0.01)
    assert_close(student.normal(x, mu, sigma), reference.normal(x, mu, sigma), tolerance("float32"),
                 name=f"normal(x, {mu}, {sigma})")


@pytest.mark.exercise("normal")
@pytest.mark.points(0.25)
def test_normal_on_a_tensor(student, reference, tolerance):
    """normal works on a float32 tensor x as well."""
    x = torch.linspace(-3, 5, 17)
    assert_close(student.normal(x, 1.0, 1.5), reference.normal(x, 1.0, 1.5), tolerance("float32"),
                 name="normal(x, 1.0, 1.5)")


@pytest.mark.exercise("normal")
@pytest.mark.points(0.5)
def test_normal_narrow(student, reference, tolerance):
    """A narrow density (sigma = 0.1) peaks at 3.989: the normaliser is 1/sqrt(2 pi sigma^2)."""
    x = np.array([-0.2, -0.05, 0.0, 0.1, 0.3])
    assert_close(student.normal(x, 0.0, 0.1), reference.normal(x, 0.0, 0.1), tolerance("float32"),
                 name="normal(x, 0, 0.1)")


# ---------------------------------------------------------------- squared_loss

F32, F64 = torch.float32, torch.float64
LOSS_SHAPES = {"column": ((5, 1), (5, 1), F32), "y-flat": ((5, 1), (5,), F32), "vector": ((4,), (4,), F32),
               "one-float64": ((1, 1), (1, 1), F64)}


def _pair(key, shapes):
    """Random y_hat and y of the given shapes and dtype."""
    g = generator(*key)
    y_hat_shape, y_shape, dtype = shapes
    return 3 * torch.randn(y_hat_shape, generator=g).to(dtype), 3 * torch.randn(y_shape, generator=g).to(dtype)


@pytest.mark.exercise("squared_loss")
@pytest.mark.points(0.375)
@pytest.mark.parametrize("case", list(LOSS_SHAPES), ids=list(LOSS_SHAPES))
def test_squared_loss(student, reference, tolerance, case):
    """Per-example squared loss with the shape of y_hat (y of shape (n,) is reshaped)."""
    y_hat, y = _pair(("squared_loss", case), LOSS_SHAPES[case])
    got = expect_tensor(student.squared_loss(y_hat, y), "squared_loss(y_hat, y)", shape=tuple(y_hat.shape))
    assert_close(got, reference.squared_loss(y_hat, y), tolerance("float32"), name="squared_loss(y_hat, y)")


# ---------------------------------------------------------------- analytic_solution

def _design(key, n, d, dtype):
    g = generator("design", *key)
    X = torch.randn(n, d, generator=g, dtype=torch.float64)
    y = X @ torch.randn(d, generator=g, dtype=torch.float64) + 0.1 * torch.randn(n, generator=g, dtype=torch.float64)
    return X.to(dtype), y.to(dtype)


ANALYTIC = {"tall-float64": (20, 3, torch.float64, False), "column-y": (20, 3, torch.float64, True),
            "float32": (30, 4, torch.float32, False), "square": (3, 3, torch.float64, False),
            "one-feature": (8, 1, torch.float64, True)}


@pytest.mark.exercise("analytic_solution")
@pytest.mark.points(0.5)
@pytest.mark.parametrize("case", list(ANALYTIC), ids=list(ANALYTIC))
def test_analytic_solution_matches_least_squares(student, tolerance, case):
    """w* agrees with torch.linalg.lstsq (computed in float64) and has the shape of X^T y."""
    n, d, dtype, column = ANALYTIC[case]
    X, y = _design((case,), n, d, dtype)
    if column:
        y = y.reshape(-1, 1)
    expected = torch.linalg.lstsq(X.double(), y.double().reshape(n, -1)).solution.reshape((X.T @ y).shape)
    got = expect_tensor(student.analytic_solution(X, y), "analytic_solution(X, y)", shape=tuple(expected.shape))
    assert_close(got, expected, tolerance("linreg_basics_solve"), name="analytic_solution(X, y)")


# ---------------------------------------------------------------- best constants

@pytest.mark.exercise("best_constant")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("n,dtype", [(7, torch.float32), (1, torch.float64)], ids=["seven", "one-float64"])
def test_best_constant_l2_is_the_mean(student, tolerance, n, dtype):
    """The minimiser of sum (x_i - b)^2 is the mean."""
    x = (5 * torch.randn(n, generator=generator("l2", n))).to(dtype)
    assert_close(student.best_constant_l2(x), float(x.double().mean()), tolerance("float32"),
                 name="best_constant_l2(x)")


L1_CASES = {"odd": [4.0, -1.0, 7.5, 2.0, 3.0], "even": [10.0, 1.0, 3.0, 2.0],
            "one": [2.5], "ties": [1.0, 1.0, 1.0, 5.0, 9.0, 1.0]}


@pytest.mark.exercise("best_constant")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("case", list(L1_CASES), ids=list(L1_CASES))
def test_best_constant_l1_minimises_absolute_loss(student, case):
    """The result minimises sum |x_i - b| (any median of x does)."""
    x = torch.tensor(L1_CASES[case])
    b = as_number(student.best_constant_l1(x), "best_constant_l1(x)")
    s = torch.sort(x.double()).values
    lo, hi = float(s[(len(s) - 1) // 2]), float(s[len(s) // 2])
    best = float((x.double() - lo).abs().sum())
    got = float((x.double() - b).abs().sum())
    require(lo - 1e-6 <= b <= hi + 1e-6,
          f"best_constant_l1({L1_CASES[case]}) is {b:.6g}, where sum |x_i - b| = {got:.6g}; the minimum "
          f"is {best:.6g}, reached for b between {lo:g} and {hi:g} (the medians)")


# ---------------------------------------------------------------- augment_ones (P)

@pytest.mark.exercise("augment_ones")
@pytest.mark.points(0.5)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_augment_ones_turns_affine_into_linear(student, tolerance, dtype):
    """X w + b equals augment_ones(X) [w; b], and the dtype of X is kept."""
    g = generator("augment", str(dtype))
    X = torch.randn(5, 3, generator=g).to(dtype)
    w, b = torch.randn(3, generator=g).to(dtype), torch.randn(1, generator=g).to(dtype)
    got = expect_tensor(student.augment_ones(X), "augment_ones(X)", shape=(5, 4))
    require(got.dtype == dtype, f"augment_ones(X) has dtype {str(got.dtype).replace('torch.', '')}; "
          f"keep the dtype of X ({str(dtype).replace('torch.', '')})")
    assert_close(got @ torch.cat((w, b)), X @ w + b, tolerance("float32"), name="augment_ones(X) [w; b]")


@pytest.mark.exercise("augment_ones")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("n", [0, 1], ids=["no-rows", "one-row"])
def test_augment_ones_edge_rows(student, tolerance, n):
    """Zero rows give shape (0, d + 1); one row gets its 1 appended."""
    X = torch.arange(2.0 * n).reshape(n, 2) + 3
    expected = torch.cat((X, torch.ones(n, 1)), dim=1)
    got = expect_tensor(student.augment_ones(X), "augment_ones(X)", shape=(n, 3))
    assert_close(got, expected, tolerance("exact"), name="augment_ones(X)")


# ---------------------------------------------------------------- quadratic_features

QUAD = {"three-features": (4, 3, torch.float32), "one-feature": (5, 1, torch.float32),
        "float64-four": (2, 4, torch.float64), "no-rows": (0, 3, torch.float32)}


@pytest.mark.exercise("quadratic_features")
@pytest.mark.points(0.375)
@pytest.mark.parametrize("case", list(QUAD), ids=list(QUAD))
def test_quadratic_features(student, reference, tolerance, case):
    """The d inputs followed by x_i x_j for i <= j in triu_indices order."""
    n, d, dtype = QUAD[case]
    X = torch.randn(n, d, generator=generator("quad", case)).to(dtype)
    expected = reference.quadratic_features(X)
    got = expect_tensor(student.quadratic_features(X), "quadratic_features(X)", shape=tuple(expected.shape))
    assert_close(got, expected, tolerance("float32"), name="quadratic_features(X)")


# ---------------------------------------------------------------- ridge_solution

def _rank_deficient(key):
    X, y = _design(key, 12, 3, torch.float64)
    return torch.cat((X, X[:, :1]), dim=1), y   # column 3 repeats column 0: X^T X is singular


@pytest.mark.exercise("ridge_solution")
@pytest.mark.points(0.5)
def test_ridge_solution_rank_deficient(student, reference, tolerance):
    """A repeated column makes X^T X singular; with lam = 0.1 the solution is unique."""
    X, y = _rank_deficient(("ridge", "deficient"))
    got = expect_tensor(student.ridge_solution(X, y, 0.1), "ridge_solution(X, y, 0.1)", shape=(4,))
    assert_close(got, reference.ridge_solution(X, y, 0.1), tolerance("linreg_basics_solve"),
                 name="ridge_solution(X, y, 0.1)")


@pytest.mark.exercise("ridge_solution")
@pytest.mark.points(0.5)
def test_ridge_solution_is_stationary(student, tolerance):
    """The gradient X^T (X w - y) + lam w of the ridge objective vanishes at the result."""
    X, y = _design(("ridge", "stationary"), 15, 4, torch.float64)
    w = expect_tensor(student.ridge_solution(X, y, 2.5), "ridge_solution(X, y, 2.5)", shape=(4,))
    grad = X.T @ (X @ w.double() - y) + 2.5 * w.double()
    assert_close(grad, torch.zeros(4, dtype=torch.float64), tolerance("linreg_basics_solve"),
                 name="the gradient of ||y - X w||² / 2 + lam ||w||² / 2 at ridge_solution(X, y, 2.5)")


@pytest.mark.exercise("ridge_solution")
@pytest.mark.points(0.5)
def test_ridge_solution_without_penalty(student, tolerance):
    """lam = 0 on a full-rank X gives the least-squares solution."""
    X, y = _design(("ridge", "zero"), 20, 3, torch.float64)
    expected = torch.linalg.lstsq(X, y.reshape(-1, 1)).solution.reshape(-1)
    got = expect_tensor(student.ridge_solution(X, y, 0.0), "ridge_solution(X, y, 0)", shape=(3,))
    assert_close(got, expected, tolerance("linreg_basics_solve"), name="ridge_solution(X, y, 0)")


@pytest.mark.exercise("ridge_solution")
@pytest.mark.points(0.5)
def test_ridge_solution_column_y_float32(student, reference, tolerance):
    """y of shape (n, 1) in float32 gives w of shape (d, 1)."""
    X, y = _design(("ridge", "column"), 25, 3, torch.float32)
    y = y.reshape(-1, 1)
    expected = reference.ridge_solution(X.double(), y.double(), 1.0)
    got = expect_tensor(student.ridge_solution(X, y, 1.0), "ridge_solution(X, y, 1)", shape=(3, 1))
    assert_close(got, expected, tolerance("linreg_basics_solve"), name="ridge_solution(X, y, 1)")


@pytest.mark.exercise("ridge_solution")
@pytest.mark.points(0.5)
def test_ridge_solution_large_penalty(student, reference, tolerance):
    """A large lam (1e4) shrinks w towards 0 as X^T y / lam."""
    X, y = _rank_deficient(("ridge", "large"))
    got = expect_tensor(student.ridge_solution(X, y, 1e4), "ridge_solution(X, y, 1e4)", shape=(4,))
    assert_close(got, reference.ridge_solution(X, y, 1e4), tolerance("linreg_basics_solve"),
                 name="ridge_solution(X, y, 1e4)")


# ---------------------------------------------------------------- laplace_nll

NLL_CASES = {"column": ((10, 1), (10, 1), F32), "y-flat": ((6, 1), (6,), F32),
             "one-float64": ((1, 1), (1, 1), F64), "large": ((50,), (50,), F32)}


@pytest.mark.exercise("laplace_nll")
@pytest.mark.points(0.375)
@pytest.mark.parametrize("case", list(NLL_CASES), ids=list(NLL_CASES))
def test_laplace_nll(student, reference, tolerance, case):
    """sum_i (|y_i - y_hat_i| + log 2) on random data."""
    y_hat, y = _pair(("laplace", case), NLL_CASES[case])
    assert_close(student.laplace_nll(y_hat, y), reference.laplace_nll(y_hat, y),
                 tolerance("linreg_basics_loss"), name="laplace_nll(y_hat, y)")


# ---------------------------------------------------------------- collapse_linear (P)

COLLAPSE = {"4-5-3": (4, 5, 3, torch.float32), "float64": (3, 2, 2, torch.float64),
            "bottleneck": (6, 1, 4, torch.float32)}


@pytest.mark.exercise("collapse_linear")
@pytest.mark.points(0.5)
@pytest.mark.parametrize("case", list(COLLAPSE), ids=list(COLLAPSE))
def test_collapse_linear_identity(student, tolerance, case):
    """X W + b equals (X W1 + b1) W2 + b2 for random X, with W of shape (d, q) and b of shape (q,)."""
    d, h, q, dtype = COLLAPSE[case]
    g = generator("collapse", case)
    W1, b1 = torch.randn(d, h, generator=g).to(dtype), torch.randn(h, generator=g).to(dtype)
    W2, b2 = torch.randn(h, q, generator=g).to(dtype), torch.randn(q, generator=g).to(dtype)
    got = student.collapse_linear(W1, b1, W2, b2)
    require(isinstance(got, (tuple, list)) and len(got) == 2, "collapse_linear must return a tuple (W, b)")
    W = expect_tensor(got[0], "W", shape=(d, q))
    b = expect_tensor(got[1], "b", shape=(q,))
    X = torch.randn(7, d, generator=g).to(dtype)
    assert_close(X @ W + b, (X @ W1 + b1) @ W2 + b2, tolerance("linreg_basics_matmul"), name="X W + b")


# ---------------------------------------------------------------- poisson_nll

def _counts(key, shape, scale):
    g = generator("poisson", key)
    log_rate = math.log(scale) + 0.5 * torch.randn(shape, generator=g)
    k = torch.poisson(torch.exp(log_rate), generator=g).to(torch.int64)
    return log_rate, k


@pytest.mark.exercise("poisson_nll")
@pytest.mark.points(0.375)
@pytest.mark.parametrize("scale", [3.0, 40.0], ids=["few", "many"])
def test_poisson_nll_integer_counts(student, reference, tolerance, scale):
    """Integer (int64) counts drawn from the model itself."""
    log_rate, k = _counts(scale, (20,), scale)
    assert_close(student.poisson_nll(log_rate, k), reference.poisson_nll(log_rate, k),
                 tolerance("linreg_basics_loss"), name="poisson_nll(log_rate, k)")


@pytest.mark.exercise("poisson_nll")
@pytest.mark.points(0.375)
def test_poisson_nll_float64_matrix(student, reference, tolerance):
    """float64 rates and counts of shape (3, 4), some counts 0."""
    log_rate, k = _counts("matrix", (3, 4), 1.5)
    log_rate, k = log_rate.double(), k.double()
    assert_close(student.poisson_nll(log_rate, k), reference.poisson_nll(log_rate, k),
                 tolerance("linreg_basics_loss"), name="poisson_nll(log_rate, k)")


@pytest.mark.exercise("poisson_nll")
@pytest.mark.points(0.375)
def test_poisson_nll_matches_torch_distributions(student, tolerance):
    """Agrees with -Poisson(exp(log_rate)).log_prob(k).sum() from torch.distributions."""
    log_rate = torch.tensor([-1.0, 0.0, 1.0, 2.5, 4.0], dtype=torch.float64)
    k = torch.tensor([0.0, 2.0, 1.0, 15.0, 60.0], dtype=torch.float64)
    expected = -torch.distributions.Poisson(torch.exp(log_rate)).log_prob(k).sum()
    assert_close(student.poisson_nll(log_rate, k), float(expected), tolerance("linreg_basics_loss"),
                 name="poisson_nll(log_rate, k)")
