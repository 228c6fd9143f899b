"""Reference solutions for 2.3 Linear algebra."""
from __future__ import annotations

import torch


def transpose(A: torch.Tensor) -> torch.Tensor:
    """The transpose of a matrix built by indexing: row j of the result is column j of A
    (exercises 1 and 2 of 2.3 check its properties)."""
    m, n = A.shape
    if n == 0:
        return A.new_empty((0, m))
    return torch.stack([A[:, j] for j in range(n)])


def is_symmetric(A: torch.Tensor) -> bool:
    """Whether A is a square matrix equal to its transpose (exercise 3 of 2.3)."""
    if A.dim() != 2 or A.shape[0] != A.shape[1]:
        return False
    return bool((A == A.T).all())


def symmetrize(A: torch.Tensor) -> torch.Tensor:
    """A + Aᵀ for a square matrix A, which is always symmetric (exercise 3 of 2.3)."""
    if A.dim() != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"A + A.T needs a square matrix, got shape {tuple(A.shape)}")
    return A + A.T


def first_axis_len(X: torch.Tensor) -> int:
    """What ``len(X)`` returns for a tensor of any shape: the length of axis 0 (exercises 4-5)."""
    if X.dim() == 0:
        raise TypeError("len() of a 0-d tensor")
    return X.shape[0]


def row_normalize(A: torch.Tensor) -> torch.Tensor:
    """Each row divided by its sum; keepdims makes it broadcast for any shape (exercise 6)."""
    return A / A.sum(axis=1, keepdims=True)


def manhattan_distance(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """The distance travelled along streets and avenues: the L1 norm of p - q (exercise 7)."""
    return torch.abs(p - q).sum()


def sum_shapes(shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    """The shapes of X.sum(axis=i) for every axis i of a tensor of this shape (exercise 8)."""
    shape = tuple(shape)
    return [shape[:i] + shape[i + 1:] for i in range(len(shape))]


def frobenius_norm(X: torch.Tensor) -> torch.Tensor:
    """The square root of the sum of squares of all entries, for any number of axes, which is
    what torch.linalg.norm computes for them (exercise 9)."""
    return torch.sqrt((X * X).sum())


def matmul_chain_flops(shapes: list[tuple[int, int]]) -> tuple[int, int]:
    """Scalar multiplications for (AB)C and for A(BC) given the shapes of A, B, C (exercise 10)."""
    (m, n), (n2, p), (p2, q) = shapes
    if n != n2 or p != p2:
        raise ValueError(f"shapes {list(shapes)} cannot be multiplied in a chain")
    return m * n * p + m * p * q, n * p * q + m * n * q


def stack_and_recover(A: torch.Tensor, B: torch.Tensor, C: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The three matrices stacked along a new first axis, and B sliced back out (exercise 12)."""
    stacked = torch.stack([A, B, C])
    return stacked, stacked[1]


def l1_norm(x: torch.Tensor) -> torch.Tensor:
    """The sum of absolute values (2.3.11 Norms)."""
    return torch.abs(x).sum()


def l2_norm(x: torch.Tensor) -> torch.Tensor:
    """The square root of the sum of squares, from the definition (2.3.11 Norms)."""
    return torch.sqrt((x * x).sum())


def matvec(A: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """A x as the dot products of the rows of A with x (2.3.9), without torch.mv or @."""
    return (A * x).sum(axis=1)


def matmul(A: torch.Tensor, B: torch.Tensor) -> torch.Tensor:
    """A B: entry (i, j) is the dot product of row i of A and column j of B (2.3.10),
    without torch.mm or @."""
    return (A[:, :, None] * B[None, :, :]).sum(axis=1)
