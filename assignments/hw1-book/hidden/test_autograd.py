"""Hidden tests for 2.5 Automatic differentiation: the book's f, and the state the section
leaves (x, x.grad, u, z, a, d, a.grad as of the end of 2.5). Gradients are recomputed here
with autograd from the book's formulas; comparisons use a tolerance, never ==."""
import pytest
import torch

from grader.testing import Mismatch, assert_close, describe, expect_tensor, require

X = torch.arange(4.0)
# x.grad after each of the book's backward cells (each starts with x.grad.zero_()), and after
# S0's extra z = y * x without detach.
GRADS = {"y = 2 * torch.dot(x, x)": 4 * X, "y = x.sum()": torch.ones(4), "y = x * x": 2 * X,
         "z = u * x with u = y.detach()": X * X, "z = y * x (no detach)": 3 * X * X}


def leaf_grad(student, name):
    """name.grad from the notebook as of the section's end (None when it has none)."""
    return getattr(student, name).grad.get()


@pytest.mark.exercise("gradients")
@pytest.mark.points(1)
def test_x_grad_is_one_of_the_books(student, tolerance):
    """x is arange(4.0) requiring grad, and x.grad one of the gradients the book's cells leave."""
    x = expect_tensor(student.value("x"), "x at the end of 2.5", shape=(4,))
    assert_close(x, X, tolerance("exact"), name="x at the end of 2.5 (torch.arange(4.0))")
    grad = leaf_grad(student, "x")
    require(grad is not None, "x.grad at the end of 2.5 is None: call x.requires_grad_(True) and run "
            "the backward cells of 2.5.1-2.5.3")
    grad = expect_tensor(grad, "x.grad at the end of 2.5", shape=(4,))
    tol = tolerance("float32")
    for expected in GRADS.values():
        try:
            assert_close(grad, expected, tol)
            return
        except Mismatch:
            continue
    raise Mismatch(f"x.grad at the end of 2.5 is {grad.tolist()}; none of the book's gradients "
                   f"({', '.join(f'{k}: {v.tolist()}' for k, v in GRADS.items())}). Gradients accumulate: "
                   "reset them with x.grad.zero_() before each backward")


@pytest.mark.exercise("gradients")
@pytest.mark.points(0.5)
def test_detached_u_and_z(student, tolerance):
    """u = (x * x).detach() and z = u * x of 2.5.3."""
    u = expect_tensor(student.value("u"), "u at the end of 2.5", shape=(4,))
    require(not u.requires_grad, "u requires grad: it should be y.detach()")
    assert_close(u, X * X, tolerance("float32"), name="u = y.detach() with y = x * x")
    z = expect_tensor(student.value("z"), "z at the end of 2.5", shape=(4,))
    assert_close(z, X * X * X, tolerance("float32"), name="z = u * x")


CASES = {"positive": 0.7, "negative": -0.3, "large": 1500.0, "tiny": 1e-3}


@pytest.mark.exercise("control_flow")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("a", CASES.values(), ids=CASES.keys())
def test_f_as_the_book(student, reference, tolerance, a):
    """f(a) doubles b = 2a until its norm reaches 1000, then keeps it (sum > 0) or multiplies by 100."""
    a = torch.tensor(a)
    got = student.f(a)
    assert_close(got, reference.f(a), tolerance("float32"), name=f"f(torch.tensor({float(a):g}))")


@pytest.mark.exercise("control_flow")
@pytest.mark.points(0.5)
def test_control_flow_gradient(student, reference, tolerance):
    """a.grad after d = f(a); d.backward() equals d / a (up to rounding: S2's == gave False)."""
    a = expect_tensor(student.value("a"), "a at the end of 2.5", shape=())
    d = expect_tensor(student.value("d"), "d at the end of 2.5", shape=())
    grad = leaf_grad(student, "a")
    require(grad is not None, "a.grad at the end of 2.5 is None: create a with requires_grad=True and "
            "call d.backward()")
    expected = reference.f(a.detach())
    assert_close(d, expected, tolerance("float32"), name="d = f(a)")
    assert_close(grad, expected / a.detach(), tolerance("float32"), name="a.grad after d.backward()")
