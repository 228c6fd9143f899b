"""Hidden tests for 2.4 Calculus.

Functions handed to the student's code (numerical_derivative(f, ...), tangent_line(f, ...),
inverse_derivative(f_prime, f_inv, ...)) are built in the kernel from expressions written
here (grader.bookcode.FUNCTION): only data crosses the bridge. Expected values come from closed forms, the reference, or
float64 autograd and finite differences computed in this process.
"""
import math

import pytest
import torch

from grader.bookcode import FUNCTION
from grader.testing import assert_close, require, expect_tensor, generator


def kernel_function(student, source):
    """A function built in the student's kernel from grader-written source (a Ref to it)."""
    return student.run(FUNCTION, source=source, keep=True, label=source)


def grader_function(source):
    """The same source evaluated here, for expected values."""
    return eval(source, {"math": math, "torch": torch})


def autograd_grad(fn, x):
    """Gradient of fn(x).sum() by float64 autograd, in this process."""
    x = x.detach().double().requires_grad_(True)
    fn(x).sum().backward()
    return x.grad


def central_difference(fn, x):
    """Elementwise float64 central difference, with a step scaled to |x|."""
    x = x.double()
    h = 1e-6 * torch.clamp(x.abs(), min=1.0)
    return (fn(x + h) - fn(x - h)) / (2 * h)


def numerical_gradient(fn, x):
    """Float64 central differences of a scalar fn, one coordinate at a time."""
    x = x.double()
    grad = torch.zeros_like(x)
    for i in range(x.numel()):
        h = 1e-6 * max(1.0, abs(x.reshape(-1)[i].item()))
        step = torch.zeros_like(x).reshape(-1)
        step[i] = h
        step = step.reshape(x.shape)
        grad.reshape(-1)[i] = (fn(x + step) - fn(x - step)) / (2 * h)
    return grad


def tolerance_for(tolerance, x):
    return tolerance("calculus_float64") if x.dtype == torch.float64 else tolerance("float32")


# ------------------------------------------------------------------ f and numerical_lim
@pytest.mark.exercise("f_calculus")
@pytest.mark.points(0.1)
@pytest.mark.parametrize("case", ["float", "negative-float", "zero-d", "vector-float32", "matrix-float64"])
def test_f_values(student, reference, tolerance, case):
    """f(x) = 3x² − 4x for Python floats and elementwise for tensors."""
    g = generator("f", case)
    x = {"float": 1.0, "negative-float": -2.5, "zero-d": torch.tensor(2 / 3),
         "vector-float32": torch.randn(7, generator=g),
         "matrix-float64": 10 * torch.randn(2, 3, generator=g, dtype=torch.float64)}[case]
    got = student.f(x)
    if isinstance(x, torch.Tensor):
        expect_tensor(got, "f(x)", shape=tuple(x.shape))
    assert_close(got, reference.f(x), tolerance("float32"), name=f"f({x!r})" if isinstance(x, float) else "f(x)")


@pytest.mark.exercise("f_calculus")
@pytest.mark.points(0.1875)
@pytest.mark.parametrize("h", [0.1, 0.01, 1e-3, 1e-5])
def test_numerical_lim_of_f_at_1(student, reference, tolerance, h):
    """The book's table: numerical_lim(f, 1, h) with the notebook's own f tends to 2."""
    got = student.numerical_lim(student.value("f"), 1.0, h)
    assert_close(got, reference.numerical_lim(reference.f, 1.0, h), tolerance("calculus_same_quotient"),
                 name=f"numerical_lim(f, 1, {h:g})")


@pytest.mark.exercise("f_calculus")
@pytest.mark.points(0.125)
@pytest.mark.parametrize("case", ["cube-at-2", "cube-tensor"])
def test_numerical_lim_other_function(student, tolerance, case):
    """numerical_lim works for any function: the forward quotient of x³."""
    student.needs("numerical_lim")
    x = 2.0 if case == "cube-at-2" else torch.tensor([0.5, -1.0, 3.0], dtype=torch.float64)
    label = "numerical_lim(lambda x: x ** 3, x, 0.01)"
    got = student.numerical_lim(kernel_function(student, "lambda x: x ** 3"), x, 0.01)
    expected = ((x + 0.01) ** 3 - x ** 3) / 0.01
    assert_close(got, expected, tolerance("calculus_same_quotient"), name=label)


# ------------------------------------------------------------------ numerical_derivative
RULES = {
    # name: (function source, x, closed-form derivative at x)
    "constant": ("lambda x: 7.0", 1.3, 0.0),
    "cube": ("lambda x: x ** 3", 1.7, 3 * 1.7 ** 2),
    "inverse-square": ("lambda x: x ** -2", 0.8, -2 * 0.8 ** -3),
    "square-root": ("lambda x: x ** 0.5", 2.0, 0.5 * 2.0 ** -0.5),
    "exp": ("lambda x: math.exp(x)", 2.0, math.exp(2.0)),
    "log": ("lambda x: math.log(x)", 0.3, 1 / 0.3),
}


@pytest.mark.exercise("numerical_derivative")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("rule", list(RULES), ids=list(RULES))
def test_numerical_derivative_follows_the_rules(student, tolerance, rule):
    """With h = 1e-5 the central difference agrees with the derivative rules (exercises 1–3)."""
    student.needs("numerical_derivative")
    source, x, expected = RULES[rule]
    label = f"numerical_derivative({source}, {x}, 1e-5)"
    got = student.numerical_derivative(kernel_function(student, source), x, 1e-5)
    assert_close(got, expected, tolerance("calculus_central_difference"), name=label)


@pytest.mark.exercise("numerical_derivative")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("h", [0.1, 0.5])
def test_numerical_derivative_is_central(student, reference, tolerance, h):
    """With a large h the central quotient of x³ at 2 is 12 + h², not the forward 12 + 6h + h²."""
    student.needs("numerical_derivative")
    label = f"numerical_derivative(lambda x: x ** 3, 2.0, {h})"
    got = student.numerical_derivative(kernel_function(student, "lambda x: x ** 3"), 2.0, h)
    assert_close(got, reference.numerical_derivative(lambda x: x ** 3, 2.0, h),
                 tolerance("calculus_same_quotient"), name=label)


@pytest.mark.exercise("numerical_derivative")
@pytest.mark.points(0.5)
def test_numerical_derivative_on_a_tensor(student, reference, tolerance):
    """x may be a float64 tensor: the quotient is taken elementwise."""
    student.needs("numerical_derivative")
    x = torch.linspace(-2, 2, 9, dtype=torch.float64)
    label = "numerical_derivative(torch.exp, x, 1e-3)"
    got = expect_tensor(student.numerical_derivative(kernel_function(student, "torch.exp"), x, 1e-3),
                        label, shape=(9,))
    assert_close(got, reference.numerical_derivative(torch.exp, x, 1e-3),
                 tolerance("calculus_same_quotient"), name=label)


# ------------------------------------------------------------------ d_x_pow_x
def x_pow_x(x):
    return x ** x


POSITIVE = {
    "float64": lambda g: 0.1 + 3 * torch.rand(6, generator=g, dtype=torch.float64),
    "float32-matrix": lambda g: 0.1 + 3 * torch.rand(2, 3, generator=g),
    "zero-d-one": lambda g: torch.tensor(1.0, dtype=torch.float64),
    "minimum-1/e": lambda g: torch.tensor([math.exp(-1)], dtype=torch.float64),
    "large": lambda g: torch.tensor([20.0, 50.0, 100.0], dtype=torch.float64),
    "small": lambda g: torch.tensor([1e-3, 0.01], dtype=torch.float64),
}


@pytest.mark.exercise("d_x_pow_x")
@pytest.mark.points(0.125)
@pytest.mark.parametrize("case", list(POSITIVE), ids=list(POSITIVE))
def test_d_x_pow_x_matches_autograd(student, tolerance, case):
    """d_x_pow_x(x) equals autograd's derivative of x ** x."""
    x = POSITIVE[case](generator("x_pow_x", case))
    got = expect_tensor(student.d_x_pow_x(x), "d_x_pow_x(x)", shape=tuple(x.shape))
    assert_close(got, autograd_grad(x_pow_x, x), tolerance_for(tolerance, x), name="d_x_pow_x(x)")


@pytest.mark.exercise("d_x_pow_x")
@pytest.mark.points(0.75)
def test_d_x_pow_x_matches_finite_differences(student, tolerance):
    """d_x_pow_x(x) agrees with float64 central differences."""
    x = torch.tensor([0.5, 1.5, 2.5, 4.0], dtype=torch.float64)
    got = expect_tensor(student.d_x_pow_x(x), "d_x_pow_x(x)", shape=(4,))
    assert_close(got, central_difference(x_pow_x, x), tolerance("calculus_finite_difference"),
                 name="d_x_pow_x(x)")


# ------------------------------------------------------------------ tangent_line
TANGENTS = {
    "book-f-at-1": ("lambda x: 3 * x ** 2 - 4 * x", 1.0),
    "exercise-at-1": ("lambda x: x ** 3 - 1 / x", 1.0),
    "exercise-at-2": ("lambda x: x ** 3 - 1 / x", 2.0),
    "exercise-at-negative": ("lambda x: x ** 3 - 1 / x", -0.5),
    "exp-at-0": ("lambda x: math.e ** x", 0.0),
}


@pytest.mark.exercise("tangent_line")
@pytest.mark.points(0.2)
@pytest.mark.parametrize("case", list(TANGENTS), ids=list(TANGENTS))
def test_tangent_line(student, reference, tolerance, case):
    """(slope, intercept) of the tangent at x0, against float64 autograd."""
    student.needs("tangent_line")
    source, x0 = TANGENTS[case]
    label = f"tangent_line({source}, {x0})"
    got = student.tangent_line(kernel_function(student, source), x0)
    require(isinstance(got, (tuple, list)) and len(got) == 2,
          f"{label} returned {type(got).__name__}; expected a tuple (slope, intercept)")
    assert_close(tuple(got), reference.tangent_line(grader_function(source), x0),
                 tolerance("calculus_slope"), name=label)


@pytest.mark.exercise("tangent_line")
@pytest.mark.points(0.5)
def test_tangent_touches_the_curve(student, tolerance):
    """The tangent at x0 passes through (x0, f(x0)): slope * x0 + intercept = f(x0)."""
    student.needs("tangent_line")
    source, x0 = TANGENTS["exercise-at-2"]
    got = student.tangent_line(kernel_function(student, source), x0)
    require(isinstance(got, (tuple, list)) and len(got) == 2, "tangent_line must return (slope, intercept)")
    slope, intercept = (float(v) for v in got)
    assert_close(slope * x0 + intercept, grader_function(source)(x0), tolerance("calculus_slope"),
                 name=f"slope·x0 + intercept at x0 = {x0}")


# ------------------------------------------------------------------ grad_f
def f_exercise7(x):
    return 3 * x[0] ** 2 + 5 * torch.exp(x[1])


POINTS = {
    "float32": lambda g: torch.randn(2, generator=g),
    "float64": lambda g: torch.randn(2, generator=g, dtype=torch.float64),
    "origin": lambda g: torch.zeros(2, dtype=torch.float64),
    "large": lambda g: torch.tensor([-1e3, 30.0], dtype=torch.float64),
    "very-negative-x2": lambda g: torch.tensor([4.0, -20.0], dtype=torch.float64),
}


@pytest.mark.exercise("grad_f")
@pytest.mark.points(0.2)
@pytest.mark.parametrize("case", list(POINTS), ids=list(POINTS))
def test_grad_f_matches_autograd(student, tolerance, case):
    """grad_f(x) equals autograd's gradient of 3x₁² + 5e^{x₂}."""
    x = POINTS[case](generator("grad_f", case))
    got = expect_tensor(student.grad_f(x), "grad_f(x)", shape=(2,))
    assert_close(got, autograd_grad(f_exercise7, x), tolerance_for(tolerance, x), name="grad_f(x)")


@pytest.mark.exercise("grad_f")
@pytest.mark.points(0.5)
def test_grad_f_matches_finite_differences(student, tolerance):
    """grad_f(x) agrees with float64 central differences."""
    x = torch.tensor([0.7, -1.3], dtype=torch.float64)
    got = expect_tensor(student.grad_f(x), "grad_f(x)", shape=(2,))
    assert_close(got, numerical_gradient(f_exercise7, x), tolerance("calculus_finite_difference"),
                 name="grad_f(x)")


# ------------------------------------------------------------------ grad_l2_norm
def l2_norm(x):
    return torch.linalg.vector_norm(x)


VECTORS = {
    "float32": lambda g: torch.randn(5, generator=g),
    "float64": lambda g: torch.randn(7, generator=g, dtype=torch.float64),
    "one-element": lambda g: torch.tensor([-3.0]),
    "large-float64": lambda g: 1e100 * torch.randn(4, generator=g, dtype=torch.float64),
    "tiny-float64": lambda g: 1e-100 * torch.randn(4, generator=g, dtype=torch.float64),
    "large-float32": lambda g: 1e18 * torch.randn(3, generator=g),
}


@pytest.mark.exercise("grad_l2_norm")
@pytest.mark.points(0.125)
@pytest.mark.parametrize("case", list(VECTORS), ids=list(VECTORS))
def test_grad_l2_norm_matches_autograd(student, tolerance, case):
    """grad_l2_norm(x) equals autograd's gradient of ‖x‖₂ away from 0."""
    x = VECTORS[case](generator("grad_l2_norm", case))
    got = expect_tensor(student.grad_l2_norm(x), "grad_l2_norm(x)", shape=tuple(x.shape))
    assert_close(got, autograd_grad(l2_norm, x), tolerance_for(tolerance, x), name="grad_l2_norm(x)")


@pytest.mark.exercise("grad_l2_norm")
@pytest.mark.points(0.25)
def test_grad_l2_norm_matches_finite_differences(student, tolerance):
    """grad_l2_norm(x) agrees with float64 central differences."""
    x = torch.tensor([1.0, -2.0, 0.5, 3.0], dtype=torch.float64)
    got = expect_tensor(student.grad_l2_norm(x), "grad_l2_norm(x)", shape=(4,))
    assert_close(got, numerical_gradient(l2_norm, x), tolerance("calculus_finite_difference"),
                 name="grad_l2_norm(x)")


@pytest.mark.exercise("grad_l2_norm")
@pytest.mark.points(0.5)
def test_grad_l2_norm_at_zero_is_a_subgradient(student, tolerance):
    """At x = 0 there is no gradient: the answer must be finite and of length at most 1."""
    got = expect_tensor(student.grad_l2_norm(torch.zeros(4)), "grad_l2_norm(0)", shape=(4,))
    require(torch.isfinite(got).all(), "grad_l2_norm(0) contains NaN or inf: x / ‖x‖ divides 0 by 0 at "
          "x = 0, where ‖x‖ has no gradient; return a subgradient there, such as the zero vector")
    length = float(torch.linalg.vector_norm(got.double()))
    require(length <= 1 + tolerance("float32").rtol,
          f"grad_l2_norm(0) has length {length:.6g}; a subgradient of ‖x‖ at 0 has length at most 1 "
          "(the zero vector is the usual choice)")


# ------------------------------------------------------------------ chain_rule_grad
def u_of(a, b):
    x, y, z = a * b, a + b ** 2, torch.sin(a - b)
    return x * y + z ** 2


def autograd_partials(a, b):
    a = a.detach().double().requires_grad_(True)
    b = b.detach().double().requires_grad_(True)
    u_of(a, b).sum().backward()
    return a.grad, b.grad


AB = {
    "float64": lambda g: (torch.randn(5, generator=g, dtype=torch.float64),
                          torch.randn(5, generator=g, dtype=torch.float64)),
    "float32-matrix": lambda g: (torch.randn(2, 3, generator=g), torch.randn(2, 3, generator=g)),
    "zero-d": lambda g: (torch.tensor(0.7, dtype=torch.float64), torch.tensor(-1.2, dtype=torch.float64)),
    "large": lambda g: (torch.tensor([100.0, -50.0], dtype=torch.float64),
                        torch.tensor([3.0, 40.0], dtype=torch.float64)),
}


@pytest.mark.exercise("chain_rule_grad")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("case", list(AB), ids=list(AB))
def test_chain_rule_grad_matches_autograd(student, tolerance, case):
    """(du/da, du/db) equal autograd's partial derivatives of the composition."""
    a, b = AB[case](generator("chain_rule", case))
    got = student.chain_rule_grad(a, b)
    require(isinstance(got, (tuple, list)) and len(got) == 2,
          "chain_rule_grad(a, b) must return a tuple (du_da, du_db)")
    for label, value in zip(("du_da", "du_db"), got):
        expect_tensor(value, f"the {label} part of chain_rule_grad(a, b)", shape=tuple(a.shape))
    assert_close(tuple(got), autograd_partials(a, b), tolerance_for(tolerance, a), name="chain_rule_grad(a, b)")


@pytest.mark.exercise("chain_rule_grad")
@pytest.mark.points(0.5)
def test_chain_rule_grad_matches_finite_differences(student, tolerance):
    """(du/da, du/db) agree with float64 central differences in a and in b."""
    a = torch.tensor([0.3, -1.1, 2.0], dtype=torch.float64)
    b = torch.tensor([1.4, 0.2, -0.9], dtype=torch.float64)
    got = student.chain_rule_grad(a, b)
    require(isinstance(got, (tuple, list)) and len(got) == 2,
          "chain_rule_grad(a, b) must return a tuple (du_da, du_db)")
    expected = (central_difference(lambda t: u_of(t, b), a), central_difference(lambda t: u_of(a, t), b))
    assert_close(tuple(got), expected, tolerance("calculus_finite_difference"), name="chain_rule_grad(a, b)")


# ------------------------------------------------------------------ inverse_derivative
INVERSES = {
    # name: (f_prime source, f_inv source, y, closed form of (f⁻¹)′(y))
    "exp-log": ("torch.exp", "torch.log",
                torch.tensor([0.5, 1.0, 2.0, 10.0], dtype=torch.float64), lambda y: 1 / y),
    "sinh": ("torch.cosh", "torch.asinh",
             torch.tensor([-3.0, -0.5, 0.0, 2.0], dtype=torch.float64), lambda y: 1 / torch.sqrt(1 + y ** 2)),
    "cube": ("lambda x: 3 * x ** 2", "lambda y: torch.sign(y) * y.abs() ** (1 / 3)",
             torch.tensor([-8.0, 0.125, 27.0], dtype=torch.float64), lambda y: y.abs() ** (-2 / 3) / 3),
    "tan-float32": ("lambda x: 1 / torch.cos(x) ** 2", "torch.atan",
                    torch.tensor([-2.0, 0.0, 0.5, 4.0]), lambda y: 1 / (1 + y ** 2)),
    "python-floats": ("math.exp", "math.log", 4.0, lambda y: 1 / y),
}


@pytest.mark.exercise("inverse_derivative")
@pytest.mark.points(0.3)
@pytest.mark.parametrize("case", list(INVERSES), ids=list(INVERSES))
def test_inverse_derivative(student, tolerance, case):
    """(f⁻¹)′(y) for exp, sinh, x³, tan and Python floats, against closed forms."""
    student.needs("inverse_derivative")
    f_prime, f_inv, y, expected = INVERSES[case]
    got = student.inverse_derivative(kernel_function(student, f_prime), kernel_function(student, f_inv), y)
    name = f"inverse_derivative({f_prime}, {f_inv}, y)"
    if isinstance(y, torch.Tensor):
        expect_tensor(got, name, shape=tuple(y.shape))
        tol = tolerance_for(tolerance, y)
    else:
        tol = tolerance("calculus_float64")
    assert_close(got, expected(y), tol, name=name)
