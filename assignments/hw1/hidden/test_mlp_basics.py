"""Hidden tests for 5.1 Multilayer perceptrons."""
import math

import pytest
import torch

from grader.bookcode.perceptrons import ACTIVATION_GRAD
from grader.testing import assert_close, require, expect_tensor, generator

# Expected values are closed forms computed here, in float64.


def sigmoid_grad(x):
    s = torch.sigmoid(torch.as_tensor(x, dtype=torch.float64))
    return s * (1 - s)


def autograd_of(student, name, x, param):
    """x.grad after ``name(x, param).sum().backward()`` in the kernel."""
    grad = student.run(ACTIVATION_GRAD, activation=student.value(name), x=x, param=param,
                       label=f"{name}(x, {param}).sum().backward()")
    require(grad is not None, f"x.grad is None after {name}(x, {param}).sum().backward(): {name} "
          "does not let autograd reach x (NumPy, .detach() or .item() inside?)")
    return expect_tensor(grad, f"the autograd gradient of {name}", shape=tuple(x.shape))


# --------------------------------------------------------------------------- collapse

def random_stack(key, widths, dtype):
    g = generator("stack", key, widths)
    return [(torch.randn((m, n), generator=g, dtype=torch.float64).to(dtype),
             torch.randn(n, generator=g, dtype=torch.float64).to(dtype))
            for m, n in zip(widths[:-1], widths[1:])]


def apply_stack(X, layers):
    H = X.double()
    for W, b in layers:
        H = H @ W.double() + b.double()
    return H


STACKS = {"one-layer": (4, 3), "two-layers": (5, 3, 2), "bottleneck": (4, 1, 6, 3),
          "five-layers": (3, 4, 2, 5, 3, 2)}


@pytest.mark.exercise("collapse_linear_layers")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("widths", STACKS.values(), ids=STACKS.keys())
def test_collapse_linear_layers_identity(student, tolerance, widths):
    """X W + b equals the stack of layers on random X (float64)."""
    layers = random_stack("identity", widths, torch.float64)
    W, b = student.collapse_linear_layers(layers)
    W = expect_tensor(W, "W", shape=(widths[0], widths[-1]))
    b = expect_tensor(b, "b", shape=(widths[-1],))
    X = torch.randn((7, widths[0]), generator=generator("collapse X", widths), dtype=torch.float64)
    assert_close(X @ W.double() + b.double(), apply_stack(X, layers), tolerance("mlp_basics_float64"),
                 name=f"X W + b for a stack of widths {widths}")


@pytest.mark.exercise("collapse_linear_layers")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("widths", [(3, 5, 2), (6, 2, 4, 3)], ids=["two-layers", "three-layers"])
def test_collapse_linear_layers_matches_reference(student, reference, tolerance, widths):
    """(W, b) equal the product of the weights and the propagated biases (float32)."""
    layers = random_stack("float32", widths, torch.float32)
    W, b = student.collapse_linear_layers(layers)
    eW, eb = reference.collapse_linear_layers(layers)
    assert_close(W, eW, tolerance("float32"), name="W")
    assert_close(b, eb, tolerance("float32"), name="b")


# --------------------------------------------------------------------------- prelu

PRELU_CASES = {"vector-0.1": ((9,), 0.1, torch.float32), "matrix-0.25": ((3, 4), 0.25, torch.float64),
               "relu-0": ((2, 5), 0.0, torch.float32), "identity-1": ((6,), 1.0, torch.float64)}


def prelu_input(shape, dtype, key="prelu"):
    """Random nonzero values, half of them negative."""
    x = 3 * torch.randn(shape, generator=generator(key, shape), dtype=torch.float64)
    return torch.where(x == 0, torch.ones_like(x), x).to(dtype)


@pytest.mark.exercise("prelu")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("case", PRELU_CASES, ids=PRELU_CASES)
def test_prelu_values(student, tolerance, case):
    """prelu(x, alpha) = max(0, x) + alpha min(0, x)."""
    shape, alpha, dtype = PRELU_CASES[case]
    x = prelu_input(shape, dtype)
    expected = x.double().clamp(min=0) + alpha * x.double().clamp(max=0)
    assert_close(expect_tensor(student.prelu(x, alpha), f"prelu(x, {alpha})", shape=shape), expected,
                 tolerance("float32"), name=f"prelu(x, {alpha})")


@pytest.mark.exercise("prelu")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("case", ["vector-0.1", "matrix-0.25"])
def test_prelu_grad_closed_form(student, tolerance, case):
    """prelu_grad is 1 for x > 0 and alpha for x < 0."""
    shape, alpha, dtype = PRELU_CASES[case]
    x = prelu_input(shape, dtype, key="prelu grad")
    expected = torch.where(x > 0, 1.0, alpha).double()
    assert_close(expect_tensor(student.prelu_grad(x, alpha), f"prelu_grad(x, {alpha})", shape=shape),
                 expected, tolerance("float32"), name=f"prelu_grad(x, {alpha})")


@pytest.mark.exercise("prelu")
@pytest.mark.points(0.25)
def test_prelu_grad_at_zero_is_left_derivative(student, tolerance):
    """At x = 0 prelu_grad takes the left derivative, alpha."""
    x = torch.tensor([-1.0, 0.0, 1.0, 0.0])
    assert_close(student.prelu_grad(x, 0.2), torch.tensor([0.2, 0.2, 1.0, 0.2]), tolerance("float32"),
                 name="prelu_grad(x, 0.2) at x = [-1, 0, 1, 0]")


@pytest.mark.exercise("prelu")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("alpha", [0.1, 0.3, 0.02], ids=["0.1", "0.3", "0.02"])
def test_prelu_autograd_matches_closed_form(student, tolerance, alpha):
    """Autograd through your prelu gives 1 / alpha, the derivative worked out by hand."""
    x = prelu_input((11,), torch.float64, key=f"prelu autograd {alpha}")
    got = autograd_of(student, "prelu", x, alpha)
    assert_close(got, torch.where(x > 0, 1.0, alpha).double(), tolerance("float32"),
                 name=f"autograd's derivative of prelu(x, {alpha})")


# --------------------------------------------------------------------------- swish

SWISH_CASES = {"beta-1": (1.0, torch.float32), "beta-0.5": (0.5, torch.float64),
               "beta-2": (2.0, torch.float32), "beta-0": (0.0, torch.float64)}


def swish_input(dtype, key):
    x = torch.cat([torch.linspace(-6, 6, 13, dtype=torch.float64),
                   torch.tensor([-100.0, -30.0, 30.0, 100.0], dtype=torch.float64),
                   torch.randn(6, generator=generator("swish", key), dtype=torch.float64)])
    return x.to(dtype)


@pytest.mark.exercise("swish")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("case", SWISH_CASES, ids=SWISH_CASES)
def test_swish_values(student, tolerance, case):
    """swish(x, beta) = x sigmoid(beta x), including |x| up to 100."""
    beta, dtype = SWISH_CASES[case]
    x = swish_input(dtype, case)
    expected = x.double() * torch.sigmoid(beta * x.double())
    assert_close(expect_tensor(student.swish(x, beta), f"swish(x, {beta})", shape=x.shape), expected,
                 tolerance("float32"), name=f"swish(x, {beta})")


@pytest.mark.exercise("swish")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("case", SWISH_CASES, ids=SWISH_CASES)
def test_swish_grad_closed_form(student, tolerance, case):
    """swish_grad(x, beta) = s + beta x s (1 - s) with s = sigmoid(beta x)."""
    beta, dtype = SWISH_CASES[case]
    x = swish_input(dtype, "grad " + case)
    s = torch.sigmoid(beta * x.double())
    expected = s + beta * x.double() * s * (1 - s)
    assert_close(expect_tensor(student.swish_grad(x, beta), f"swish_grad(x, {beta})", shape=x.shape),
                 expected, tolerance("float32"), name=f"swish_grad(x, {beta})")


@pytest.mark.exercise("swish")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("beta", [1.0, 1.5], ids=["1", "1.5"])
def test_swish_autograd_matches_closed_form(student, tolerance, beta):
    """Autograd through your swish agrees with the closed-form derivative."""
    x = torch.linspace(-8, 8, 33, dtype=torch.float64)
    got = autograd_of(student, "swish", x, beta)
    s = torch.sigmoid(beta * x)
    assert_close(got, s + beta * x * s * (1 - s), tolerance("float32"),
                 name=f"autograd's derivative of swish(x, {beta})")


# --------------------------------------------------------------------------- piecewise linear

def network(x, w1, b1, w2, b2):
    """f(x) for a batch of scalars x, float64."""
    return torch.relu(x[:, None] * w1[None, :] + b1[None, :]) @ w2 + b2


def random_net(key, h):
    g = generator("pieces", key, h)
    w1, b1, w2 = (torch.randn(h, generator=g, dtype=torch.float64) for _ in range(3))
    return w1, b1, w2, float(torch.randn(1, generator=g, dtype=torch.float64))


def expect_pieces(got, num_knots):
    require(isinstance(got, (tuple, list)) and len(got) == 3,
          f"relu_mlp_pieces returned {type(got).__name__}; expected a tuple (knots, slopes, intercepts)")
    knots, slopes, intercepts = got
    expect_tensor(knots, "knots", shape=(num_knots,))
    expect_tensor(slopes, "slopes", shape=(num_knots + 1,))
    expect_tensor(intercepts, "intercepts", shape=(num_knots + 1,))
    return knots.double(), slopes.double(), intercepts.double()


NETS = {"five-units": 5, "one-unit": 1, "eight-units": 8, "three-units": 3}


@pytest.mark.exercise("relu_mlp_pieces")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("net", NETS, ids=NETS)
def test_relu_mlp_pieces_match_reference(student, reference, tolerance, net):
    """knots, slopes and intercepts equal the reference's on random networks."""
    w1, b1, w2, b2 = random_net(net, NETS[net])
    knots, slopes, intercepts = expect_pieces(student.relu_mlp_pieces(w1, b1, w2, b2), NETS[net])
    e_knots, e_slopes, e_intercepts = reference.relu_mlp_pieces(w1, b1, w2, b2)
    tol = tolerance("mlp_basics_float64")
    assert_close(knots, e_knots, tol, name="knots")
    assert_close(slopes, e_slopes, tol, name="slopes")
    assert_close(intercepts, e_intercepts, tol, name="intercepts")


@pytest.mark.exercise("relu_mlp_pieces")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("net", NETS, ids=NETS)
def test_relu_mlp_pieces_reproduce_the_network(student, tolerance, net):
    """On every interval, slope·x + intercept equals f(x) at random points."""
    w1, b1, w2, b2 = random_net(net, NETS[net])
    knots, slopes, intercepts = expect_pieces(student.relu_mlp_pieces(w1, b1, w2, b2), NETS[net])
    require(bool((knots[1:] > knots[:-1]).all()), f"the knots {knots.tolist()} are not sorted ascending")
    edges = torch.cat([knots[:1] - 5, knots, knots[-1:] + 5]) if len(knots) else torch.tensor([-5.0, 5.0])
    g = generator("pieces points", net)
    for j in range(len(slopes)):
        lo, hi = float(edges[j]), float(edges[j + 1])
        x = lo + (hi - lo) * torch.rand(5, generator=g, dtype=torch.float64)
        assert_close(slopes[j] * x + intercepts[j], network(x, w1, b1, w2, b2),
                     tolerance("mlp_basics_float64"),
                     name=f"slopes[{j}]·x + intercepts[{j}] against f(x) for x in ({lo:.3g}, {hi:.3g})")


@pytest.mark.exercise("relu_mlp_pieces")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("case", ["one-flat-unit", "all-flat"])
def test_relu_mlp_pieces_units_without_knot(student, reference, tolerance, case):
    """A unit with w1[i] = 0 adds no knot, only the constant w2[i]·relu(b1[i])."""
    w1 = torch.tensor([1.5, 0.0, -2.0, 0.0] if case == "one-flat-unit" else [0.0, 0.0], dtype=torch.float64)
    b1 = torch.tensor([0.5, 2.0, 1.0, -1.0] if case == "one-flat-unit" else [3.0, -1.0], dtype=torch.float64)
    w2 = torch.tensor([1.0, 0.5, -1.0, 4.0] if case == "one-flat-unit" else [2.0, 5.0], dtype=torch.float64)
    num_knots = 2 if case == "one-flat-unit" else 0
    knots, slopes, intercepts = expect_pieces(student.relu_mlp_pieces(w1, b1, w2, 0.25), num_knots)
    e_knots, e_slopes, e_intercepts = reference.relu_mlp_pieces(w1, b1, w2, 0.25)
    tol = tolerance("mlp_basics_float64")
    assert_close(knots, e_knots, tol, name="knots")
    assert_close(slopes, e_slopes, tol, name="slopes")
    assert_close(intercepts, e_intercepts, tol, name="intercepts")


# --------------------------------------------------------------------------- tanh

@pytest.mark.exercise("tanh_via_sigmoid")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("case", ["float32", "float64", "large"])
def test_tanh_via_sigmoid(student, tolerance, case):
    """tanh_via_sigmoid equals torch.tanh, also far into saturation."""
    if case == "large":
        x = torch.tensor([[-50.0, -20.0, 20.0], [50.0, 1e-3, -1e-3]])
    else:
        dtype = torch.float32 if case == "float32" else torch.float64
        x = 2 * torch.randn((4, 5), generator=generator("tanh", case), dtype=dtype)
    got = expect_tensor(student.tanh_via_sigmoid(x), "tanh_via_sigmoid(x)", shape=tuple(x.shape))
    assert_close(got, torch.tanh(x.double()), tolerance("float32"), name="tanh_via_sigmoid(x)")


# --------------------------------------------------------------------------- sigmoid saturation

@pytest.mark.exercise("sigmoid_saturation")
@pytest.mark.points(0.125)
@pytest.mark.parametrize("eps", [0.2, 0.1, 1e-3, 1e-4], ids=["0.2", "0.1", "1e-3", "1e-4"])
def test_sigmoid_saturation_value(student, tolerance, eps):
    """The smallest x >= 0 with sigmoid'(x) <= eps (closed form in float64)."""
    r = math.sqrt(1 - 4 * eps)
    expected = math.log((1 + r) ** 2 / (4 * eps))
    assert_close(student.sigmoid_saturation(eps), expected, tolerance("mlp_basics_saturation"),
                 name=f"sigmoid_saturation({eps:g})")


@pytest.mark.exercise("sigmoid_saturation")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("eps", [0.25, 0.4], ids=["quarter", "0.4"])
def test_sigmoid_saturation_at_the_maximum(student, tolerance, eps):
    """For eps >= 1/4 (the derivative's maximum) the answer is 0."""
    assert_close(student.sigmoid_saturation(eps), 0.0, tolerance("mlp_basics_saturation"),
                 name=f"sigmoid_saturation({eps:g})")


@pytest.mark.exercise("sigmoid_saturation")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("eps", [0.05, 1e-2], ids=["0.05", "0.01"])
def test_sigmoid_saturation_gradient_is_below_eps(student, tolerance, eps):
    """At the returned x the sigmoid's gradient is at most eps."""
    x = student.sigmoid_saturation(eps)
    require(isinstance(x, (int, float)) or (isinstance(x, torch.Tensor) and x.numel() == 1),
          f"sigmoid_saturation({eps:g}) returned {type(x).__name__}; expected a number")
    x = float(x)
    require(x >= 0, f"sigmoid_saturation({eps:g}) is {x:.6g}; expected x >= 0")
    grad = float(sigmoid_grad(x))
    require(grad <= eps * (1 + tolerance("mlp_basics_saturation").rtol),
          f"the sigmoid's gradient at sigmoid_saturation({eps:g}) = {x:.6g} is {grad:.6g}, "
          f"above eps = {eps:g}: the gradient there has not vanished yet")
