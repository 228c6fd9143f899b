"""Reference solutions for 2.4 Calculus."""
from __future__ import annotations

import torch


def f(x):
    """The book's running example f(x) = 3x^2 - 4x (elementwise on tensors)."""
    return 3 * x ** 2 - 4 * x


def numerical_lim(f, x, h):
    """The book's difference quotient (f(x + h) - f(x)) / h, which tends to f'(x) as h -> 0."""
    return (f(x + h) - f(x)) / h


def numerical_derivative(f, x, h=1e-5):
    """Central difference (f(x + h) - f(x - h)) / 2h: its error shrinks like h^2, not h."""
    return (f(x + h) - f(x - h)) / (2 * h)


def d_x_pow_x(x):
    """d/dx x^x = x^x (log x + 1) for x > 0: write x^x = exp(x log x) and use the chain rule."""
    return x ** x * (torch.log(x) + 1)


def tangent_line(f, x0):
    """Slope and intercept of the tangent to f at x0: y = slope * x + intercept."""
    x = torch.tensor(float(x0), dtype=torch.float64, requires_grad=True)
    y = f(x)
    y.backward()
    slope = x.grad.item()
    return slope, y.item() - slope * float(x0)


def grad_f(x):
    """Gradient of f(x) = 3 x1^2 + 5 exp(x2): [6 x1, 5 exp(x2)]."""
    return torch.stack([6 * x[0], 5 * torch.exp(x[1])])


def grad_l2_norm(x):
    """Gradient of ||x||_2, which is x / ||x||_2 away from 0. At x = 0 the norm has a corner and
    no gradient; every vector of length <= 1 is a subgradient there, and we return the zero
    vector (as PyTorch's autograd does)."""
    norm = torch.sqrt((x * x).sum())
    if norm == 0:
        return torch.zeros_like(x)
    return x / norm


def chain_rule_grad(a, b):
    """(du/da, du/db) for u = x*y + z^2 with x = a*b, y = a + b^2, z = sin(a - b), by the
    multivariate chain rule du/da = du/dx dx/da + du/dy dy/da + du/dz dz/da (same for b)."""
    x, y, z = a * b, a + b ** 2, torch.sin(a - b)
    du_dx, du_dy, du_dz = y, x, 2 * z
    dz = torch.cos(a - b)
    du_da = du_dx * b + du_dy * 1 + du_dz * dz
    du_db = du_dx * a + du_dy * 2 * b + du_dz * (-dz)
    return du_da, du_db


def inverse_derivative(f_prime, f_inv, y):
    """(f^-1)'(y) = 1 / f'(f^-1(y)): differentiate f(f^-1(y)) = y with the chain rule."""
    return 1 / f_prime(f_inv(y))
