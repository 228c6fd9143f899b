"""What every student was given, to be subtracted before comparing, and the reference
solutions as one more participant.

Given: the released notebook's code (the setup cell, each exercise's stub: its signature,
docstring and ``raise NotImplementedError``, and its ``check`` cell) and the book's own code
for the assignment's sections (``assignments/<id>/book/``, see scripts/book_code.py). The
reference solutions are not given: a student whose code matches them is what the report is
for, so they take part as a participant of their own.

Everything here is read from files, never imported: the reference modules import torch, which
the grading process never loads.
"""
from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator
from pathlib import Path

from jinja2 import Environment

from grader.assignment import Assignment, Exercise
from grader.errors import AssignmentError
from grader.judge.solutions import SETUP_SOURCE, stub, without_methods
from grader.publish.cells import release_templates, setup_cell
from grader.publish.similarity.sources import Cell, Work, read_work, split_cell

BOOK_FOLDER = "book"


def given_code(assignment: Assignment, release: Environment | None = None) -> list[str]:
    """The code every student starts from: the release's setup, stubs and check cells, and
    the book's code. ``release``: the release's templates (``release_templates``)."""
    release = release or release_templates()
    texts = [SETUP_SOURCE, setup_cell(assignment, f"{assignment.handout.package}.whl", release)]
    for ex in assignment.exercises:
        texts.append(release.get_template("check.py.j2").render(exercise=ex))
        texts += [stub for _, stub in _stubs(assignment, ex)]
    folder = assignment.root / BOOK_FOLDER
    texts += [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.py"))] if folder.is_dir() else []
    return texts


def given_answer_text(assignment: Assignment, exercise: Exercise, release: Environment | None = None) -> str:
    """What a free-response answer cell holds before the student writes: its placeholder,
    and the prompt a student may quote."""
    placeholder = (release or release_templates()).get_template("answer.md.j2").render(exercise=exercise)
    return f"{placeholder}\n{exercise.prompt}"


def reference_work(assignment: Assignment) -> Work:
    """The reference solutions, one "cell" per reference module, in the section of the
    exercises that use it."""
    cells: dict[str, Cell] = {}
    for ex in assignment.exercises:
        if ex.module and ex.module not in cells:
            cells[ex.module] = Cell(reference_file(assignment, ex.module).read_text(encoding="utf-8"), ex.section)
    return read_work(cells.values())


def reference_file(assignment: Assignment, module: str) -> Path:
    """Where ``reference.<topic>`` lives: beside the assignment (an unpacked autograder
    bundle) or in the project checkout, as Assignment.reference_module finds it."""
    folder = assignment.reference_dir
    path = folder / (module.split(".", 1)[-1].replace(".", "/") + ".py")
    if not path.is_file():
        raise AssignmentError(f"the reference module {module} is not at {path}")
    return path


def _stubs(assignment: Assignment, ex: Exercise) -> Iterator[tuple[str, str]]:
    """(name, stub) for what grader.stubs renders, read from the reference's source without
    importing it: each name's whole stub, a class without the methods later exercises add, and
    those methods added the book's way (``@d2l.add_to_class``)."""
    if not ex.module or ex.manual:
        return
    pieces = {name: text for text, name, method in split_cell(reference_file(assignment, ex.module)
                                                               .read_text(encoding="utf-8")) if not method}
    claimed = {name: tuple(m for other in assignment.exercises if other.methods and other.names[:1] == [name]
                           for m in other.methods) for name in ex.names}
    for name in (*ex.helpers, *ex.names):
        text = pieces.get(name)
        if text is None or not text.lstrip().startswith(("def ", "class ", "@", "async ")):
            yield name, f"{name} = None  # replace with your value"
            continue
        yield name, stub(text)
        if claimed.get(name):
            yield name, stub(without_methods(textwrap.dedent(text), claimed[name]))
    for method in ex.methods:
        text = _method_source(pieces.get(ex.names[0], ""), method)
        if text:
            yield method, f"@d2l.add_to_class({ex.names[0]})\n{stub(text)}"


def _method_source(class_source: str, method: str) -> str:
    source = textwrap.dedent(class_source)
    try:
        node = ast.parse(source).body[0]
    except (SyntaxError, IndexError):
        return ""
    lines = source.splitlines()
    for item in getattr(node, "body", []):
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == method:
            start = (item.decorator_list[0].lineno if item.decorator_list else item.lineno) - 1
            return textwrap.dedent("\n".join(lines[start:item.end_lineno]))
    return ""
