"""Public checks for 2.5: run them with `grader check`."""
import pytest
import torch

from grader.bookcode import FUNCTION
from grader.bookcode.preliminaries import F_GRADIENT_BOOK
from grader.testing import assert_close, require, expect_tensor

BOOK_X = torch.arange(4.0)


@pytest.mark.exercise("detach_grads")
@pytest.mark.points(0.5)
def test_detach_grads_book_example(student, tolerance):
    """For x = [0, 1, 2, 3] the two gradients are u = x² and 2x."""
    got = student.detach_grads(BOOK_X)
    require(isinstance(got, (tuple, list)) and len(got) == 2,
          "detach_grads(x) must return a tuple (gradient of z, gradient of y)")
    assert_close(tuple(got), (BOOK_X ** 2, 2 * BOOK_X), tolerance("float32"), name="detach_grads(x)")


@pytest.mark.exercise("backward_twice")
@pytest.mark.points(0.5)
def test_backward_twice_book_example(student, tolerance):
    """For x = [0, 1, 2, 3] two passes on y = 2xᵀx leave 8x = [0, 8, 16, 24]."""
    got = expect_tensor(student.backward_twice(BOOK_X), "backward_twice(x)", shape=(4,))
    assert_close(got, 8 * BOOK_X, tolerance("float32"), name="backward_twice(x)")


@pytest.mark.exercise("f_control_flow")
@pytest.mark.points(0.5)
def test_f_gradient_for_a_vector(student, tolerance):
    """For a vector a, the gradient of f(a).sum() is f(a) / a."""
    a0 = torch.tensor([0.5, -0.25, 1.0])
    d, grad = student.run(F_GRADIENT_BOOK, a0=a0, label="f(a).sum().backward()")
    d = expect_tensor(d, "f(a)", shape=(3,))
    grad = expect_tensor(grad, "a.grad", shape=(3,))
    assert_close(grad, d / a0, tolerance("float32"), name="a.grad compared with f(a) / a")


@pytest.mark.exercise("grad_is_d_over_a")
@pytest.mark.points(0.5)
def test_grad_is_d_over_a_for_simple_functions(student):
    """True for f(a) = 3a, False for f(a) = a²."""
    student.needs("grad_is_d_over_a")
    a = torch.tensor([0.5, -1.5, 2.0])
    for source, expected in (("lambda a: 3 * a", True), ("lambda a: a * a", False)):
        fn = student.run(FUNCTION, source=source, keep=True, label=source)
        got = student.grad_is_d_over_a(fn, a)
        require(isinstance(got, bool) or (isinstance(got, torch.Tensor) and got.numel() == 1),
              f"grad_is_d_over_a({source}, a) returned {type(got).__name__}; return one bool")
        require(bool(got) == expected, f"grad_is_d_over_a({source}, a) returned {bool(got)}; expected {expected}")


@pytest.mark.exercise("sin_derivative")
@pytest.mark.points(0.5)
def test_sin_derivative_is_cos(student, tolerance):
    """The derivative of sin on a grid is cos."""
    x = torch.linspace(-3, 3, 7)
    got = expect_tensor(student.sin_derivative(x), "sin_derivative(x)", shape=(7,))
    assert_close(got, torch.cos(x), tolerance("float32"), name="sin_derivative(x)")


@pytest.mark.exercise("f_prime_manual")
@pytest.mark.points(0.5)
def test_f_prime_manual_matches_autograd(student, tolerance):
    """Your closed form agrees with autograd at x = 1, 2, 3."""
    x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    (torch.log(x ** 2) * torch.sin(x) + 1 / x).sum().backward()
    got = expect_tensor(student.f_prime_manual(x.detach()), "f_prime_manual(x)", shape=(3,))
    assert_close(got, x.grad, tolerance("calculus_float64"), name="f_prime_manual(x)")
