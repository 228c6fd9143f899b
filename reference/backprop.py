"""Reference solutions for 5.3 Forward propagation, backward propagation and computational
graphs: the section's one-hidden-layer network with phi = tanh and l(o, y) = ||o - y||^2 / 2.

Shapes follow the book: x (d,), W1 (h, d), W2 (q, h), y (q,).
"""
from __future__ import annotations

import torch


def forward(x, y, W1, W2, lam):
    """The forward pass of 5.3.1: z, h, o, the loss L, the penalty s and the objective J."""
    z = W1 @ x
    h = torch.tanh(z)
    o = W2 @ h
    L = 0.5 * ((o - y) ** 2).sum()
    s = lam / 2 * ((W1 ** 2).sum() + (W2 ** 2).sum())
    J = L + s
    return z, h, o, L, s, J


def backward(x, y, W1, W2, lam):
    """dJ/dW1 and dJ/dW2 by the chain rule of 5.3.3, each with its lambda W term."""
    z, h, o, L, s, J = forward(x, y, W1, W2, lam)
    dJ_do = o - y
    dJ_dW2 = torch.outer(dJ_do, h) + lam * W2
    dJ_dh = W2.T @ dJ_do
    dJ_dz = dJ_dh * (1 - h ** 2)
    dJ_dW1 = torch.outer(dJ_dz, x) + lam * W1
    return dJ_dW1, dJ_dW2


def backward_with_bias(x, y, W1, b1, W2, lam):
    """Exercise 2 of 5.3: a bias b1 in the hidden layer (z = W1 x + b1), not penalised.
    Returns dJ/dW1, dJ/db1 and dJ/dW2."""
    z = W1 @ x + b1
    h = torch.tanh(z)
    o = W2 @ h
    dJ_do = o - y
    dJ_dW2 = torch.outer(dJ_do, h) + lam * W2
    dJ_dz = (W2.T @ dJ_do) * (1 - h ** 2)
    dJ_dW1 = torch.outer(dJ_dz, x) + lam * W1
    dJ_db1 = dJ_dz
    return dJ_dW1, dJ_db1, dJ_dW2


def input_grad(f, X):
    """Exercise 1 of 5.3: the gradient of a scalar f at an n x m matrix X, by autograd;
    it is n x m too, one partial derivative per entry of X."""
    X = X.detach().clone().requires_grad_(True)
    f(X).backward()
    return X.grad


def activation_memory(batch, d, h, q):
    """Exercise 3 of 5.3: bytes of float32 intermediate values for a minibatch of ``batch``
    examples. Training keeps X, Z, H and O until the backward pass; prediction only needs
    the input and output of one step at a time (X -> Z, Z -> H, H -> O)."""
    train = 4 * batch * (d + 2 * h + q)
    predict = 4 * batch * max(d + h, 2 * h, h + q)
    return train, predict
