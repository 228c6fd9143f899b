"""Reference solutions for 2.1 Data manipulation."""
from __future__ import annotations

import torch


def compare(X: torch.Tensor, Y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Elementwise X == Y, X < Y and X > Y (exercise 1 of 2.1)."""
    return X == Y, X < Y, X > Y


def broadcast_shape(a_shape: tuple[int, ...], b_shape: tuple[int, ...]) -> tuple[int, ...]:
    """The shape of ``a + b`` under broadcasting (exercise 2 of 2.1), or ValueError."""
    a, b = tuple(a_shape), tuple(b_shape)
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    out = []
    for i, (p, q) in enumerate(zip(a, b)):
        if p != q and 1 not in (p, q):
            raise ValueError(f"shapes {tuple(a_shape)} and {tuple(b_shape)} differ at axis {i} "
                             f"({p} vs {q}) and neither is 1")
        out.append(q if p == 1 else p)
    return tuple(out)


def add_into(Z: torch.Tensor, X: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
    """Write X + Y into Z's existing memory (2.1.6 Saving memory)."""
    Z[:] = X + Y
    return Z


def broadcast_add(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``a + b`` computed by first copying both operands out to the broadcast shape, which is
    what broadcasting does implicitly (exercise 2 of 2.1)."""
    shape = broadcast_shape(a.shape, b.shape)
    return a.expand(shape) + b.expand(shape)
