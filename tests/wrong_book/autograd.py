"""Wrong versions of 2.5 Automatic differentiation: the book's f, and the state it leaves."""
import torch

from reference.autograd import f as book_f
from tests.wrong_book import mistake

X = torch.arange(4.0)


def x_with_grad(grad):
    x = X.clone().requires_grad_(True)
    x.grad = grad.clone()
    return x


def f_without_loop(a):
    b = a * 2
    return b if b.sum() > 0 else 100 * b


def f_without_branch(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    return b


def f_from_a(a):
    b = a
    while b.norm() < 1000:
        b = b * 2
    return b if b.sum() > 0 else 100 * b


def a_with_grad_twice():
    a = torch.tensor(0.37, requires_grad=True)
    d = book_f(a)
    a.grad = 2 * (d / a).detach()   # d.backward() run twice: the gradients add up
    return a, d


_a, _d = a_with_grad_twice()

MISTAKES = [
    # x.grad.zero_() forgotten before the last backward: 2x from y.sum() plus u from z.
    mistake("x_grad_not_reset", "gradients", {"x": x_with_grad(2 * X + X * X)},
            {"hidden/test_autograd::test_x_grad_is_one_of_the_books"}, message="x.grad.zero_()"),
    mistake("u_not_detached", "gradients", {"u": X.clone().requires_grad_(True) * X},
            {"hidden/test_autograd::test_detached_u_and_z"}, message="detach"),
    mistake("f_without_loop", "control_flow", {"f": f_without_loop}, {
        "hidden/test_autograd::test_f_as_the_book[positive]",
        "hidden/test_autograd::test_f_as_the_book[negative]",
        "hidden/test_autograd::test_f_as_the_book[tiny]",
    }, message="f(torch.tensor("),
    mistake("f_without_branch", "control_flow", {"f": f_without_branch},
            {"hidden/test_autograd::test_f_as_the_book[negative]"}, message="f(torch.tensor(-0.3))"),
    mistake("f_from_a", "control_flow", {"f": f_from_a},
            {"hidden/test_autograd::test_f_as_the_book[large]"}, message="f(torch.tensor(1500))"),
    mistake("backward_twice", "control_flow", {"a": _a, "d": _d},
            {"hidden/test_autograd::test_control_flow_gradient"}, message="a.grad"),
]
