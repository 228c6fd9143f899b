"""Public checks for 5.3: run them with `grader check`."""
import pytest
import torch

from grader.bookcode import FUNCTION
from grader.testing import assert_close, require, expect_tensor, generator


def example(dims):
    d, h, q = dims
    g = generator("public backprop", dims)
    return (torch.randn(d, generator=g, dtype=torch.float64), torch.randn(q, generator=g, dtype=torch.float64),
            torch.randn((h, d), generator=g, dtype=torch.float64), torch.randn(h, generator=g, dtype=torch.float64),
            torch.randn((q, h), generator=g, dtype=torch.float64))


@pytest.mark.exercise("backprop_forward")
@pytest.mark.points(0.5)
def test_forward_small_example(student, tolerance):
    """forward on a 3 -> 4 -> 2 example with lam = 0.1."""
    x, y, W1, _, W2 = example((3, 4, 2))
    got = student.forward(x, y, W1, W2, 0.1)
    require(isinstance(got, (tuple, list)) and len(got) == 6, "forward must return (z, h, o, L, s, J)")
    z = W1 @ x
    o = W2 @ torch.tanh(z)
    L = 0.5 * ((o - y) ** 2).sum()
    s = 0.05 * ((W1 ** 2).sum() + (W2 ** 2).sum())
    for value, want, name in zip(got, (z, torch.tanh(z), o, L, s, L + s), ("z", "h", "o", "L", "s", "J")):
        assert_close(value, want, tolerance("backprop_autograd"), name=name)


@pytest.mark.exercise("backprop_backward")
@pytest.mark.points(0.5)
def test_backward_against_autograd(student, tolerance):
    """backward's gradients equal autograd's on a 3 -> 4 -> 2 example with lam = 0.1."""
    x, y, W1, _, W2 = example((3, 4, 2))
    got = student.backward(x, y, W1, W2, 0.1)
    require(isinstance(got, (tuple, list)) and len(got) == 2, "backward must return (dJ_dW1, dJ_dW2)")
    A, B = W1.clone().requires_grad_(True), W2.clone().requires_grad_(True)
    o = B @ torch.tanh(A @ x)
    (0.5 * ((o - y) ** 2).sum() + 0.05 * ((A ** 2).sum() + (B ** 2).sum())).backward()
    assert_close(got[0], A.grad, tolerance("backprop_autograd"), name="∂J/∂W1")
    assert_close(got[1], B.grad, tolerance("backprop_autograd"), name="∂J/∂W2")


@pytest.mark.exercise("input_grad")
@pytest.mark.points(0.25)
def test_input_grad_shape(student, tolerance):
    """For f(X) = sum of squares and X of shape (2, 3), ∇_X f = 2X, shape (2, 3)."""
    student.needs("input_grad")
    f = student.run(FUNCTION, source="lambda X: (X ** 2).sum()", keep=True, label="f = lambda X: (X ** 2).sum()")
    X = torch.randn((2, 3), generator=generator("public input grad"), dtype=torch.float64)
    got = expect_tensor(student.input_grad(f, X), "input_grad(f, X)", shape=(2, 3))
    assert_close(got, 2 * X, tolerance("backprop_autograd"), name="input_grad(f, X)")


@pytest.mark.exercise("backward_with_bias")
@pytest.mark.points(0.5)
def test_backward_with_bias_against_autograd(student, tolerance):
    """backward_with_bias on a 3 -> 4 -> 2 example with lam = 0.1."""
    x, y, W1, b1, W2 = example((3, 4, 2))
    got = student.backward_with_bias(x, y, W1, b1, W2, 0.1)
    require(isinstance(got, (tuple, list)) and len(got) == 3,
          "backward_with_bias must return (dJ_dW1, dJ_db1, dJ_dW2)")
    A, c, B = (t.clone().requires_grad_(True) for t in (W1, b1, W2))
    o = B @ torch.tanh(A @ x + c)
    (0.5 * ((o - y) ** 2).sum() + 0.05 * ((A ** 2).sum() + (B ** 2).sum())).backward()
    for value, want, name in zip(got, (A.grad, c.grad, B.grad), ("∂J/∂W1", "∂J/∂b1", "∂J/∂W2")):
        assert_close(value, want, tolerance("backprop_autograd"), name=name)


@pytest.mark.exercise("activation_memory")
@pytest.mark.points(0.5)
def test_activation_memory_book_sizes(student, tolerance):
    """batch 256, d = 784, h = 256, q = 10: 1,337,344 bytes to train, 1,064,960 to predict."""
    assert_close(student.activation_memory(256, 784, 256, 10), (1337344, 1064960), tolerance("exact"),
                 name="activation_memory(256, 784, 256, 10)")
