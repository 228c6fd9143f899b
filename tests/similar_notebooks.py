"""Notebooks for the similarity report's tests and benchmark: the released HW1 notebook filled
with the kept wrong implementations (tests/wrong), copies of a notebook with every variable
renamed or with its functions reordered and comments rewritten, and a check that two pieces
of code were not derived from each other (half their lines the same, character for character).

Imports the reference solutions and tests/wrong (torch): tests and benchmarks only.
"""
from __future__ import annotations

import ast
import builtins
import copy
import importlib
import inspect
import io
import pkgutil
import re
import textwrap
import tokenize
from collections.abc import Callable
from functools import cache
from pathlib import Path

import nbformat

import tests.wrong
from grader.assignment import load_assignment
from grader.release import build_notebook

ASSIGNMENT = load_assignment("hw1")
BOOK_NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"
KEEP = set(dir(builtins)) | {"self", "cls", "torch", "nn", "F", "np", "pd", "d2l", "math", "time", "os",
                             "random", "inspect", "plt"}


@cache
def release_notebook() -> nbformat.NotebookNode:
    return build_notebook(ASSIGNMENT, solved=False)


def filled(code: dict[str, str], answers: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """The released notebook with ``code`` in the exercises' cells (the stub elsewhere) and
    ``answers`` in the answer cells."""
    nb = copy.deepcopy(release_notebook())
    for cell in nb.cells:
        meta = cell.metadata.get("grader", {})
        if meta.get("exercise") in code:
            cell.source = code[meta["exercise"]]
        if meta.get("answer") in (answers or {}):
            cell.source = f"**Answer {meta['answer']}:** {answers[meta['answer']]}"
    return nb


def write(nb: nbformat.NotebookNode, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def mistake_source(name: str, obj: object) -> str:
    """A kept mistake as a student would write it: under the book's name."""
    source = textwrap.dedent(inspect.getsource(obj))
    return re.sub(rf"^(def|class) {re.escape(obj.__name__)}\b", rf"\1 {name}", source, count=1, flags=re.MULTILINE)


@cache
def mistakes_by_exercise() -> dict[str, list[str]]:
    """Every kept mistake's code, per exercise, in the order tests/wrong keeps them."""
    found: dict[str, list[str]] = {}
    for info in pkgutil.iter_modules(tests.wrong.__path__):
        module = importlib.import_module(f"tests.wrong.{info.name}")
        for m in getattr(module, "MISTAKES", []):
            parts = [mistake_source(k, v) for k, v in m.replace.items() if inspect.isfunction(v) or inspect.isclass(v)]
            if parts:
                found.setdefault(m.exercise, []).append("\n\n".join(parts))
    return found


def mistake_students(count: int) -> list[dict[str, str]]:
    """``count`` students' code, exercise by exercise: each exercise's kept mistakes go to the
    students in turn (starting one further along for each exercise, so everyone gets some),
    skipping a mistake that repeats code already handed out (see ``derived``); the other
    students keep that exercise's stub."""
    students: list[dict[str, str]] = [{} for _ in range(count)]
    for number, (exercise, sources) in enumerate(sorted(mistakes_by_exercise().items())):
        taken: list[str] = []
        for source in sources:
            if len(taken) < count and not any(derived(source, other) for other in taken):
                students[(number + len(taken)) % count][exercise] = source
                taken.append(source)
    return students


def body_lines(source: str) -> list[str]:
    """Lines of code as written, without blank lines, comments, docstrings and headers."""
    out = []
    for line in source.splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith(('"""', "'''", "def ", "class ", "@")) and line not in ('"""', "'''"):
            out.append(line)
    return out


def derived(a: str, b: str) -> bool:
    """Lines found character for character in the other make up 40% of the shorter one's
    code: one was written from the other (as most kept mistakes are from the reference)."""
    one, two = set(body_lines(a)), set(body_lines(b))
    if not one or not two:
        return False
    same = sum(len(line) for line in one & two)
    return same >= 0.4 * min(sum(map(len, one)), sum(map(len, two)))


def rewrite(source: str, change: Callable[[tokenize.TokenInfo, list[tokenize.TokenInfo]], str | None]) -> str:
    """``source`` with tokens replaced where ``change(token, earlier tokens)`` says so."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    edits = []
    for i, t in enumerate(tokens):
        new = change(t, tokens[:i])
        if new is not None:
            edits.append((starts[t.start[0] - 1] + t.start[1], starts[t.end[0] - 1] + t.end[1], new))
    for start, end, new in reversed(edits):
        source = source[:start] + new + source[end:]
    return source


def renamed(source: str, *, keep: set[str] = frozenset(), prefix: str = "my_") -> str:
    """Every function, class, parameter, variable and ``self`` attribute a cell binds renamed
    (``keep``: the names the grader looks for)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    names: set[str] = set()
    attributes: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
              and isinstance(node.value, ast.Name) and node.value.id == "self"):
            attributes.add(node.attr)
    names -= KEEP | set(keep)

    def change(t: tokenize.TokenInfo, before: list[tokenize.TokenInfo]) -> str | None:
        if t.type != tokenize.NAME:
            return None
        after_dot = before and before[-1].string == "."
        if after_dot and len(before) > 1 and before[-2].string == "self" and t.string in attributes:
            return prefix + t.string
        if not after_dot and t.string in names:
            return prefix + t.string
        return None

    return rewrite(source, change)


def reordered(source: str, *, tag: str = "rewritten") -> str:
    """Top-level statements in reverse order, every comment and docstring rewritten."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    lines = source.splitlines()
    parts = ["\n".join(lines[min([n.lineno, *(d.lineno for d in getattr(n, "decorator_list", []))]) - 1:n.end_lineno])
             for n in tree.body]
    reversed_source = "\n\n\n".join(reversed(parts)) + "\n"

    def change(t: tokenize.TokenInfo, before: list[tokenize.TokenInfo]) -> str | None:
        if t.type == tokenize.COMMENT:
            return f"# {tag}: see the notes below"
        significant = [b for b in before if b.type not in (tokenize.NL, tokenize.COMMENT, tokenize.INDENT,
                                                           tokenize.DEDENT)]
        if t.type == tokenize.STRING and t.string.startswith(('"""', "'''")) and significant \
                and significant[-1].type == tokenize.NEWLINE:
            return f'"""{tag.capitalize()}: what this does, in other words."""'
        return None

    return rewrite(reversed_source, change)
