"""Public checks for 5.1: run them with `grader check`."""
import math

import pytest
import torch

from grader.testing import assert_close, require, expect_tensor, generator


@pytest.mark.exercise("collapse_linear_layers")
@pytest.mark.points(0.5)
def test_collapse_two_layers(student, tolerance):
    """Two layers (3 -> 4 -> 2) collapse to one: X W + b equals the stack on a random X."""
    g = generator("public collapse")
    layers = [(torch.randn(3, 4, generator=g, dtype=torch.float64), torch.randn(4, generator=g, dtype=torch.float64)),
              (torch.randn(4, 2, generator=g, dtype=torch.float64), torch.randn(2, generator=g, dtype=torch.float64))]
    W, b = student.collapse_linear_layers(layers)
    X = torch.randn(5, 3, generator=g, dtype=torch.float64)
    stacked = (X @ layers[0][0] + layers[0][1]) @ layers[1][0] + layers[1][1]
    assert_close(X @ expect_tensor(W, "W", shape=(3, 2)) + expect_tensor(b, "b", shape=(2,)), stacked,
                 tolerance("mlp_basics_float64"), name="X W + b")


@pytest.mark.exercise("prelu")
@pytest.mark.points(0.5)
def test_prelu_book_alpha(student, tolerance):
    """pReLU with alpha = 0.1, and its derivative 1 / 0.1, on a few points."""
    x = torch.tensor([-2.0, -0.5, 0.5, 3.0])
    assert_close(student.prelu(x, 0.1), torch.tensor([-0.2, -0.05, 0.5, 3.0]), tolerance("float32"),
                 name="prelu(x, 0.1)")
    assert_close(student.prelu_grad(x, 0.1), torch.tensor([0.1, 0.1, 1.0, 1.0]), tolerance("float32"),
                 name="prelu_grad(x, 0.1)")


@pytest.mark.exercise("swish")
@pytest.mark.points(0.5)
def test_swish_beta_one(student, tolerance):
    """Swish with beta = 1 and its derivative sigmoid(x)(1 + x(1 - sigmoid(x)))."""
    x = torch.linspace(-4, 4, 9)
    s = torch.sigmoid(x)
    assert_close(student.swish(x, 1.0), x * s, tolerance("float32"), name="swish(x, 1.0)")
    assert_close(student.swish_grad(x, 1.0), s + x * s * (1 - s), tolerance("float32"),
                 name="swish_grad(x, 1.0)")


@pytest.mark.exercise("relu_mlp_pieces")
@pytest.mark.points(0.5)
def test_relu_mlp_pieces_two_units(student, tolerance):
    """f(x) = relu(x - 1) - relu(-x) has knots 0 and 1 and slopes 1, 0, 1."""
    w1 = torch.tensor([1.0, -1.0], dtype=torch.float64)
    b1 = torch.tensor([-1.0, 0.0], dtype=torch.float64)
    w2 = torch.tensor([1.0, -1.0], dtype=torch.float64)
    got = student.relu_mlp_pieces(w1, b1, w2, 0.0)
    require(isinstance(got, (tuple, list)) and len(got) == 3,
          "relu_mlp_pieces must return a tuple (knots, slopes, intercepts)")
    knots, slopes, intercepts = got
    tol = tolerance("mlp_basics_float64")
    assert_close(knots, torch.tensor([0.0, 1.0], dtype=torch.float64), tol, name="knots")
    assert_close(slopes, torch.tensor([1.0, 0.0, 1.0], dtype=torch.float64), tol, name="slopes")
    assert_close(intercepts, torch.tensor([0.0, 0.0, -1.0], dtype=torch.float64), tol, name="intercepts")


@pytest.mark.exercise("tanh_via_sigmoid")
@pytest.mark.points(0.25)
def test_tanh_via_sigmoid_range(student, tolerance):
    """tanh_via_sigmoid agrees with torch.tanh on [-3, 3]."""
    x = torch.linspace(-3, 3, 13)
    assert_close(student.tanh_via_sigmoid(x), torch.tanh(x), tolerance("float32"), name="tanh_via_sigmoid(x)")


@pytest.mark.exercise("sigmoid_saturation")
@pytest.mark.points(0.5)
def test_sigmoid_saturation_one_percent(student, tolerance):
    """The sigmoid's gradient falls to 0.01 at x = 2 atanh(sqrt(0.96)) ≈ 4.585."""
    assert_close(student.sigmoid_saturation(0.01), 2 * math.atanh(math.sqrt(0.96)),
                 tolerance("mlp_basics_saturation"), name="sigmoid_saturation(0.01)")
