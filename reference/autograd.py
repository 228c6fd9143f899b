"""Reference solutions for 2.5 Automatic differentiation."""
from __future__ import annotations

import torch


def detach_grads(x):
    """2.5.3 on one leaf x: the gradient of z = u * x with u = (x * x).detach() (which is u),
    then, after resetting x.grad, the gradient of y = x * x (which is 2x)."""
    x = x.detach().clone().requires_grad_(True)
    y = x * x
    u = y.detach()
    z = u * x
    z.sum().backward()
    grad_z = x.grad.clone()
    x.grad.zero_()
    y.sum().backward()
    return grad_z, x.grad


def backward_twice(x):
    """x.grad after running backward twice on y = 2 x^T x: the two gradients add up to 8x. The
    second call needs retain_graph=True on the first, which otherwise frees the saved x."""
    x = x.detach().clone().requires_grad_(True)
    y = 2 * torch.dot(x, x)
    y.backward(retain_graph=True)
    y.backward()
    return x.grad


def f(a):
    """The book's control-flow example; f(a) = k * a for a k that depends on a, so it works
    for vectors and matrices as well and the gradient of f(a).sum() is f(a) / a."""
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


def grad_is_d_over_a(f, a):
    """Whether the gradient of f(a).sum() equals f(a) / a elementwise, up to float rounding
    (never ==: 100 * b rounds, and d / a then differs from a.grad in the last bit)."""
    a = a.detach().clone().requires_grad_(True)
    d = f(a)
    d.sum().backward()
    return bool(torch.allclose(a.grad, d.detach() / a.detach()))


def sin_derivative(x):
    """The derivative of sin at x by autograd (no cos); x itself is left untouched."""
    x = x.detach().clone().requires_grad_(True)
    torch.sin(x).sum().backward()
    return x.grad


def f_prime_manual(x):
    """d/dx [log(x^2) sin x + 1/x] = (2/x) sin x + log(x^2) cos x - 1/x^2, by hand."""
    return 2 / x * torch.sin(x) + torch.log(x ** 2) * torch.cos(x) - 1 / x ** 2
