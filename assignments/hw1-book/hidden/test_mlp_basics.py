"""Hidden tests for 5.1 Multilayer perceptrons: x, y and x.grad as of the end of 5.1, and the
exercises' pReLU and Swish. Activations and their derivatives are recomputed here, with
autograd, on the notebook's own x."""
import pytest
import torch

from grader.testing import Mismatch, assert_close, describe, expect_tensor, generator, require

# The activations 5.1 plots (the book's three, then the exercises' with the catalogue's parameters).
ACTIVATIONS = {
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "pReLU with alpha 0.1": lambda x: torch.relu(x) + 0.1 * torch.clamp(x, max=0),
    "Swish with beta 1": lambda x: x * torch.sigmoid(x),
}


def first_defined(student, *names):
    return next((n for n in names if student.defines(n)), names[0])


@pytest.mark.exercise("activations")
@pytest.mark.points(0.5)
def test_x_is_the_books_grid(student, tolerance):
    """x = torch.arange(-8.0, 8.0, 0.1, requires_grad=True)."""
    x = expect_tensor(student.value("x"), "x at the end of 5.1", shape=(160,))
    assert_close(x, torch.arange(-8.0, 8.0, 0.1), tolerance("float32"), name="x at the end of 5.1")
    require(x.requires_grad, "x does not require grad: create it with requires_grad=True")


@pytest.mark.exercise("activations")
@pytest.mark.points(1)
def test_gradient_of_the_last_activation(student, tolerance):
    """y is one of the activations of x, and x.grad its derivative alone (reset before each backward)."""
    x = expect_tensor(student.value("x"), "x at the end of 5.1", shape=(160,)).detach()
    y = expect_tensor(student.value("y"), "y at the end of 5.1", shape=(160,))
    grad = student.x.grad.get()
    require(grad is not None, "x.grad at the end of 5.1 is None: run y.backward(torch.ones_like(x), retain_graph=True)")
    grad = expect_tensor(grad, "x.grad at the end of 5.1", shape=(160,))
    tol = tolerance("float32")
    for name, activation in ACTIVATIONS.items():
        leaf = x.clone().requires_grad_(True)
        value = activation(leaf)
        try:
            assert_close(y, value.detach(), tol)
        except Mismatch:
            continue
        value.sum().backward()
        assert_close(grad, leaf.grad, tol, name=f"x.grad after y = {name}(x) (reset it with "
                     "x.grad.data.zero_() before each backward, or the gradients add up)")
        return
    raise Mismatch(f"y at the end of 5.1 is none of {', '.join(ACTIVATIONS)} of x")


@pytest.mark.exercise("prelu")
@pytest.mark.points(0.5)
def test_prelu(student, reference, tolerance):
    """pReLU(x, alpha) = max(0, x) + alpha min(0, x) for alpha 0.1 and 0.25."""
    name = first_defined(student, "pReLU", "prelu", "PReLU")
    x = torch.linspace(-3, 3, 25)
    for alpha in (0.1, 0.25):
        got = student[name](x, alpha)
        require(isinstance(got, torch.Tensor), f"{name}(x, {alpha}) is {describe(got)}; expected a tensor")
        assert_close(got, reference.prelu(x, alpha), tolerance("float32"), name=f"{name}(x, {alpha})")


@pytest.mark.exercise("swish")
@pytest.mark.points(0.5)
def test_swish(student, reference, tolerance):
    """swish(x, beta) = x sigmoid(beta x) for beta 1 and 2."""
    name = first_defined(student, "swish", "Swish")
    x = 3 * torch.randn(20, generator=generator("5.1 swish"))
    for beta in (1.0, 2.0):
        got = student[name](x, beta)
        require(isinstance(got, torch.Tensor), f"{name}(x, {beta:g}) is {describe(got)}; expected a tensor")
        assert_close(got, reference.swish(x, beta), tolerance("float32"), name=f"{name}(x, {beta:g})")
