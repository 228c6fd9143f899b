"""Public checks for 2.4: run them with `grader check`."""
import math

import pytest
import torch

from grader.bookcode import FUNCTION
from grader.testing import assert_close, expect_tensor


@pytest.mark.exercise("f_calculus")
@pytest.mark.points(0.5)
def test_f_book_example(student, tolerance):
    """The book's f(1) = −1, and numerical_lim(f, 1, 0.1) = 2.3."""
    assert_close(student.f(1.0), -1.0, tolerance("float32"), name="f(1.0)")
    assert_close(student.numerical_lim(student.value("f"), 1.0, 0.1), 2.3,
                 tolerance("calculus_same_quotient"), name="numerical_lim(f, 1, 0.1)")


@pytest.mark.exercise("numerical_derivative")
@pytest.mark.points(0.5)
def test_numerical_derivative_of_cube(student, tolerance):
    """The central difference of x³ at 2 with h = 1e-5 is close to 3·2² = 12."""
    student.needs("numerical_derivative")
    label = "numerical_derivative(lambda x: x ** 3, 2.0, 1e-5)"
    cube = student.run(FUNCTION, source="lambda x: x ** 3", keep=True, label="lambda x: x ** 3")
    assert_close(student.numerical_derivative(cube, 2.0, 1e-5), 12.0, tolerance("calculus_central_difference"),
                 name=label)


@pytest.mark.exercise("d_x_pow_x")
@pytest.mark.points(0.5)
def test_d_x_pow_x_at_1_and_2(student, tolerance):
    """d/dx xˣ is 1 at x = 1 and 4(log 2 + 1) at x = 2."""
    x = torch.tensor([1.0, 2.0], dtype=torch.float64)
    got = expect_tensor(student.d_x_pow_x(x), "d_x_pow_x(x)", shape=(2,))
    assert_close(got, torch.tensor([1.0, 4 * (math.log(2) + 1)], dtype=torch.float64),
                 tolerance("calculus_float64"), name="d_x_pow_x([1, 2])")


@pytest.mark.exercise("tangent_line")
@pytest.mark.points(0.5)
def test_tangent_line_of_exercise_6(student, tolerance):
    """The tangent of x³ − 1/x at x = 1 is y = 4x − 4."""
    student.needs("tangent_line")
    label = "tangent_line(lambda x: x ** 3 - 1 / x, 1.0)"
    f = student.run(FUNCTION, source="lambda x: x ** 3 - 1 / x", keep=True, label="lambda x: x ** 3 - 1 / x")
    got = student.tangent_line(f, 1.0)
    assert_close(tuple(got) if isinstance(got, list) else got, (4.0, -4.0), tolerance("calculus_slope"),
                 name=label)


@pytest.mark.exercise("grad_f")
@pytest.mark.points(0.5)
def test_grad_f_at_1_0(student, tolerance):
    """At x = (1, 0) the gradient of 3x₁² + 5e^{x₂} is (6, 5)."""
    got = expect_tensor(student.grad_f(torch.tensor([1.0, 0.0])), "grad_f(x)", shape=(2,))
    assert_close(got, torch.tensor([6.0, 5.0]), tolerance("float32"), name="grad_f([1, 0])")


@pytest.mark.exercise("grad_l2_norm")
@pytest.mark.points(0.5)
def test_grad_l2_norm_of_3_4(student, tolerance):
    """The gradient of ‖x‖₂ at (3, −4) is (0.6, −0.8)."""
    got = expect_tensor(student.grad_l2_norm(torch.tensor([3.0, -4.0])), "grad_l2_norm(x)", shape=(2,))
    assert_close(got, torch.tensor([0.6, -0.8]), tolerance("float32"), name="grad_l2_norm([3, -4])")


@pytest.mark.exercise("chain_rule_grad")
@pytest.mark.points(0.5)
def test_chain_rule_grad_at_a_point(student, tolerance):
    """(du/da, du/db) at a = 1, b = 2: 12 + sin(-2) and 13 - sin(-2)."""
    a, b = torch.tensor([1.0], dtype=torch.float64), torch.tensor([2.0], dtype=torch.float64)
    got = student.chain_rule_grad(a, b)
    # x = 2, y = 5, z = sin(-1): du/da = y·b + x + 2z·cos(a - b), du/db = y·a + x·2b - 2z·cos(a - b)
    expected = (torch.tensor([12 + math.sin(-2.0)], dtype=torch.float64),
                torch.tensor([13 - math.sin(-2.0)], dtype=torch.float64))
    assert_close(tuple(got) if isinstance(got, list) else got, expected,
                 tolerance("calculus_float64"), name="chain_rule_grad(1, 2)")


@pytest.mark.exercise("inverse_derivative")
@pytest.mark.points(0.5)
def test_inverse_derivative_of_log(student, tolerance):
    """log is the inverse of exp, and its derivative at y = 2 is 1/2."""
    student.needs("inverse_derivative")
    label = "inverse_derivative(math.exp, math.log, 2.0)"
    exp, log = (student.run(FUNCTION, source=s, keep=True, label=s) for s in ("math.exp", "math.log"))
    assert_close(student.inverse_derivative(exp, log, 2.0), 0.5, tolerance("calculus_float64"),
                 name=label)
