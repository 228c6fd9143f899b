"""Hidden tests for 2.5 Automatic differentiation.

Autograd runs in the student's kernel (``student.run`` with code from grader.bookcode builds
the leaf, calls the student's function and hands back gradients as data); whether
sin_derivative avoids cos is read from the notebook's source. Expected values come from the
reference's autograd, closed forms and float64 finite differences computed in this process.
Gradient checks use tolerances, never ==.
"""
import math

import pytest
import torch

from grader.bookcode import FUNCTION
from grader.bookcode.preliminaries import (BACKWARD_TWICE_TWICE, BOOK_CONTROL_FLOW_F, F_GRADIENT,
                                           F_PRIME_NO_GRAD, SIN_DERIVATIVE_TWICE)
from grader.testing import assert_close, require, expect_tensor, generator

BOOK_X = torch.arange(4.0)

# float32 draws for which the book's a.grad == d / a is False (100 * b rounds): from
# torch.randn with seed 0, the negative branch.
EQ_FAILS = [-0.40334352850914, -0.8566746115684509, -0.7911027073860168, -0.04042108729481697]


def tolerance_for(tolerance, x):
    return tolerance("calculus_float64") if x.dtype == torch.float64 else tolerance("float32")


# ------------------------------------------------------------------ detach_grads
TENSORS = {
    "book": lambda g: BOOK_X,
    "float64": lambda g: torch.randn(6, generator=g, dtype=torch.float64),
    "matrix": lambda g: torch.randn(2, 3, generator=g),
    "one-element": lambda g: torch.tensor([-1.5]),
}


@pytest.mark.exercise("detach_grads")
@pytest.mark.points(0.375)
@pytest.mark.parametrize("case", list(TENSORS), ids=list(TENSORS))
def test_detach_grads(student, reference, tolerance, case):
    """(gradient of u * x, gradient of x * x) = (u, 2x), each from its own backward pass."""
    x = TENSORS[case](generator("detach", case))
    got = student.detach_grads(x)
    require(isinstance(got, (tuple, list)) and len(got) == 2,
          "detach_grads(x) must return a tuple (gradient of z, gradient of y)")
    for label, value in zip(("z", "y"), got):
        expect_tensor(value, f"the gradient of {label} from detach_grads(x)", shape=tuple(x.shape))
    want_z, want_y = reference.detach_grads(x)
    assert_close(got[0], want_z, tolerance("float32"),
                 name="the gradient of z = u * x (it should be u, as u is detached)")
    assert_close(got[1], want_y, tolerance("float32"),
                 name="the gradient of y = x * x (it should be 2x: reset x.grad before this pass)")


# ------------------------------------------------------------------ backward_twice
VECTORS = {
    "book": lambda g: BOOK_X,
    "float64": lambda g: torch.randn(5, generator=g, dtype=torch.float64),
    "one-element": lambda g: torch.tensor([3.0]),
    "empty": lambda g: torch.zeros(0),
}


@pytest.mark.exercise("backward_twice")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("case", list(VECTORS), ids=list(VECTORS))
def test_backward_twice_accumulates(student, reference, tolerance, case):
    """Two backward passes on y = 2xᵀx leave 4x + 4x = 8x in the leaf's gradient."""
    x = VECTORS[case](generator("twice", case))
    got = expect_tensor(student.backward_twice(x), "backward_twice(x)", shape=tuple(x.shape))
    assert_close(got, reference.backward_twice(x), tolerance("float32"), name="backward_twice(x)")


@pytest.mark.exercise("backward_twice")
@pytest.mark.points(0.5)
def test_backward_twice_leaves_its_argument_alone(student, reference, tolerance):
    """Called twice on the same tensor it gives 8x both times, and the tensor is unchanged."""
    student.needs("backward_twice")
    x0 = torch.randn(4, generator=generator("twice-same"))
    first, second, x, grad, requires_grad = student.run(BACKWARD_TWICE_TWICE, x0=x0,
                                                        label="backward_twice(x) twice on the same x")
    untouched = grad is None and not requires_grad and torch.equal(x, x0)
    expected = reference.backward_twice(x0)
    assert_close(first, expected, tolerance("float32"), name="the first backward_twice(x)")
    assert_close(second, expected, tolerance("float32"),
                 name="backward_twice(x) called again on the same x (gradients from the first call "
                      "were added in: make a fresh leaf with x.detach().clone().requires_grad_(True))")
    require(untouched, "backward_twice(x) changed the caller's x (its requires_grad or .grad); "
          "work on a fresh leaf made with x.detach().clone().requires_grad_(True)")


# ------------------------------------------------------------------ f (control flow)
CONTROL = {
    "scalar": lambda g: torch.randn(size=(), generator=g),
    "scalar-negative": lambda g: torch.tensor(EQ_FAILS[0]),
    "vector": lambda g: torch.tensor([0.3, -0.2, 0.5, 0.1, -0.4]),
    "matrix": lambda g: torch.randn(3, 4, generator=g) + 0.2,
    "negative-sum-vector": lambda g: torch.tensor([0.2, -0.9, 0.4, -0.6]),
    "one-element": lambda g: torch.tensor([0.05]),
    "large": lambda g: torch.tensor([600.0, -700.0, 800.0]),
    "float64-matrix": lambda g: torch.randn(2, 3, generator=g, dtype=torch.float64) - 0.5,
}


@pytest.mark.exercise("f_control_flow")
@pytest.mark.points(0.125)
@pytest.mark.parametrize("case", list(CONTROL), ids=list(CONTROL))
def test_f_values(student, reference, tolerance, case):
    """f(a) equals the book's f for scalars, vectors and matrices (the sign test is on the sum)."""
    a = CONTROL[case](generator("f", case))
    got = expect_tensor(student.f(a), "f(a)", shape=tuple(a.shape))
    assert_close(got, reference.f(a), tolerance("float32"), name="f(a)")


@pytest.mark.exercise("f_control_flow")
@pytest.mark.points(0.1875)
@pytest.mark.parametrize("case", list(CONTROL), ids=list(CONTROL))
def test_f_gradient_is_f_over_a(student, reference, tolerance, case):
    """The gradient of f(a).sum() equals the reference's autograd and f(a) / a elementwise."""
    a0 = CONTROL[case](generator("f", case))
    connected, d, grad = student.run(F_GRADIENT, a0=a0, label="f(a).sum().backward()")
    require(connected, "f(a) does not depend on a for autograd: the graph was cut (by .detach(), "
          ".data, .item(), .numpy() or torch.tensor(...)); keep every step a tensor operation on a")
    grad = expect_tensor(grad, "a.grad after f(a).sum().backward()", shape=tuple(a0.shape))
    a = a0.clone().requires_grad_(True)
    reference.f(a).sum().backward()
    assert_close(grad, a.grad, tolerance("float32"), name="a.grad after f(a).sum().backward()")
    d = expect_tensor(d, "f(a)", shape=tuple(a0.shape))
    assert_close(grad, d / a0, tolerance("float32"), name="a.grad compared with f(a) / a")


# ------------------------------------------------------------------ grad_is_d_over_a
CHECKS = {
    # name: (function source, a, expected answer)
    # None: the book's control-flow f (grader.bookcode.preliminaries.BOOK_CONTROL_FLOW_F)
    "book-f-scalar": (None, torch.tensor(EQ_FAILS[0]), True),
    "book-f-positive-scalar": (None, torch.tensor(0.8), True),
    "book-f-vector": (None, torch.tensor(EQ_FAILS), True),
    "book-f-matrix": (None, torch.tensor([[0.31, -0.07, 0.52], [1.3, 0.9, -0.21]]), True),
    "book-f-float64": (None, torch.tensor([-0.4, -0.1, 0.3], dtype=torch.float64), True),
    "piecewise-linear": ("lambda a: torch.where(a > 0, 2 * a, -3 * a)",
                         torch.tensor([0.5, -1.5, 2.0, -0.25]), True),
    "square": ("lambda a: a * a", torch.tensor([0.5, -1.5, 2.0]), False),
    "affine": ("lambda a: 3 * a + 1", torch.tensor([0.5, -1.5, 2.0]), False),
}


@pytest.mark.exercise("grad_is_d_over_a")
@pytest.mark.points(0.1875)
@pytest.mark.parametrize("case", list(CHECKS), ids=list(CHECKS))
def test_grad_is_d_over_a(student, tolerance, case):
    """True exactly when the gradient of f(a).sum() is f(a) / a at every entry, up to rounding."""
    student.needs("grad_is_d_over_a")
    source, a, expected = CHECKS[case]
    if source is None:
        fn = student.run(BOOK_CONTROL_FLOW_F, keep=True, label="the book's f")
    else:
        fn = student.run(FUNCTION, source=source, keep=True, label="the function f")
    got = student.grad_is_d_over_a(fn, a)
    about = "the book's f" if source is None else source
    hint = ("" if not expected else "; compare floats with torch.allclose or torch.isclose(...).all(), "
            "since 100 * b rounds and d / a can differ from a.grad in the last bit")
    require(isinstance(got, bool) or (isinstance(got, torch.Tensor) and got.numel() == 1),
          f"grad_is_d_over_a(f, a) returned {type(got).__name__}"
          f"{' of shape ' + str(tuple(got.shape)) if isinstance(got, torch.Tensor) else ''}; "
          "return one bool for all entries together")
    require(bool(got) == expected, f"grad_is_d_over_a(f, a) returned {bool(got)} for "
          f"{about} with a of shape {tuple(a.shape)}; "
          f"expected {expected}{hint}")


# ------------------------------------------------------------------ sin_derivative
SIN_INPUTS = {
    "vector": lambda g: torch.linspace(-5, 5, 11),
    "float64-matrix": lambda g: torch.randn(2, 3, generator=g, dtype=torch.float64),
    "zero-d": lambda g: torch.tensor(0.5),
    "one-element": lambda g: torch.tensor([math.pi]),
    "empty": lambda g: torch.zeros(0),
    "large": lambda g: torch.tensor([1e4, -3e4]),
}


@pytest.mark.exercise("sin_derivative")
@pytest.mark.points(0.125)
@pytest.mark.parametrize("case", list(SIN_INPUTS), ids=list(SIN_INPUTS))
def test_sin_derivative_values(student, reference, tolerance, case):
    """sin_derivative(x) equals autograd's derivative of sin (that is, cos x)."""
    x = SIN_INPUTS[case](generator("sin", case))
    got = student.sin_derivative(x)
    require(got is not None, "sin_derivative(x) returned None: return the .grad of the leaf tensor "
          "you called requires_grad_ on (the result of sin has no .grad of its own)")
    got = expect_tensor(got, "sin_derivative(x)", shape=tuple(x.shape))
    assert_close(got, reference.sin_derivative(x), tolerance_for(tolerance, x), name="sin_derivative(x)")


@pytest.mark.exercise("sin_derivative")
@pytest.mark.points(0.125)
@pytest.mark.parametrize("requires_grad", [False, True], ids=["plain-x", "x-requires-grad"])
def test_sin_derivative_twice_on_the_same_x(student, reference, tolerance, requires_grad):
    """Two calls on the same x give cos x both times and leave x and x.grad as they were (in the
    book x already requires grad)."""
    student.needs("sin_derivative")
    x0 = torch.linspace(-3, 3, 7)
    first, second, grad, still_requires_grad = student.run(
        SIN_DERIVATIVE_TWICE, x0=x0, requires_grad=requires_grad, label="sin_derivative(x) twice on the same x")
    untouched = grad is None and still_requires_grad == requires_grad
    why = ("x.clone() of an x that requires grad is not a leaf and gets no .grad" if requires_grad
           else "return the .grad of the leaf tensor you called requires_grad_ on")
    for value in (first, second):
        require(value is not None, f"sin_derivative(x) returned None: {why}; start from "
              "x.detach().clone().requires_grad_(True)")
    expected = reference.sin_derivative(x0)
    assert_close(first, expected, tolerance("float32"), name="the first sin_derivative(x)")
    assert_close(second, expected, tolerance("float32"),
                 name="sin_derivative(x) called again on the same x (the first call's gradient was "
                      "added in: start from a fresh leaf, x.detach().clone().requires_grad_(True))")
    require(untouched, "sin_derivative(x) changed the caller's x (its .grad or requires_grad); work on "
          "a fresh leaf made with x.detach().clone().requires_grad_(True)")


@pytest.mark.exercise("sin_derivative")
@pytest.mark.points(0.5)
def test_sin_derivative_without_cos(student, source, reference, tolerance):
    """sin_derivative gets the derivative from autograd: its source (with the notebook's helpers
    it reaches) names no cos (torch, Tensor, math or numpy), and its values are cos x."""
    usage = source.usage("sin_derivative")
    require(not usage.dynamic, f"sin_derivative uses {', '.join(sorted(usage.dynamic))}, so the grader cannot "
            "tell from its source where the derivative comes from; write it plainly, with autograd")
    require("cos" not in usage.attributes, "sin_derivative uses cos: the derivative must come from autograd, "
            "not from cos (call backward() on sin of a leaf that requires grad, and return the leaf's .grad)")
    x = torch.linspace(-2, 2, 5)
    got = student.sin_derivative(x)
    require(got is not None, "sin_derivative(x) returned None: return the .grad of the leaf tensor you called "
            "requires_grad_ on")
    got = expect_tensor(got, "sin_derivative(x)", shape=(5,))
    assert_close(got, reference.sin_derivative(x), tolerance("float32"), name="sin_derivative(x)")


# ------------------------------------------------------------------ f_prime_manual
def book_fx(x):
    return torch.log(x ** 2) * torch.sin(x) + 1 / x


def autograd_derivative(x):
    x = x.detach().double().requires_grad_(True)
    book_fx(x).sum().backward()
    return x.grad


NONZERO = {
    "positive-float64": lambda g: 0.5 + 4.5 * torch.rand(6, generator=g, dtype=torch.float64),
    "negative-float64": lambda g: -0.5 - 4.5 * torch.rand(6, generator=g, dtype=torch.float64),
    "zero-d": lambda g: torch.tensor(1.0, dtype=torch.float64),
    "float32-matrix": lambda g: torch.tensor([[0.7, -1.3, 2.2], [-3.1, 4.5, 0.2]]),
    "large": lambda g: torch.tensor([1e3, -1e4, 1e6], dtype=torch.float64),
}


@pytest.mark.exercise("f_prime_manual")
@pytest.mark.points(0.3)
@pytest.mark.parametrize("case", list(NONZERO), ids=list(NONZERO))
def test_f_prime_manual_matches_autograd(student, tolerance, case):
    """f_prime_manual(x) equals float64 autograd's derivative of log(x²)·sin x + 1/x."""
    x = NONZERO[case](generator("f_prime", case))
    got = expect_tensor(student.f_prime_manual(x), "f_prime_manual(x)", shape=tuple(x.shape))
    tol = tolerance("calculus_float64") if x.dtype == torch.float64 else tolerance("autograd_float32_closed_form")
    assert_close(got, autograd_derivative(x), tol, name="f_prime_manual(x)")


@pytest.mark.exercise("f_prime_manual")
@pytest.mark.points(0.5)
def test_f_prime_manual_matches_finite_differences(student, tolerance):
    """f_prime_manual(x) agrees with float64 central differences of f."""
    x = torch.tensor([0.7, 2.0, -3.0, 10.0], dtype=torch.float64)
    h = 1e-6 * torch.clamp(x.abs(), min=1.0)
    expected = (book_fx(x + h) - book_fx(x - h)) / (2 * h)
    got = expect_tensor(student.f_prime_manual(x), "f_prime_manual(x)", shape=(4,))
    assert_close(got, expected, tolerance("calculus_finite_difference"), name="f_prime_manual(x)")


@pytest.mark.exercise("f_prime_manual")
@pytest.mark.points(0.5)
def test_f_prime_manual_without_autograd(student, tolerance):
    """A closed form works inside torch.no_grad(), where autograd records nothing."""
    student.needs("f_prime_manual")
    x = torch.tensor([0.5, 1.5, -2.5])
    got = student.run(F_PRIME_NO_GRAD, x=x, label="f_prime_manual(x) inside torch.no_grad()")
    got = expect_tensor(got, "f_prime_manual(x) inside torch.no_grad()", shape=(3,))
    assert_close(got, autograd_derivative(x), tolerance("autograd_float32_closed_form"),
                 name="f_prime_manual(x) inside torch.no_grad()")
