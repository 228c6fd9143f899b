"""The reference solutions as a student would have written them: one source of truth.

Each exercise in assignment.toml names its reference module and the names a student
defines (``names``), plus helpers those need (``helpers``, optional). From that we build
the namespace a perfect notebook would leave behind (for fast tests), and the source of
each exercise's solution cell (for the released solution notebook).
"""
from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import dataclass
from typing import Any

from grader.assignment import Assignment, Exercise
from grader.errors import AssignmentError

SETUP_SOURCE = """\
import math
import os
import time
import numpy as np
import pandas as pd
import torch
import torchvision
from torch import nn
from torch.nn import functional as F
from torchvision import transforms
from d2l import torch as d2l
"""


@dataclass(frozen=True)
class SolutionPiece:
    exercise: str
    section: str
    names: tuple[str, ...]
    source: str


def solution_pieces(assignment: Assignment) -> list[SolutionPiece]:
    """Source for every automatically graded exercise, in assignment order."""
    pieces = []
    for ex in assignment.exercises:
        if ex.manual or not ex.module or not ex.names:
            continue
        module = assignment.reference_module(ex)
        names = (*_helpers(ex), *ex.names)
        sources = []
        for name in names:
            obj = _get(module, name, ex)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                sources.append(inspect.getsource(obj).rstrip() + "\n")
            else:
                sources.append(f"{name} = {obj!r}\n")
        pieces.append(SolutionPiece(ex.id, ex.section, tuple(names), "\n\n".join(sources)))
    return pieces


def reference_namespace(assignment: Assignment, *, namespace: dict[str, Any] | None = None,
                        snapshot: Any = None) -> dict[str, Any]:
    """Fill ``namespace`` with the globals a perfect notebook ends with. ``snapshot(section)``
    is called at the end of each section, as the grader does between a notebook's sections."""
    namespace = {} if namespace is None else namespace
    exec(SETUP_SOURCE, namespace)
    current = None
    for ex in assignment.exercises:
        if current is not None and ex.section != current and snapshot is not None:
            snapshot(current)
        current = ex.section
        if ex.manual or not ex.module:
            continue
        module = assignment.reference_module(ex)
        for name in (*_helpers(ex), *ex.names):
            namespace[name] = _get(module, name, ex)
    if current is not None and snapshot is not None:
        snapshot(current)
    return namespace


def _helpers(ex: Exercise) -> tuple[str, ...]:
    return ex.helpers


def _get(module: Any, name: str, ex: Exercise) -> Any:
    try:
        return getattr(module, name)
    except AttributeError:
        raise AssignmentError(f"exercise {ex.id!r}: {ex.module} has no {name!r}") from None


# ---------------------------------------------------------------- stubs (source in, source out)

def without_methods(source: str, methods: tuple[str, ...]) -> str:
    """A class's source without the named methods (and the blank lines above them)."""
    if not methods:
        return source
    lines = source.splitlines()
    node = ast.parse(source).body[0]
    drop: set[int] = set()
    for item in getattr(node, "body", []):
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name in methods:
            start = (item.decorator_list[0].lineno if item.decorator_list else item.lineno) - 1
            while start > 0 and not lines[start - 1].strip():
                start -= 1
            drop.update(range(start, item.end_lineno or start + 1))
    return "\n".join(line for i, line in enumerate(lines) if i not in drop) + "\n"


def stub(source: str) -> str:
    """Keep headers, decorators and docstrings; every function body becomes a raise."""
    source = textwrap.dedent(source)
    lines = source.splitlines()
    out: list[str] = []

    def emit(node: Any, indent: str) -> None:
        start = (node.decorator_list[0].lineno if node.decorator_list else node.lineno) - 1
        body = node.body
        doc = ast.get_docstring(node, clean=False)
        first = body[0]
        out.extend(lines[start:first.lineno - 1])
        inner = indent + "    "
        if doc is not None:
            out.extend(lines[first.lineno - 1:first.end_lineno])
            body = body[1:]
        if isinstance(node, ast.ClassDef):
            methods = [b for b in body if isinstance(b, (ast.FunctionDef, ast.AsyncFunctionDef))]
            if not methods and doc is None:
                out.append(f"{inner}pass")
            for m in methods:
                out.append("")
                emit(m, inner)
        else:
            out.append(f"{inner}raise NotImplementedError")

    emit(ast.parse(source).body[0], "")
    return "\n".join(out)
