"""Reference solutions for 5.1 Multilayer perceptrons (the end-of-section exercises)."""
from __future__ import annotations

import math

import torch


def collapse_linear_layers(layers: list) -> tuple[torch.Tensor, torch.Tensor]:
    """The single affine layer (W, b) equal to a stack of layers H -> H W_k + b_k applied in
    order: fold them in one at a time, W <- W W_k and b <- b W_k + b_k."""
    W, b = layers[0]
    for W_k, b_k in layers[1:]:
        W, b = W @ W_k, b @ W_k + b_k
    return W, b


def prelu(x: torch.Tensor, alpha: float) -> torch.Tensor:
    """pReLU(x) = max(0, x) + alpha * min(0, x)."""
    zeros = torch.zeros_like(x)
    return torch.max(zeros, x) + alpha * torch.min(zeros, x)


def prelu_grad(x: torch.Tensor, alpha: float) -> torch.Tensor:
    """d pReLU / dx: 1 for x > 0, alpha for x <= 0 (the left derivative at 0, as the book
    takes for ReLU)."""
    return torch.where(x > 0, torch.ones_like(x), alpha * torch.ones_like(x))


def swish(x: torch.Tensor, beta: float) -> torch.Tensor:
    """Swish(x) = x * sigmoid(beta * x)."""
    return x * torch.sigmoid(beta * x)


def swish_grad(x: torch.Tensor, beta: float) -> torch.Tensor:
    """d Swish / dx = s + beta * x * s * (1 - s) with s = sigmoid(beta * x)."""
    s = torch.sigmoid(beta * x)
    return s + beta * x * s * (1 - s)


def relu_mlp_pieces(w1: torch.Tensor, b1: torch.Tensor, w2: torch.Tensor,
                    b2: float) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The linear pieces of f(x) = sum_i w2[i] * relu(w1[i] * x + b1[i]) + b2 on scalar x.

    Returns (knots, slopes, intercepts): the sorted points -b1[i] / w1[i] where a unit with
    w1[i] != 0 switches, and, on each of the len(knots) + 1 intervals between them (left to
    right), the slope and intercept of f there: the sums of w2[i] * w1[i] and w2[i] * b1[i]
    over the units that are on in that interval (plus b2)."""
    moving = w1 != 0
    knots = torch.sort(-b1[moving] / w1[moving]).values
    if len(knots):
        probes = torch.cat([knots[:1] - 1, (knots[:-1] + knots[1:]) / 2, knots[-1:] + 1])
    else:
        probes = torch.zeros(1, dtype=w1.dtype)
    on = (probes[:, None] * w1[None, :] + b1[None, :]) > 0
    slopes = (on * (w2 * w1)).sum(dim=1)
    intercepts = (on * (w2 * b1)).sum(dim=1) + b2
    return knots, slopes, intercepts


def tanh_via_sigmoid(x: torch.Tensor) -> torch.Tensor:
    """tanh(x) = 2 sigmoid(2x) - 1, using the sigmoid only."""
    return 2 * torch.sigmoid(2 * x) - 1


def sigmoid_saturation(eps: float) -> float:
    """The smallest x >= 0 where the sigmoid's gradient s(1 - s) is at most ``eps``.

    s(1 - s) = eps gives s = (1 + r) / 2 with r = sqrt(1 - 4 eps), so x = log(s / (1 - s))
    = 2 atanh(r); for eps >= 1/4 the gradient is already at most eps at x = 0."""
    if eps >= 0.25:
        return 0.0
    return 2 * math.atanh(math.sqrt(1 - 4 * eps))
