"""What each student wrote, read from their notebook without running it: every code cell
split into top-level pieces (each function, class or assignment its own piece, the statements
between them grouped), each piece normalised and fingerprinted once.

A piece remembers the book section it sits in (from the headings above it, as the grader
reads them) so that an exercise takes the definition of its names from its own section:
HW1 has an ``f`` in 2.4 and another in 2.5. ``@d2l.add_to_class(C)`` methods belong to ``C``.
"""
from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.errors import NotebookError
from grader.publish.similarity.tokens import Prints, Tokens, blank_magics, fingerprint, normalise

# The headings the grader reads sections from (grader/grading/notebook.py): "## 4.4 ...".
SECTION_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*(?:§\s*|Section\s+)?(\d{1,2})\.(\d{1,2})(?=[.\s:)]|$)",
                             re.IGNORECASE | re.MULTILINE)
ADD_TO_CLASS = "add_to_class"


@dataclass(frozen=True)
class Piece:
    """One top-level definition (``name`` set) or a run of other statements (``name`` empty)."""

    text: str
    tokens: Tokens
    prints: Prints
    name: str = ""
    method: bool = False         # an ``add_to_class`` method of the class ``name``
    section: str | None = None
    order: int = 0               # position among the notebook's pieces


@dataclass(frozen=True)
class Work:
    """Everything one participant wrote, in notebook order."""

    pieces: tuple[Piece, ...]

    def unit(self, names: Sequence[str], *, section: str | None) -> tuple[Piece, ...]:
        """The pieces that define ``names`` as seen at the end of ``section``: for each name
        its last definition in that section (else its last anywhere), then the methods
        ``add_to_class`` gives it after that definition."""
        chosen: list[Piece] = []
        for name in names:
            found = [p for p in self.pieces if p.name == name and not p.method]
            own = [p for p in found if p.section == section]
            last = (own or found)[-1] if found else None
            after = last.order if last else -1
            chosen += ([last] if last else []) + [p for p in self.pieces
                                                  if p.name == name and p.method and p.order > after]
        return tuple({p.order: p for p in chosen}.values())


@dataclass(frozen=True)
class Cell:
    source: str
    section: str | None = None


def notebook_cells(path: Path, *, max_bytes: int) -> list[Cell]:
    """The code cells of a notebook (nbformat 3 or 4) with their sections; NotebookError if
    the file is not one."""
    if path.is_symlink() or not path.is_file():
        raise NotebookError(f"{path.name} is not a file")
    if path.stat().st_size > max_bytes:
        raise NotebookError(f"{path.name} is larger than {max_bytes // 2**20} MB")
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise NotebookError(f"{path.name} is not a readable notebook ({type(exc).__name__})") from None
    raw = data.get("cells") if isinstance(data, dict) else None
    if raw is None and isinstance(data, dict) and isinstance(data.get("worksheets"), list) and data["worksheets"]:
        sheet = data["worksheets"][0]
        raw = sheet.get("cells") if isinstance(sheet, dict) else None
    if not isinstance(raw, list):
        raise NotebookError(f"{path.name} is not a notebook (it has no cells)")
    cells: list[Cell] = []
    section: str | None = None
    for cell in raw:
        if not isinstance(cell, dict):
            continue
        kind = cell.get("cell_type")
        text = _text(cell.get("source", cell.get("input", "")))
        meta = cell.get("metadata")
        grader = meta.get("grader") if isinstance(meta, dict) else None
        marked = grader.get("section") if isinstance(grader, dict) else None
        if isinstance(marked, str) and marked:
            section = marked[:20]
        if kind in ("markdown", "heading"):
            found = SECTION_HEADING.findall(text)
            if found and not marked:
                section = f"{int(found[-1][0])}.{int(found[-1][1])}"
        elif kind == "code" and text.strip():
            cells.append(Cell(text, section))
    return cells


def _text(source: object) -> str:
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def read_work(cells: Iterable[Cell]) -> Work:
    pieces: list[Piece] = []
    for cell in cells:
        for text, name, method in split_cell(cell.source):
            tokens = normalise(text)
            pieces.append(Piece(text=text, tokens=tokens, prints=fingerprint(tokens.words), name=name,
                                method=method, section=cell.section, order=len(pieces)))
    return Work(tuple(pieces))


def split_cell(source: str) -> list[tuple[str, str, bool]]:
    """(text, name, is an add_to_class method) for each top-level piece of a cell. A cell that
    does not parse is one piece."""
    blank = blank_magics(source)
    if not blank.strip():
        return []
    try:
        tree = ast.parse(blank)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return [(blank.strip("\n"), "", False)]
    lines = blank.splitlines(keepends=True)
    out: list[tuple[str, str, bool]] = []
    loose: list[str] = []
    for node in tree.body:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        text = "".join(lines[first - 1:node.end_lineno or node.lineno]).strip("\n")
        name, method = _defines(node)
        if name:
            if loose:
                out.append(("\n".join(loose), "", False))
                loose = []
            out.append((text, name, method))
        elif text.strip():
            loose.append(text)
    if loose:
        out.append(("\n".join(loose), "", False))
    return out


def _defines(node: ast.stmt) -> tuple[str, bool]:
    """The name a top-level statement defines (and whether it is an add_to_class method)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        for decorator in getattr(node, "decorator_list", []):
            if (isinstance(decorator, ast.Call) and _last_name(decorator.func) == ADD_TO_CLASS
                    and decorator.args and _last_name(decorator.args[0])):
                return _last_name(decorator.args[0]), True
        return node.name, False
    targets = node.targets if isinstance(node, ast.Assign) else \
        [node.target] if isinstance(node, ast.AnnAssign) else []
    for target in targets:
        if isinstance(target, ast.Name):
            return target.id, False
    return "", False


def _last_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""
