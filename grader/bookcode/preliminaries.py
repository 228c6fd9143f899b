"""Kernel code for chapter 2 (preliminaries): tensors made in the kernel, so that a test can
see what the student's code did to them. Public, like all of ``grader.bookcode``."""
from __future__ import annotations

__all__ = ["ZEROS", "REGION"]

# ================================================================ 2.1 data manipulation

# A tensor of zeros made in the kernel (keep it to pass it to the student's code). Binding: shape.
ZEROS = "import torch\ntorch.zeros(shape)"

# A view into rows[0]:rows[1] and cols[0]:cols[1] of a kept 2-D ``tensor``: writing into the
# view writes into that tensor's memory, and nowhere else.
REGION = "tensor[rows[0]:rows[1], cols[0]:cols[1]]"
