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
import multiprocessing
import re
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from grader.errors import NotebookError
from grader.publish.similarity.tokens import Prints, blank_magics, fingerprint, normalise
from grader.text import valid_text

# The headings the grader reads sections from (grader/grading/notebook.py): "## 4.4 ...".
SECTION_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*(?:§\s*|Section\s+)?(\d{1,2})\.(\d{1,2})(?=[.\s:)]|$)",
                             re.IGNORECASE | re.MULTILINE)
ADD_TO_CLASS = "add_to_class"
CHUNK = 20            # notebooks a reading process takes at a time


@dataclass(frozen=True, eq=False)
class Part:
    """A top-level definition (``name`` set) or a run of other statements (``name`` empty),
    fingerprinted: the same wherever the same cell appears, so it is made once per run."""

    text: str
    spans: np.ndarray            # (tokens, 2) character offsets of the normalised tokens
    prints: Prints
    name: str = ""
    method: bool = False         # an ``add_to_class`` method of the class ``name``


@dataclass(frozen=True, eq=False)
class Piece:
    """A part where one notebook has it."""

    part: Part
    section: str | None = None
    order: int = 0               # position among the notebook's pieces

    text = property(lambda self: self.part.text)
    spans = property(lambda self: self.part.spans)
    prints = property(lambda self: self.part.prints)
    name = property(lambda self: self.part.name)
    method = property(lambda self: self.part.method)


@dataclass(frozen=True)
class Work:
    """Everything one participant wrote, in notebook order."""

    pieces: tuple[Piece, ...]
    named: dict[str, tuple[Piece, ...]] = field(default_factory=dict)   # name -> its pieces, in order

    @staticmethod
    def of(pieces: Sequence[Piece]) -> Work:
        named: dict[str, list[Piece]] = {}
        for p in pieces:
            if p.name:
                named.setdefault(p.name, []).append(p)
        return Work(tuple(pieces), {k: tuple(v) for k, v in named.items()})

    def unit(self, names: Sequence[str], *, section: str | None) -> tuple[Piece, ...]:
        """The pieces that define ``names`` as seen at the end of ``section``: for each name
        its last definition in that section (else its last anywhere), then the methods
        ``add_to_class`` gives it after that definition."""
        chosen: list[Piece] = []
        for name in names:
            found = [p for p in self.named.get(name, ()) if not p.method]
            own = [p for p in found if p.section == section]
            last = (own or found)[-1] if found else None
            after = last.order if last else -1
            chosen += ([last] if last else []) + [p for p in self.named.get(name, ()) if p.method and p.order > after]
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
            section = valid_text(marked[:20])
        if kind in ("markdown", "heading"):
            found = SECTION_HEADING.findall(text)
            if found and not marked:
                section = f"{int(found[-1][0])}.{int(found[-1][1])}"
        elif kind == "code" and text.strip():
            cells.append(Cell(text, section))
    return cells


def _text(source: object) -> str:
    if isinstance(source, list):
        return valid_text("".join(s for s in source if isinstance(s, str)))
    return valid_text(source) if isinstance(source, str) else ""


def read_notebooks(paths: Sequence[Path], *, max_bytes: int, processes: int = 1) -> list[Work | str]:
    """Each notebook's work, or the reason it could not be read. With ``processes`` > 1 the
    class is read in chunks by that many fresh processes (the report runs after grading,
    when the cores are free)."""
    chunks = [list(paths[i:i + CHUNK]) for i in range(0, len(paths), CHUNK)]
    if processes <= 1 or len(chunks) < 2:
        return [work for chunk in chunks for work in _read_chunk(chunk, max_bytes)]
    with ProcessPoolExecutor(min(processes, len(chunks)), mp_context=multiprocessing.get_context("spawn")) as pool:
        return [work for part in pool.map(_read_chunk, chunks, [max_bytes] * len(chunks)) for work in part]


def _read_chunk(paths: list[Path], max_bytes: int) -> list[Work | str]:
    known: dict[str, tuple[Part, ...]] = {}
    out: list[Work | str] = []
    for path in paths:
        try:
            out.append(read_work(notebook_cells(path, max_bytes=max_bytes), known=known))
        except (NotebookError, OSError) as exc:
            out.append(str(exc))
    return out


def read_work(cells: Iterable[Cell], *, known: dict[str, tuple[Part, ...]] | None = None) -> Work:
    """A notebook's pieces. ``known`` remembers each cell's parts across notebooks (most
    cells of a class are the release's or the book's, word for word)."""
    known = {} if known is None else known
    pieces: list[Piece] = []
    for cell in cells:
        parts = known.get(cell.source)
        if parts is None:
            parts = known[cell.source] = parts_of(cell.source)
        pieces += [Piece(part, cell.section, len(pieces) + i) for i, part in enumerate(parts)]
    return Work.of(pieces)


def parts_of(source: str) -> tuple[Part, ...]:
    parts = []
    for text, name, method in split_cell(source):
        tokens = normalise(text)
        parts.append(Part(text, tokens.spans.astype(np.int32), fingerprint(tokens.words), name, method))
    return tuple(parts)


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
