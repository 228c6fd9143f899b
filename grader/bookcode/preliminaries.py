"""Kernel code for chapter 2 (preliminaries): tensors and frames made in the kernel, so that a
test can see what the student's code did to them, and autograd runs around the student's
functions. Public, like all of ``grader.bookcode``; what comes back is compared in the
grader's process."""
from __future__ import annotations

__all__ = ["ZEROS", "REGION", "COLUMNS", "BOOK_CONTROL_FLOW_F", "BACKWARD_TWICE_TWICE", "F_GRADIENT",
           "F_GRADIENT_BOOK", "SIN_DERIVATIVE_TWICE", "F_PRIME_NO_GRAD"]


# ================================================================ 2.1 data manipulation

# A tensor of zeros made in the kernel (keep it to pass it to the student's code). Binding: shape.
ZEROS = "import torch\ntorch.zeros(shape)"

# A view into rows[0]:rows[1] and cols[0]:cols[1] of a kept 2-D ``tensor``: writing into the
# view writes into that tensor's memory, and nowhere else.
REGION = "tensor[rows[0]:rows[1], cols[0]:cols[1]]"

# ================================================================ 2.2 data preprocessing

# The column names of a kept DataFrame. Binding: df.
COLUMNS = "list(df.columns)"

# ================================================================ 2.5 automatic differentiation

# The book's control-flow f, built in the kernel for grad_is_d_over_a (independent of the
# notebook's own f). Written differently from the book (the same values: doubling is exact)
# so that no line of the exercise's reference solution ships with the checks.
BOOK_CONTROL_FLOW_F = """
def book_f(a):
    b = 2 * a
    while b.norm() < 1000:
        b = 2 * b
    return b if b.sum() > 0 else 100 * b
book_f
"""

# backward_twice called twice on the same x: both results, then x, x.grad and
# x.requires_grad as the calls left them. Binding: x0.
BACKWARD_TWICE_TWICE = """
import torch
x = x0.clone()
first = backward_twice(x)
first = first.detach().clone() if isinstance(first, torch.Tensor) else first
second = backward_twice(x)
(first, second, x.detach().clone(), x.grad, x.requires_grad)
"""

# The notebook's f on a fresh leaf a, then f(a).sum().backward() when f(a) needs grad:
# (whether it did, f(a), a.grad). Binding: a0.
F_GRADIENT = """
import torch
a = a0.clone().requires_grad_(True)
d = f(a)
connected = isinstance(d, torch.Tensor) and d.requires_grad
if connected:
    d.sum().backward()
(connected, d.detach() if isinstance(d, torch.Tensor) else d, a.grad)
"""

# The book's run of f: (f(a), a.grad) after f(a).sum().backward(). Binding: a0.
F_GRADIENT_BOOK = "a = a0.clone().requires_grad_(True)\nd = f(a)\nd.sum().backward()\n(d.detach(), a.grad)"

# sin_derivative called twice on the same x: both results, then x.grad and
# x.requires_grad as the calls left them. Bindings: x0, requires_grad.
SIN_DERIVATIVE_TWICE = """
import torch
x = x0.clone().requires_grad_(requires_grad)
first = sin_derivative(x)
first = first.detach().clone() if isinstance(first, torch.Tensor) else first
second = sin_derivative(x)
(first, second, x.grad, x.requires_grad)
"""

# f_prime_manual(x) inside torch.no_grad(), where autograd records nothing. Binding: x.
F_PRIME_NO_GRAD = "import torch\nwith torch.no_grad():\n    _g = f_prime_manual(x)\n_g"
