"""Plausible wrong implementations, kept to prove that the hidden tests catch them.

Each topic module defines ``MISTAKES``: a list of ``Mistake`` records. A mistake replaces
one or more reference names (as a student's notebook would define them) and declares the
exact tests that must fail, so it loses exactly the points those tests are worth.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass(frozen=True)
class Mistake:
    name: str                          # named for the mistake, e.g. "softmax_no_keepdims"
    exercise: str                      # the exercise whose names it replaces
    replace: dict[str, Any]            # name -> wrong implementation
    fails: frozenset[str]              # test names (file stem::test[id]) that must fail
    message: str = ""                  # a phrase the student's message must contain
    extra: dict[str, Callable] = field(default_factory=dict)


def mistake(name: str, exercise: str, replace: dict[str, Any], fails: set[str] | list[str],
            message: str = "") -> Mistake:
    return Mistake(name, exercise, replace, frozenset(fails), message)
