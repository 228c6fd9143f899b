"""Wrong versions of the 5.1 exercises that real students could write."""
import math

import torch

from tests.wrong import mistake


def collapse_drops_earlier_biases(layers):
    # Multiplies the weights but forgets that earlier biases pass through later weights.
    W, b = layers[0]
    for W_k, b_k in layers[1:]:
        W, b = W @ W_k, b_k
    return W, b


def collapse_with_multi_dot(layers):
    # torch.linalg.multi_dot needs at least two matrices: a single layer raises.
    W = torch.linalg.multi_dot([W_k for W_k, _ in layers])
    b = layers[0][1]
    for W_k, b_k in layers[1:]:
        b = b @ W_k + b_k
    return W, b


def prelu_alpha_on_the_wrong_side(x, alpha):
    zeros = torch.zeros_like(x)
    return alpha * torch.max(zeros, x) + torch.min(zeros, x)


def prelu_leak_everywhere(x, alpha):
    # Adds the leak alpha * x on both sides instead of only where x < 0.
    return torch.relu(x) + alpha * x


def prelu_grad_forgets_alpha(x, alpha):
    # The derivative of ReLU, not pReLU.
    return (x > 0).to(x.dtype)


def prelu_grad_right_at_zero(x, alpha):
    return torch.where(x >= 0, torch.ones_like(x), alpha * torch.ones_like(x))


def prelu_detached(x, alpha):
    # Goes through NumPy: the values are right but autograd cannot see the computation.
    import numpy as np
    a = x.detach().numpy()
    return torch.from_numpy(np.maximum(a, 0) + alpha * np.minimum(a, 0))


def swish_grad_without_chain_factor(x, beta):
    # d/dx sigmoid(beta x) taken as s(1 - s), forgetting the inner derivative beta.
    s = torch.sigmoid(beta * x)
    return s + x * s * (1 - s)


def swish_grad_of_sigmoid_only(x, beta):
    # The product rule is missing: only the sigmoid's own derivative.
    s = torch.sigmoid(beta * x)
    return beta * s * (1 - s)


def swish_overflows(x, beta):
    # exp(beta x) overflows to inf for large x in float32: inf / inf = NaN.
    e = torch.exp(beta * x)
    return x * e / (1 + e)


def swish_detached(x, beta):
    import numpy as np
    a = x.detach().numpy()
    return torch.from_numpy(a / (1 + np.exp(-beta * a)))


def swish_without_beta(x, beta):
    return x * torch.sigmoid(x)


def pieces_assume_positive_weights(w1, b1, w2, b2):
    # Every unit is taken to switch on to the right of its knot, which is wrong when w1 < 0.
    moving = w1 != 0
    knots = torch.sort(-b1[moving] / w1[moving]).values
    probes = torch.cat([knots[:1] - 1, (knots[:-1] + knots[1:]) / 2, knots[-1:] + 1]) \
        if len(knots) else torch.zeros(1, dtype=w1.dtype)
    on = probes[:, None] > (-b1 / torch.where(moving, w1, torch.ones_like(w1)))[None, :]
    on = torch.where(moving[None, :], on, (b1 > 0)[None, :])
    return knots, (on * (w2 * w1)).sum(1), (on * (w2 * b1)).sum(1) + b2


def pieces_ignore_flat_units(w1, b1, w2, b2):
    # Drops units with w1 = 0 altogether, and with them their constant w2 relu(b1).
    keep = w1 != 0
    w1, b1, w2 = w1[keep], b1[keep], w2[keep]
    knots = torch.sort(-b1 / w1).values
    probes = torch.cat([knots[:1] - 1, (knots[:-1] + knots[1:]) / 2, knots[-1:] + 1]) \
        if len(knots) else torch.zeros(1, dtype=w1.dtype)
    on = (probes[:, None] * w1[None, :] + b1[None, :]) > 0
    return knots, (on * (w2 * w1)).sum(1), (on * (w2 * b1)).sum(1) + b2


def pieces_forget_output_bias(w1, b1, w2, b2):
    moving = w1 != 0
    knots = torch.sort(-b1[moving] / w1[moving]).values
    probes = torch.cat([knots[:1] - 1, (knots[:-1] + knots[1:]) / 2, knots[-1:] + 1]) \
        if len(knots) else torch.zeros(1, dtype=w1.dtype)
    on = (probes[:, None] * w1[None, :] + b1[None, :]) > 0
    return knots, (on * (w2 * w1)).sum(1), (on * (w2 * b1)).sum(1)


def tanh_via_sigmoid_no_scaling(x):
    return 2 * torch.sigmoid(x) - 1


def saturation_of_the_output(eps):
    # Where sigmoid(x) reaches 1 - eps, not where its gradient falls to eps.
    return math.log((1 - eps) / eps) if eps < 0.5 else 0.0


def saturation_with_tanh_derivative(eps):
    # Solves 1 - tanh(x)^2 = eps: the derivative of the wrong function.
    return math.atanh(math.sqrt(1 - eps)) if eps < 1 else 0.0


MISTAKES = [
    mistake("collapse_drops_earlier_biases", "collapse_linear_layers",
            {"collapse_linear_layers": collapse_drops_earlier_biases}, {
        "public/test_mlp_basics::test_collapse_two_layers",
        "hidden/test_mlp_basics::test_collapse_linear_layers_identity[bottleneck]",
        "hidden/test_mlp_basics::test_collapse_linear_layers_identity[five-layers]",
        "hidden/test_mlp_basics::test_collapse_linear_layers_identity[two-layers]",
        "hidden/test_mlp_basics::test_collapse_linear_layers_matches_reference[three-layers]",
        "hidden/test_mlp_basics::test_collapse_linear_layers_matches_reference[two-layers]",
    }, message="X W + b for a stack"),
    mistake("prelu_grad_forgets_alpha", "prelu", {"prelu_grad": prelu_grad_forgets_alpha}, {
        "public/test_mlp_basics::test_prelu_book_alpha",
        "hidden/test_mlp_basics::test_prelu_grad_at_zero_is_left_derivative",
        "hidden/test_mlp_basics::test_prelu_grad_closed_form[matrix-0.25]",
        "hidden/test_mlp_basics::test_prelu_grad_closed_form[vector-0.1]",
    }, message="prelu_grad(x, 0.1)"),
    mistake("prelu_grad_right_at_zero", "prelu", {"prelu_grad": prelu_grad_right_at_zero}, {
        "hidden/test_mlp_basics::test_prelu_grad_at_zero_is_left_derivative",
    }, message="worst at [1]: got 1, expected 0.2"),
    mistake("prelu_detached", "prelu", {"prelu": prelu_detached}, {
        "hidden/test_mlp_basics::test_prelu_autograd_matches_closed_form[0.02]",
        "hidden/test_mlp_basics::test_prelu_autograd_matches_closed_form[0.1]",
        "hidden/test_mlp_basics::test_prelu_autograd_matches_closed_form[0.3]",
    }, message="does not let autograd reach x"),
    mistake("swish_grad_without_chain_factor", "swish", {"swish_grad": swish_grad_without_chain_factor}, {
        "hidden/test_mlp_basics::test_swish_grad_closed_form[beta-0.5]",
        "hidden/test_mlp_basics::test_swish_grad_closed_form[beta-0]",
        "hidden/test_mlp_basics::test_swish_grad_closed_form[beta-2]",
    }, message="swish_grad(x, 0.5)"),
    mistake("swish_without_beta", "swish", {"swish": swish_without_beta}, {
        "hidden/test_mlp_basics::test_swish_autograd_matches_closed_form[1.5]",
        "hidden/test_mlp_basics::test_swish_values[beta-0.5]",
        "hidden/test_mlp_basics::test_swish_values[beta-0]",
        "hidden/test_mlp_basics::test_swish_values[beta-2]",
    }, message="swish(x, 2.0)"),
    mistake("pieces_assume_positive_weights", "relu_mlp_pieces",
            {"relu_mlp_pieces": pieces_assume_positive_weights}, {
        "public/test_mlp_basics::test_relu_mlp_pieces_two_units",
        "hidden/test_mlp_basics::test_relu_mlp_pieces_match_reference[eight-units]",
        "hidden/test_mlp_basics::test_relu_mlp_pieces_match_reference[five-units]",
        "hidden/test_mlp_basics::test_relu_mlp_pieces_match_reference[one-unit]",
        "hidden/test_mlp_basics::test_relu_mlp_pieces_reproduce_the_network[eight-units]",
        "hidden/test_mlp_basics::test_relu_mlp_pieces_reproduce_the_network[five-units]",
        "hidden/test_mlp_basics::test_relu_mlp_pieces_reproduce_the_network[one-unit]",
        "hidden/test_mlp_basics::test_relu_mlp_pieces_units_without_knot[one-flat-unit]",
    }, message="slopes"),
    mistake("pieces_ignore_flat_units", "relu_mlp_pieces", {"relu_mlp_pieces": pieces_ignore_flat_units}, {
        "hidden/test_mlp_basics::test_relu_mlp_pieces_units_without_knot[all-flat]",
        "hidden/test_mlp_basics::test_relu_mlp_pieces_units_without_knot[one-flat-unit]",
    }, message="intercepts"),
    mistake("tanh_via_sigmoid_no_scaling", "tanh_via_sigmoid", {"tanh_via_sigmoid": tanh_via_sigmoid_no_scaling}, {
        "public/test_mlp_basics::test_tanh_via_sigmoid_range",
        "hidden/test_mlp_basics::test_tanh_via_sigmoid[float32]",
        "hidden/test_mlp_basics::test_tanh_via_sigmoid[float64]",
        "hidden/test_mlp_basics::test_tanh_via_sigmoid[large]",
    }, message="tanh_via_sigmoid(x)"),
    mistake("saturation_of_the_output", "sigmoid_saturation", {"sigmoid_saturation": saturation_of_the_output}, {
        "public/test_mlp_basics::test_sigmoid_saturation_one_percent",
        "hidden/test_mlp_basics::test_sigmoid_saturation_at_the_maximum[0.4]",
        "hidden/test_mlp_basics::test_sigmoid_saturation_at_the_maximum[quarter]",
        "hidden/test_mlp_basics::test_sigmoid_saturation_value[0.1]",
        "hidden/test_mlp_basics::test_sigmoid_saturation_value[0.2]",
        "hidden/test_mlp_basics::test_sigmoid_saturation_value[1e-3]",
    }, message="sigmoid_saturation(0.01)"),
    mistake("saturation_with_tanh_derivative", "sigmoid_saturation",
            {"sigmoid_saturation": saturation_with_tanh_derivative}, {
        "public/test_mlp_basics::test_sigmoid_saturation_one_percent",
        "hidden/test_mlp_basics::test_sigmoid_saturation_at_the_maximum[0.4]",
        "hidden/test_mlp_basics::test_sigmoid_saturation_at_the_maximum[quarter]",
        "hidden/test_mlp_basics::test_sigmoid_saturation_gradient_is_below_eps[0.01]",
        "hidden/test_mlp_basics::test_sigmoid_saturation_gradient_is_below_eps[0.05]",
        "hidden/test_mlp_basics::test_sigmoid_saturation_value[0.1]",
        "hidden/test_mlp_basics::test_sigmoid_saturation_value[0.2]",
        "hidden/test_mlp_basics::test_sigmoid_saturation_value[1e-3]",
        "hidden/test_mlp_basics::test_sigmoid_saturation_value[1e-4]",
    }, message="has not vanished yet"),
]

MISTAKES += [
    mistake("collapse_with_multi_dot", "collapse_linear_layers", {"collapse_linear_layers": collapse_with_multi_dot}, {
        "hidden/test_mlp_basics::test_collapse_linear_layers_identity[one-layer]",
    }, message="multi_dot"),
    mistake("prelu_alpha_on_the_wrong_side", "prelu", {"prelu": prelu_alpha_on_the_wrong_side}, {
        "public/test_mlp_basics::test_prelu_book_alpha",
        "hidden/test_mlp_basics::test_prelu_autograd_matches_closed_form[0.02]",
        "hidden/test_mlp_basics::test_prelu_autograd_matches_closed_form[0.1]",
        "hidden/test_mlp_basics::test_prelu_autograd_matches_closed_form[0.3]",
        "hidden/test_mlp_basics::test_prelu_values[matrix-0.25]",
        "hidden/test_mlp_basics::test_prelu_values[relu-0]",
        "hidden/test_mlp_basics::test_prelu_values[vector-0.1]",
    }, message="prelu(x, 0.1)"),
    mistake("swish_grad_of_sigmoid_only", "swish", {"swish_grad": swish_grad_of_sigmoid_only}, {
        "public/test_mlp_basics::test_swish_beta_one",
        "hidden/test_mlp_basics::test_swish_grad_closed_form[beta-0.5]",
        "hidden/test_mlp_basics::test_swish_grad_closed_form[beta-0]",
        "hidden/test_mlp_basics::test_swish_grad_closed_form[beta-1]",
        "hidden/test_mlp_basics::test_swish_grad_closed_form[beta-2]",
    }, message="swish_grad(x, 1.0)"),
    mistake("pieces_forget_output_bias", "relu_mlp_pieces", {"relu_mlp_pieces": pieces_forget_output_bias}, {
        "hidden/test_mlp_basics::test_relu_mlp_pieces_match_reference[eight-units]",
        "hidden/test_mlp_basics::test_relu_mlp_pieces_match_reference[five-units]",
        "hidden/test_mlp_basics::test_relu_mlp_pieces_match_reference[one-unit]",
        "hidden/test_mlp_basics::test_relu_mlp_pieces_match_reference[three-units]",
        "hidden/test_mlp_basics::test_relu_mlp_pieces_reproduce_the_network[eight-units]",
        "hidden/test_mlp_basics::test_relu_mlp_pieces_reproduce_the_network[five-units]",
        "hidden/test_mlp_basics::test_relu_mlp_pieces_reproduce_the_network[one-unit]",
        "hidden/test_mlp_basics::test_relu_mlp_pieces_reproduce_the_network[three-units]",
        "hidden/test_mlp_basics::test_relu_mlp_pieces_units_without_knot[all-flat]",
        "hidden/test_mlp_basics::test_relu_mlp_pieces_units_without_knot[one-flat-unit]",
    }, message="intercepts"),
    mistake("swish_overflows", "swish", {"swish": swish_overflows}, {
        "hidden/test_mlp_basics::test_swish_values[beta-1]",
        "hidden/test_mlp_basics::test_swish_values[beta-2]",
    }, message="NaN"),
    mistake("swish_detached", "swish", {"swish": swish_detached}, {
        "hidden/test_mlp_basics::test_swish_autograd_matches_closed_form[1.5]",
        "hidden/test_mlp_basics::test_swish_autograd_matches_closed_form[1]",
    }, message="does not let autograd reach x"),
    mistake("prelu_leak_everywhere", "prelu", {"prelu": prelu_leak_everywhere}, {
        "public/test_mlp_basics::test_prelu_book_alpha",
        "hidden/test_mlp_basics::test_prelu_autograd_matches_closed_form[0.02]",
        "hidden/test_mlp_basics::test_prelu_autograd_matches_closed_form[0.1]",
        "hidden/test_mlp_basics::test_prelu_autograd_matches_closed_form[0.3]",
        "hidden/test_mlp_basics::test_prelu_values[identity-1]",
        "hidden/test_mlp_basics::test_prelu_values[matrix-0.25]",
        "hidden/test_mlp_basics::test_prelu_values[vector-0.1]",
    }, message="prelu(x, 1.0)"),
]
