"""Hidden tests for 5.3: hand-derived backpropagation against autograd and finite differences.

Expected gradients come from the reference forward pass, differentiated here (autograd, and
float64 central differences); nothing expected is computed in the kernel.
"""
import pytest
import torch

from grader.bookcode import FUNCTION
from grader.testing import assert_close, require, expect_tensor, generator

FORWARD_NAMES = ("z", "h", "o", "L", "s", "J")


def example(key, dims, dtype=torch.float64, *, bias=False):
    """x (d,), y (q,), W1 (h, d), [b1 (h,)], W2 (q, h), all random."""
    d, h, q = dims
    g = generator("backprop", key, dims)
    x = torch.randn(d, generator=g, dtype=torch.float64)
    y = torch.randn(q, generator=g, dtype=torch.float64)
    W1 = 0.8 * torch.randn((h, d), generator=g, dtype=torch.float64)
    W2 = 0.8 * torch.randn((q, h), generator=g, dtype=torch.float64)
    b1 = 0.5 * torch.randn(h, generator=g, dtype=torch.float64)
    out = (x, y, W1, b1, W2) if bias else (x, y, W1, W2)
    return tuple(t.to(dtype) for t in out)


def objective(x, y, W1, W2, lam, b1=None):
    """J from the reference forward pass (with the hidden bias when given)."""
    z = W1 @ x + (0 if b1 is None else b1)
    o = W2 @ torch.tanh(z)
    return 0.5 * ((o - y) ** 2).sum() + lam / 2 * ((W1 ** 2).sum() + (W2 ** 2).sum())


def autograd_grads(params, lam, x, y, order):
    """dJ/dparam for ``order`` (names among W1, b1, W2) by autograd, float64."""
    leaves = {k: v.detach().double().clone().requires_grad_(True) for k, v in params.items()}
    J = objective(x.double(), y.double(), leaves["W1"], leaves["W2"], lam, leaves.get("b1"))
    J.backward()
    return [leaves[k].grad for k in order]


def finite_difference_grads(params, lam, x, y, order, step=1e-6):
    """dJ/dparam by central differences in float64."""
    base = {k: v.double().clone() for k, v in params.items()}
    out = []
    for name in order:
        grad = torch.zeros_like(base[name])
        flat = base[name].view(-1)
        for i in range(flat.numel()):
            keep = float(flat[i])
            flat[i] = keep + step
            plus = float(objective(x.double(), y.double(), base["W1"], base["W2"], lam, base.get("b1")))
            flat[i] = keep - step
            minus = float(objective(x.double(), y.double(), base["W1"], base["W2"], lam, base.get("b1")))
            flat[i] = keep
            grad.view(-1)[i] = (plus - minus) / (2 * step)
        out.append(grad)
    return out


def expect_gradients(got, call, names, shapes):
    require(isinstance(got, (tuple, list)) and len(got) == len(names),
          f"{call} returned {type(got).__name__}"
          + (f" of {len(got)} items" if isinstance(got, (tuple, list)) else "")
          + f"; expected the tuple ({', '.join(names)})")
    for value, name, shape in zip(got, names, shapes):
        expect_tensor(value, name, shape=shape)
    return got


def compare_gradients(got, expected, names, tol):
    for value, want, name in zip(got, expected, names):
        assert_close(value, want, tol, name=name)


# --------------------------------------------------------------------------- forward

FORWARD_CASES = {"float64": ((5, 4, 3), 0.1, torch.float64), "float32": ((3, 2, 4), 0.5, torch.float32),
                 "one-unit": ((1, 1, 1), 0.2, torch.float64), "no-penalty": ((4, 6, 2), 0.0, torch.float64)}


@pytest.mark.exercise("backprop_forward")
@pytest.mark.points(0.375)
@pytest.mark.parametrize("case", FORWARD_CASES, ids=FORWARD_CASES)
def test_forward_values(student, reference, tolerance, case):
    """z, h, o, L, s and J equal the reference's."""
    dims, lam, dtype = FORWARD_CASES[case]
    x, y, W1, W2 = example("forward " + case, dims, dtype)
    got = student.forward(x, y, W1, W2, lam)
    require(isinstance(got, (tuple, list)) and len(got) == 6,
          f"forward returned {type(got).__name__}; expected the tuple (z, h, o, L, s, J)")
    expected = reference.forward(x.double(), y.double(), W1.double(), W2.double(), lam)
    tol = tolerance("backprop_float32" if dtype == torch.float32 else "backprop_autograd")
    for value, want, name in zip(got, expected, FORWARD_NAMES):
        assert_close(value, want, tol, name=name)


# --------------------------------------------------------------------------- backward

AUTOGRAD_CASES = {"wide": ((5, 4, 3), 0.1), "square": ((4, 4, 4), 0.05), "tall": ((2, 6, 3), 0.3),
                  "no-penalty": ((3, 5, 2), 0.0)}
GRAD_NAMES = ("∂J/∂W1", "∂J/∂W2")


def backward_case(student, key, dims, lam, dtype=torch.float64):
    d, h, q = dims
    x, y, W1, W2 = example(key, dims, dtype)
    got = expect_gradients(student.backward(x, y, W1, W2, lam), f"backward(x, y, W1, W2, {lam})",
                           GRAD_NAMES, [(h, d), (q, h)])
    return got, {"W1": W1, "W2": W2}, x, y


@pytest.mark.exercise("backprop_backward")
@pytest.mark.points(0.5)
@pytest.mark.parametrize("case", AUTOGRAD_CASES, ids=AUTOGRAD_CASES)
def test_backward_matches_autograd(student, tolerance, case):
    """Hand-derived ∂J/∂W1 and ∂J/∂W2 equal autograd's, one gradient at a time."""
    dims, lam = AUTOGRAD_CASES[case]
    got, params, x, y = backward_case(student, "autograd " + case, dims, lam)
    compare_gradients(got, autograd_grads(params, lam, x, y, ("W1", "W2")), GRAD_NAMES,
                      tolerance("backprop_autograd"))


FD_CASES = {"wide": ((6, 3, 2), 0.2), "square": ((3, 3, 3), 0.1)}


@pytest.mark.exercise("backprop_backward")
@pytest.mark.points(0.5)
@pytest.mark.parametrize("case", FD_CASES, ids=FD_CASES)
def test_backward_matches_finite_differences(student, tolerance, case):
    """Hand-derived gradients equal float64 central differences of J."""
    dims, lam = FD_CASES[case]
    got, params, x, y = backward_case(student, "fd " + case, dims, lam)
    compare_gradients(got, finite_difference_grads(params, lam, x, y, ("W1", "W2")), GRAD_NAMES,
                      tolerance("backprop_finite_diff"))


@pytest.mark.exercise("backprop_backward")
@pytest.mark.points(0.5)
def test_backward_float32(student, tolerance):
    """float32 inputs give float32-accurate gradients."""
    got, params, x, y = backward_case(student, "float32", (5, 4, 3), 0.1, torch.float32)
    compare_gradients(got, autograd_grads(params, 0.1, x, y, ("W1", "W2")), GRAD_NAMES,
                      tolerance("backprop_float32"))


# --------------------------------------------------------------------------- input_grad

FUNCTIONS = {"squares": ("lambda X: (X ** 2).sum()", lambda X: 2 * X),
             "norm": ("lambda X: X.norm()", lambda X: X / X.norm()),
             "columns": ("lambda X: (X @ torch.arange(1.0, X.shape[1] + 1, dtype=X.dtype)).sum()",
                         lambda X: torch.arange(1.0, X.shape[1] + 1, dtype=X.dtype).expand(X.shape))}
INPUT_CASES = {"squares-2x3": ("squares", (2, 3)), "norm-4x1": ("norm", (4, 1)),
               "columns-3x5": ("columns", (3, 5))}


@pytest.mark.exercise("input_grad")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("case", INPUT_CASES, ids=INPUT_CASES)
def test_input_grad_shape_and_values(student, tolerance, case):
    """∇_X f has X's shape n×m, one partial derivative per entry."""
    student.needs("input_grad")
    name, shape = INPUT_CASES[case]
    source, closed_form = FUNCTIONS[name]
    f = student.run(FUNCTION, source=source, keep=True, label=f"f = {source}")
    X = torch.randn(shape, generator=generator("input grad", case), dtype=torch.float64)
    got = expect_tensor(student.input_grad(f, X), f"input_grad(f, X) for X of shape {shape}", shape=shape)
    assert_close(got, closed_form(X), tolerance("backprop_autograd"), name=f"input_grad(f, X) for f = {source}")


# --------------------------------------------------------------------------- hidden bias

BIAS_NAMES = ("∂J/∂W1", "∂J/∂b1", "∂J/∂W2")
BIAS_ORDER = ("W1", "b1", "W2")


def bias_case(student, key, dims, lam, dtype=torch.float64):
    d, h, q = dims
    x, y, W1, b1, W2 = example(key, dims, dtype, bias=True)
    got = expect_gradients(student.backward_with_bias(x, y, W1, b1, W2, lam),
                           f"backward_with_bias(x, y, W1, b1, W2, {lam})", BIAS_NAMES, [(h, d), (h,), (q, h)])
    return got, {"W1": W1, "b1": b1, "W2": W2}, x, y


@pytest.mark.exercise("backward_with_bias")
@pytest.mark.points(0.5)
@pytest.mark.parametrize("case", ["penalty", "no-penalty"])
def test_backward_with_bias_matches_autograd(student, tolerance, case):
    """∂J/∂W1, ∂J/∂b1 and ∂J/∂W2 with the hidden bias equal autograd's."""
    dims, lam = ((5, 4, 3), 0.1) if case == "penalty" else ((3, 6, 2), 0.0)
    got, params, x, y = bias_case(student, "bias " + case, dims, lam)
    compare_gradients(got, autograd_grads(params, lam, x, y, BIAS_ORDER), BIAS_NAMES,
                      tolerance("backprop_autograd"))


@pytest.mark.exercise("backward_with_bias")
@pytest.mark.points(0.5)
def test_backward_with_bias_matches_finite_differences(student, tolerance):
    """The same gradients against float64 central differences of J."""
    got, params, x, y = bias_case(student, "bias fd", (4, 3, 2), 0.2)
    compare_gradients(got, finite_difference_grads(params, 0.2, x, y, BIAS_ORDER), BIAS_NAMES,
                      tolerance("backprop_finite_diff"))


@pytest.mark.exercise("backward_with_bias")
@pytest.mark.points(0.5)
def test_backward_with_bias_float32(student, tolerance):
    """float32 inputs give float32-accurate gradients."""
    got, params, x, y = bias_case(student, "bias float32", (3, 5, 4), 0.3, torch.float32)
    compare_gradients(got, autograd_grads(params, 0.3, x, y, BIAS_ORDER), BIAS_NAMES,
                      tolerance("backprop_float32"))


@pytest.mark.exercise("backward_with_bias")
@pytest.mark.points(0.5)
def test_backward_with_bias_gradient_shapes(student):
    """Each gradient has the shape of its parameter: (h, d), (h,), (q, h)."""
    bias_case(student, "bias shapes", (7, 2, 5), 0.1)


# --------------------------------------------------------------------------- memory

MEMORY_CASES = {"one": (1, 1, 1, 1), "wide-input": (32, 50, 20, 5), "wide-output": (64, 10, 3, 50),
                "wide-hidden": (8, 2, 100, 3), "large": (10 ** 6, 10 ** 4, 10 ** 4, 10)}


@pytest.mark.exercise("activation_memory")
@pytest.mark.points(0.3)
@pytest.mark.parametrize("case", MEMORY_CASES, ids=MEMORY_CASES)
def test_activation_memory(student, reference, tolerance, case):
    """(train_bytes, predict_bytes) for several sizes, exactly."""
    args = MEMORY_CASES[case]
    got = student.activation_memory(*args)
    require(isinstance(got, (tuple, list)) and len(got) == 2,
          f"activation_memory{args} returned {type(got).__name__}; expected (train_bytes, predict_bytes)")
    train, predict = reference.activation_memory(*args)
    assert_close(got[0], train, tolerance("exact"), name=f"train_bytes for {args}")
    assert_close(got[1], predict, tolerance("exact"), name=f"predict_bytes for {args}")
