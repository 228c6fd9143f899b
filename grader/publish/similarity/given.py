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

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from grader.assignment import REFERENCE_DIR, Assignment, Exercise
from grader.errors import AssignmentError
from grader.judge.solutions import SETUP_SOURCE
from grader.publish.report import TEMPLATES
from grader.publish.similarity.sources import Cell, Work, read_work, split_cell

BOOK_FOLDER = "book"


def given_code(assignment: Assignment) -> list[str]:
    """The code every student starts from: the release's setup, stubs and check cells, and
    the book's code."""
    release = _release_templates()
    texts = [SETUP_SOURCE, release.get_template("setup.py.j2").render(imports=SETUP_SOURCE.strip())]
    for ex in assignment.exercises:
        texts.append(release.get_template("check.py.j2").render(exercise=ex))
        texts += [stub for _, stub in _stubs(assignment, ex)]
    folder = assignment.root / BOOK_FOLDER
    texts += [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.py"))] if folder.is_dir() else []
    return texts


def given_answer_text(assignment: Assignment, exercise: Exercise) -> str:
    """What a free-response answer cell holds before the student writes: its placeholder,
    and the prompt a student may quote."""
    placeholder = _release_templates().get_template("answer.md.j2").render(exercise=exercise)
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
    folder = assignment.root / "reference" if (assignment.root / "reference").is_dir() else REFERENCE_DIR
    path = folder / (module.split(".", 1)[-1].replace(".", "/") + ".py")
    if not path.is_file():
        raise AssignmentError(f"the reference module {module} is not at {path}")
    return path


def _stubs(assignment: Assignment, ex: Exercise) -> Iterator[tuple[str, str]]:
    """(name, stub) as grader.release.stub_source renders them, without importing."""
    if not ex.module or ex.manual:
        return
    pieces = {name: text for text, name, method in split_cell(reference_file(assignment, ex.module)
                                                               .read_text(encoding="utf-8")) if not method}
    for name in (*ex.helpers, *ex.names):
        text = pieces.get(name)
        if text is None or not text.lstrip().startswith(("def ", "class ", "@", "async ")):
            yield name, f"{name} = None  # replace with your value"
        else:
            yield name, stub(text)


def stub(source: str) -> str:
    """Headers, decorators and docstrings of a definition; every function body becomes
    ``raise NotImplementedError`` (what grader.release gives students)."""
    source = textwrap.dedent(source)
    lines = source.splitlines()
    out: list[str] = []

    def emit(node: ast.AST, indent: str) -> None:
        assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        start = (node.decorator_list[0].lineno if node.decorator_list else node.lineno) - 1
        body = node.body
        out.extend(lines[start:body[0].lineno - 1])
        has_doc = ast.get_docstring(node, clean=False) is not None
        if has_doc:
            out.extend(lines[body[0].lineno - 1:body[0].end_lineno])
            body = body[1:]
        if isinstance(node, ast.ClassDef):
            methods = [b for b in body if isinstance(b, (ast.FunctionDef, ast.AsyncFunctionDef))]
            if not methods and not has_doc:
                out.append(f"{indent}    pass")
            for method in methods:
                out.append("")
                emit(method, indent + "    ")
        else:
            out.append(f"{indent}    raise NotImplementedError")

    emit(ast.parse(source).body[0], "")
    return "\n".join(out)


def _release_templates() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES / "release")), undefined=StrictUndefined,
                      autoescape=False, keep_trailing_newline=False)
    env.filters["points"] = lambda x: f"{x:g}"
    return env
