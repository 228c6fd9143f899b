"""Reference solutions for 3.1 Linear regression (the body and its exercises)."""
from __future__ import annotations

import math

import numpy as np
import torch


def add_loop(a, b):
    """a + b one element at a time, as the book's first timing cell does (3.1.2)."""
    c = torch.zeros(len(a), dtype=torch.result_type(a, b))
    for i in range(len(a)):
        c[i] = a[i] + b[i]
    return c


def add_vectorized(a, b):
    """a + b in one vectorised operation (3.1.2)."""
    return a + b


def normal(x, mu, sigma):
    """The density of the normal distribution N(mu, sigma^2) at x (3.1.3)."""
    p = 1 / math.sqrt(2 * math.pi * sigma ** 2)
    return p * np.exp(-0.5 * (x - mu) ** 2 / sigma ** 2)


def squared_loss(y_hat, y):
    """Per-example squared loss (y_hat - y)^2 / 2, with y reshaped to y_hat's shape (3.1.1)."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def analytic_solution(X, y):
    """The minimiser w* = (X^T X)^-1 X^T y of ||y - X w||^2 (3.1.1), via a linear solve."""
    return torch.linalg.solve(X.T @ X, X.T @ y)


def best_constant_l2(x):
    """The b minimising sum_i (x_i - b)^2: the mean (exercise 1 of 3.1)."""
    return x.mean()


def best_constant_l1(x):
    """A b minimising sum_i |x_i - b|: any median (exercise 1 of 3.1)."""
    return x.median()


def augment_ones(X):
    """X with a column of ones appended: x^T w + b = (x, 1)^T (w, b) (exercise 2 of 3.1)."""
    ones = torch.ones((X.shape[0], 1), dtype=X.dtype)
    return torch.cat((X, ones), dim=1)


def quadratic_features(X):
    """X followed by the products x_i x_j for i <= j, in torch.triu_indices order
    (exercise 3 of 3.1): a linear model on these is a quadratic model of x."""
    i, j = torch.triu_indices(X.shape[1], X.shape[1])
    return torch.cat((X, X[:, i] * X[:, j]), dim=1)


def ridge_solution(X, y, lam):
    """The minimiser of ||y - X w||^2 + lam ||w||^2: (X^T X + lam I)^-1 X^T y; unique for
    lam > 0 even when X^T X is singular (exercise 4 of 3.1)."""
    d = X.shape[1]
    return torch.linalg.solve(X.T @ X + lam * torch.eye(d, dtype=X.dtype), X.T @ y)


def laplace_nll(y_hat, y):
    """-log P(y | X) when the noise has density exp(-|e|) / 2 (exercise 5 of 3.1):
    sum_i |y_i - y_hat_i| + log 2."""
    r = (y_hat - y.reshape(y_hat.shape)).abs()
    return (r + math.log(2)).sum()


def collapse_linear(W1, b1, W2, b2):
    """The single layer (W, b) equal to two stacked linear layers (X W1 + b1) W2 + b2
    (exercise 6 of 3.1)."""
    return W1 @ W2, b1 @ W2 + b2


def poisson_nll(log_rate, k):
    """-log P(k | lambda) summed over entries, with lambda = exp(log_rate) (exercise 8 of 3.1):
    lambda - k log lambda + log k!."""
    k = k.to(log_rate.dtype)
    return (torch.exp(log_rate) - k * log_rate + torch.lgamma(k + 1)).sum()
