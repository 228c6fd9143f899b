"""Helpers for writing assignment tests: comparisons, type checks and seeded inputs."""
from __future__ import annotations

import zlib
from typing import Any

import torch

from grader.errors import StudentError
from grader.judge.bridge import Ref
from grader.judge.compare import Mismatch, assert_close, describe, require

__all__ = ["Mismatch", "assert_close", "require", "describe", "expect_tensor", "expect_raises",
           "generator", "Ref", "StudentError"]


def generator(*key: Any) -> torch.Generator:
    """A torch generator seeded from ``key``: the same inputs on every run and machine."""
    return torch.Generator().manual_seed(zlib.crc32(repr(key).encode()))


def expect_tensor(value: Any, name: str, *, shape: tuple | None = None) -> torch.Tensor:
    """``value`` as a tensor, or Mismatch saying what it was instead."""
    if not isinstance(value, torch.Tensor):
        raise Mismatch(f"{name} is {describe(value)}; expected a tensor")
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise Mismatch(f"{name} has shape {tuple(value.shape)}; expected shape {tuple(shape)}")
    return value


def expect_raises(call: Any, error_type: str, *, what: str) -> StudentError:
    """Run ``call()`` and require the student's code to raise ``error_type``."""
    try:
        value = call()
    except StudentError as exc:
        if exc.traceback.type != error_type:
            raise Mismatch(f"{what} raised {exc.traceback.type}; expected {error_type}") from None
        return exc
    raise Mismatch(f"{what} returned {describe(value)}; expected it to raise {error_type}")
