"""Reference solutions for the exercises of 4.1 Softmax regression (theory)."""
from __future__ import annotations

import torch


def softmax_ce_hessian(o: torch.Tensor) -> torch.Tensor:
    """Hessian of the cross-entropy loss l(y, softmax(o)) with respect to the logits o:
    diag(p) - p p^T with p = softmax(o), whatever the label y (exercise 1 of 4.1). It is the
    covariance of the one-hot vector of a label drawn from p."""
    p = torch.exp(o - o.max())
    p = p / p.sum()
    return torch.diag(p) - torch.outer(p, p)


def bits_per_observation(n: int, num_classes: int = 3) -> float:
    """Bits per observation when n observations of num_classes equally likely classes are
    encoded jointly with one fixed-length binary code word (exercise 2 of 4.1): the fewest
    bits b with 2**b >= num_classes**n, divided by n. Integer arithmetic, so that exact powers
    of two give exact answers."""
    outcomes = num_classes ** n
    bits = 0
    while 2 ** bits < outcomes:
        bits += 1
    return bits / n


def digits_needed(num_values: int, base: int) -> int:
    """The fewest base-`base` digits (at least one) that give num_values distinct code words,
    e.g. 2 ternary units for the integers 0..7 (exercise 3 of 4.1)."""
    digits = 1
    while base ** digits < num_values:
        digits += 1
    return digits


def real_softmax(a: torch.Tensor, b: torch.Tensor, lam: float = 1.0) -> torch.Tensor:
    """lam^-1 RealSoftMax(lam a, lam b) = lam^-1 log(exp(lam a) + exp(lam b)), elementwise,
    computed relative to max(a, b) so that large lam or large inputs do not overflow
    (exercise 5 of 4.1)."""
    m = torch.maximum(a, b)
    return m + torch.log(torch.exp(lam * (a - m)) + torch.exp(lam * (b - m))) / lam


def softmin(x: torch.Tensor) -> torch.Tensor:
    """The smooth minimum -log sum_i exp(-x_i) over the last axis: a soft version of min(x),
    never above it (exercise 5 of 4.1, parts 5 and 6)."""
    m = x.min(dim=-1, keepdim=True).values
    return (m - torch.log(torch.exp(-(x - m)).sum(dim=-1, keepdim=True))).squeeze(-1)


def logsumexp(x: torch.Tensor) -> torch.Tensor:
    """The log-partition function log sum_i exp(x_i) over the last axis, stable for large and
    small inputs by shifting with b = max_i x_i (exercise 6 of 4.1)."""
    b = x.max(dim=-1, keepdim=True).values
    return (b + torch.log(torch.exp(x - b).sum(dim=-1, keepdim=True))).squeeze(-1)


def temper(p: torch.Tensor, alpha: float) -> torch.Tensor:
    """The distribution Q with Q(i) proportional to P(i)**alpha, along the last axis
    (exercise 7 of 4.1). Computed as softmax(alpha * log P) so that large alpha gives a
    one-hot vector instead of 0/0."""
    logits = alpha * torch.log(p)
    logits = logits - logits.max(dim=-1, keepdim=True).values
    q = torch.exp(logits)
    return q / q.sum(dim=-1, keepdim=True)
