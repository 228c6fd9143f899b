"""The code cells of a released notebook, written so that each name a student fills in is
stubbed once.

An exercise's cell stubs (or, in the solution notebook, solves) the names it declares. A
class that several exercises test is written in the first one's cell; an exercise that asks
for more of its methods (``methods`` in its declaration) adds them the book's way, with
``@d2l.add_to_class(Class)``, and an exercise that tests the class again gets no code cell.

``redefinitions`` is the release's check of the rule on a rendered notebook, and
``filled_where_first_stubbed`` the notebook of a student who fills in every stub where it
first appears and leaves the later cells as released (the release grades it).
"""
from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import dataclass
from typing import Any

import nbformat

from grader.assignment import Assignment, Exercise
from grader.errors import AssignmentError
from grader.grading.notebook import prepare
from grader.judge.solutions import stub, without_methods


@dataclass(frozen=True)
class ExerciseCode:
    """An exercise's code cell: the stub students get and the reference solution."""

    exercise: str
    stub: str
    solution: str


def exercise_code(assignment: Assignment) -> dict[str, ExerciseCode]:
    """The code cell of every automatic exercise that asks for code no earlier cell holds."""
    claimed = _claimed_methods(assignment)
    written: dict[str, Any] = {}   # name -> the reference object an earlier cell wrote
    cells: dict[str, ExerciseCode] = {}
    for ex in assignment.exercises:
        if ex.manual or not ex.module or not ex.names:
            continue
        module = assignment.reference_module(ex)
        code = (_methods_code(ex, module, written) if ex.methods
                else _names_code(ex, module, written, claimed))
        if code is not None:
            cells[ex.id] = code
    return cells


def _claimed_methods(assignment: Assignment) -> dict[int, tuple[str, ...]]:
    """Methods that exercises add to a class later, by the id of the reference class."""
    claimed: dict[int, tuple[str, ...]] = {}
    for ex in assignment.exercises:
        if ex.methods:
            cls = _the_class(ex, assignment.reference_module(ex))
            claimed[id(cls)] = (*claimed.get(id(cls), ()), *ex.methods)
    return claimed


def _names_code(ex: Exercise, module: Any, written: dict[str, Any],
                claimed: dict[int, tuple[str, ...]]) -> ExerciseCode | None:
    stubs, solutions = [], []
    for name in (*ex.helpers, *ex.names):
        obj = _get(module, name, ex)
        if written.get(name) is obj:
            continue   # an earlier exercise's cell holds it; this one tests it again
        written[name] = obj
        if inspect.isclass(obj) or inspect.isfunction(obj):
            source = textwrap.dedent(inspect.getsource(obj))
            if inspect.isclass(obj):
                source = without_methods(source, claimed.get(id(obj), ()))
            solutions.append(source.rstrip())
            stubs.append(stub(source))
        else:
            solutions.append(f"{name} = {obj!r}")
            stubs.append(f"{name} = None  # replace with your value")
    if not stubs:
        return None
    return ExerciseCode(ex.id, "\n\n\n".join(stubs), "\n\n\n".join(solutions))


def _methods_code(ex: Exercise, module: Any, written: dict[str, Any]) -> ExerciseCode:
    cls = _the_class(ex, module)
    name = cls.__name__
    if written.get(ex.names[0]) is not cls:
        raise AssignmentError(f"exercise {ex.id!r} adds methods to {name}, which no earlier exercise defines")
    stubs, solutions = [], []
    for method in ex.methods:
        function = cls.__dict__.get(method)
        if not inspect.isfunction(function):
            raise AssignmentError(f"exercise {ex.id!r}: {ex.module}.{name} has no method {method!r}")
        source = textwrap.dedent(inspect.getsource(function))
        solutions.append(f"@d2l.add_to_class({name})\n{source.rstrip()}")
        stubs.append(f"@d2l.add_to_class({name})\n{stub(source)}")
    return ExerciseCode(ex.id, "\n\n\n".join(stubs), "\n\n\n".join(solutions))


def _the_class(ex: Exercise, module: Any) -> type:
    cls = _get(module, ex.names[0], ex) if len(ex.names) == 1 else None
    if not inspect.isclass(cls):
        raise AssignmentError(f"exercise {ex.id!r}: `methods` needs exactly one class in `names`")
    return cls


def _get(module: Any, name: str, ex: Exercise) -> Any:
    try:
        return getattr(module, name)
    except AttributeError:
        raise AssignmentError(f"exercise {ex.id!r}: {ex.module} has no {name!r}") from None


# ---------------------------------------------------------------- checks on a rendered notebook

@dataclass(frozen=True)
class _Stubbed:
    cell: int
    exercise: str


def redefinitions(nb: nbformat.NotebookNode) -> list[str]:
    """Cells that bind again, at the top level, a name an earlier exercise cell of the same
    section stubbed: running the notebook would throw away what a student wrote there. Adding
    to the class with ``@d2l.add_to_class`` or subclassing it (``class C(C)``) keeps it. The
    grader reads an exercise's names as they are at the end of its section, so a later
    section may use a name again (the book's ``f`` in 2.4 and in 2.5)."""
    problems: list[str] = []
    stubbed: dict[tuple[str | None, str], _Stubbed] = {}
    for cell in prepare(nb).cells:
        exercise = _exercise_of(nb.cells[cell.index])
        try:
            bound = _bindings(ast.parse(cell.source))
        except SyntaxError as exc:
            problems.append(f"cell {cell.index} is not valid Python ({exc.msg}, line {exc.lineno})")
            continue
        for name, node in bound:
            earlier = stubbed.get((cell.section, name))
            if earlier is None or earlier.cell == cell.index or _extends(node, name):
                continue
            problems.append(f"cell {cell.index} defines `{name}` again, replacing what a student writes for "
                            f"{earlier.exercise} in cell {earlier.cell} (section {cell.section}); add to it with "
                            f"@d2l.add_to_class({name}) or a subclass instead")
        if exercise:
            for name, _ in bound:
                stubbed.setdefault((cell.section, name), _Stubbed(cell.index, exercise))
    return problems


def filled_where_first_stubbed(student: nbformat.NotebookNode,
                               solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The student notebook with each exercise cell that stubs a name for the first time in
    its section replaced by the solution's cell; later exercise cells stay as released."""
    solved = {cell.get("id"): cell.source for cell in solution.cells}
    filled = nbformat.from_dict(student)
    seen: set[tuple[str | None, str]] = set()
    for cell in prepare(filled).cells:
        original = filled.cells[cell.index]
        if not _exercise_of(original):
            continue
        names = {(cell.section, name) for name, _ in _bindings(ast.parse(cell.source))}
        if names - seen and original.get("id") in solved:
            original.source = solved[original["id"]]
        seen |= names
    return filled


def _exercise_of(cell: Any) -> str:
    meta = (cell.get("metadata") or {}).get("grader") or {}
    return str(meta.get("exercise") or "") if isinstance(meta, dict) else ""


def _bindings(tree: ast.Module) -> list[tuple[str, ast.AST]]:
    """Names a cell binds at its top level (inside top-level if/try/with/for blocks too)."""
    found: list[tuple[str, ast.AST]] = []

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found.append((node.name, node))
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                found.extend(((a.asname or a.name.split(".")[0]), node) for a in node.names)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    found.extend((n.id, node) for n in ast.walk(target) if isinstance(n, ast.Name))
            for block in ("body", "orelse", "finalbody"):
                if isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
                    visit(getattr(node, block, []))
            for handler in getattr(node, "handlers", []):
                visit(handler.body)

    visit(tree.body)
    return found


def _extends(node: ast.AST, name: str) -> bool:
    """``class C(C)``: a subclass of the earlier class keeps what the student wrote in it."""
    return isinstance(node, ast.ClassDef) and any(isinstance(b, ast.Name) and b.id == name for b in node.bases)
