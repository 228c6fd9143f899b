"""What one submission may use: ``[limits]`` in assignment.toml with the command line's
overrides, checked when they are made."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from grader.errors import UsageError


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Times in seconds, sizes in MB."""

    cell_timeout: float = 120.0
    notebook_timeout: float = 600.0
    call_timeout: float = 20.0
    memory_mb: int = 4096
    cpu_seconds: int = 1200
    processes: int = 256
    file_size_mb: int = 256
    open_files: int = 1024
    scratch_mb: int = 1024
    output_kb: int = 256
    notebook_mb: int = 50
    reply_mb: int = 64         # array data in the values of one reply (and of one call's arguments)
    message_mb: int = 128      # one request or reply on the kernel's channels, envelope included
    kernel_restarts: int = 2

    def __post_init__(self) -> None:
        for name, value in self.__dict__.items():
            whole, least = type(getattr(Limits, name)) is int, 0 if name == "kernel_restarts" else None
            if not is_number(value, whole=whole) or not (value > 0 if least is None else value >= least):
                raise UsageError(f"limit {name} must be {'a whole number' if whole else 'a number'} "
                                 f"{'more than 0' if least is None else f'at least {least}'} (got {value!r})")

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    def with_overrides(self, **changes: Any) -> "Limits":
        known = {k: v for k, v in changes.items() if v is not None}
        unknown = set(known) - set(self.__dict__)
        if unknown:
            raise UsageError(f"unknown limit(s): {', '.join(sorted(unknown))}")
        return replace(self, **known)


def is_number(value: Any, *, whole: bool = False) -> bool:
    """An int (or, unless ``whole``, a float) as TOML or the command line gives it; not a bool."""
    return not isinstance(value, bool) and isinstance(value, int if whole else (int, float))
