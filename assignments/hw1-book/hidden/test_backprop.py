"""Hidden tests for 5.3 (optional): the derivation written as code, for the section's network
with phi = tanh and l(o, y) = ||o - y||^2 / 2. Expected values come from the reference,
which agrees with autograd (reference/backprop.py)."""
import pytest
import torch

from grader.testing import assert_close, describe, generator, require

NAMES = ("z", "h", "o", "L", "s", "J")


def inputs(key, d=5, h=4, q=3):
    g = generator("5.3", key)
    return (torch.randn(d, generator=g, dtype=torch.float64), torch.randn(q, generator=g, dtype=torch.float64),
            torch.randn(h, d, generator=g, dtype=torch.float64), torch.randn(q, h, generator=g, dtype=torch.float64))


@pytest.mark.exercise("backprop")
@pytest.mark.points(1)
def test_forward(student, reference, tolerance):
    """forward(x, y, W1, W2, lam) returns z, h, o, L, s and J = L + s."""
    x, y, W1, W2 = inputs("forward")
    got = student.forward(x, y, W1, W2, 0.1)
    require(isinstance(got, (list, tuple)) and len(got) == 6,
            f"forward(x, y, W1, W2, lam) is {describe(got)}; expected the tuple (z, h, o, L, s, J)")
    for name, value, expected in zip(NAMES, got, reference.forward(x, y, W1, W2, 0.1)):
        assert_close(value, expected, tolerance("float32"), name=f"{name} from forward(x, y, W1, W2, 0.1)")


@pytest.mark.exercise("backprop")
@pytest.mark.points(1)
def test_backward(student, reference, tolerance):
    """backward(x, y, W1, W2, lam) returns dJ/dW1 and dJ/dW2, lambda W terms included."""
    x, y, W1, W2 = inputs("backward")
    got = student.backward(x, y, W1, W2, 0.3)
    require(isinstance(got, (list, tuple)) and len(got) == 2,
            f"backward(x, y, W1, W2, lam) is {describe(got)}; expected the tuple (dJ/dW1, dJ/dW2)")
    for name, value, expected in zip(("dJ/dW1", "dJ/dW2"), got, reference.backward(x, y, W1, W2, 0.3)):
        assert_close(value, expected, tolerance("float32"), name=f"{name} from backward(x, y, W1, W2, 0.3)")
