"""Read a submitted notebook and prepare its cells for execution.

Reading turns every kind of bad file into one NotebookError line a student can act on.
Preparing neutralises shell and install commands (there is no network, and the course's
packages are already installed), finds the book sections the cells belong to, and picks
up free-response answers.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from grader.errors import NotebookError
from grader.text import shorten, valid_json, valid_text

SECTION_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*(?:§\s*|Section\s+)?(\d{1,2})\.(\d{1,2})(?=[.\s:)]|$)",
                             re.IGNORECASE | re.MULTILINE)
ANSWER_MARK = re.compile(r"^\s*(?:#+\s*)?\**\s*answer\s*[\[(:]?\s*([A-Za-z][\w.-]*)\s*[\])]?\s*:?\**",
                         re.IGNORECASE)
SHELL_CELL_MAGICS = ("%%bash", "%%sh", "%%script", "%%system", "%%!", "%%perl", "%%ruby",
                     "%%sx", "%%capture --no-stderr pip")
SHELL_LINE = re.compile(r"^(\s*)(!|%pip\b|%conda\b|%mamba\b|%sx\b|%system\b|%sc\b|"
                        r"pip3?\s+install\b|conda\s+install\b|apt(?:-get)?\s+install\b)(.*)$")
NOTE_CHARS = 80   # a neutralised line as quoted in the report
ANSWER_CHARS = 20_000   # a free-response answer as kept for graders
SECTION_CHARS = 20      # a section name from cell metadata
SHELL_ASSIGN = re.compile(r"^(\s*[A-Za-z_][\w.]*\s*=\s*)(!|%sx\b|%system\b)(.*)$")


@dataclass(frozen=True)
class PreparedCell:
    index: int            # position among the notebook's cells
    source: str           # what is executed
    section: str | None   # book section, e.g. "2.4", from the nearest heading above
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PreparedNotebook:
    cells: tuple[PreparedCell, ...]
    answers: dict[str, str] = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def read_notebook(path: Path, *, max_mb: int) -> nbformat.NotebookNode:
    """Load a notebook (v3 is upgraded to v4) or raise NotebookError saying what to fix."""
    name = valid_text(path.name)
    if path.is_symlink():
        raise NotebookError(f"{name} is a symbolic link; submit the notebook file itself")
    if not path.is_file():
        raise NotebookError(f"{name} is not a file")
    size = path.stat().st_size
    if size > max_mb * 1024 * 1024:
        raise NotebookError(
            f"{name} is {size / 1024 / 1024:.0f} MB, over the {max_mb} MB limit for notebooks; "
            "clear all outputs (Edit > Clear All Outputs), save, and submit again")
    raw = path.read_bytes()
    if not raw.strip():
        raise NotebookError(f"{name} is empty (0 bytes of content); save the notebook and submit it again")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotebookError(f"{name} is not UTF-8 text (bad byte at offset {exc.start}); "
                            "download it again from Jupyter or Colab with File > Download > .ipynb") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                            f"{exc.msg}); it may be truncated or not a notebook — download it again "
                            "with File > Download > .ipynb") from None
    except RecursionError:
        raise NotebookError(f"{name} is nested too deeply to be a notebook") from None
    except ValueError as exc:   # a number of more digits than Python reads (sys.get_int_max_str_digits)
        raise NotebookError(f"{name} is not a readable notebook ({str(exc).split(';')[0]}); clear all "
                            "outputs (Edit > Clear All Outputs), save, and submit again") from None
    if not isinstance(data, dict) or not ("cells" in data or "worksheets" in data):
        raise NotebookError(f"{name} is JSON but not a Jupyter notebook (it has no cells)")
    if isinstance(data.get("cells"), list) and "nbformat" not in data:
        # No version: nbformat would read it as version 1 and find no cells. "cells" is version 4's.
        text = json.dumps({**data, "nbformat": 4, "nbformat_minor": data.get("nbformat_minor", 0)})
    try:
        nb = nbformat.reads(text, as_version=4, capture_validation_error={})
    except Exception as exc:  # nbformat raises many kinds for malformed notebooks
        first = str(exc).strip().splitlines()
        raise NotebookError(f"{name} is not a readable notebook ({type(exc).__name__}"
                            f"{': ' + first[0][:200] if first else ''})") from None
    if not isinstance(nb.get("cells"), list):
        raise NotebookError(f"{name} is JSON but not a Jupyter notebook (it has no cells)")
    return nb


def prepare(nb: nbformat.NotebookNode, *, answer_ids: set[str] | None = None,
            collect: Mapping[str, tuple[str, tuple[str, ...]]] | None = None) -> PreparedNotebook:
    """Code cells to run (outputs dropped), their sections, and free-response answers: marked
    ones (``**Answer id:**`` or cell metadata) and, for the exercises in ``collect`` (id ->
    (section, words)), the markdown of that section under headings holding one of the words."""
    answer_ids = answer_ids or set()
    cells: list[PreparedCell] = []
    answers: dict[str, str] = {}
    gathered: dict[str, list[str]] = {}
    warnings: list[str] = []
    section: str | None = None
    gathering: str | None = None
    invalid: list[int] = []   # cells whose text held lone surrogates
    for index, cell in enumerate(nb.cells):
        raw = _text(cell.get("source", ""))
        source = valid_text(raw)
        if source is not raw:
            invalid.append(index)
        meta = _grader_metadata(cell)
        if cell.get("cell_type") == "markdown":
            found = SECTION_HEADING.findall(source)
            if meta.get("section"):
                section = shorten(meta["section"], SECTION_CHARS)
            elif found:
                section = f"{int(found[-1][0])}.{int(found[-1][1])}"
            answer_id = meta.get("answer") if isinstance(meta.get("answer"), str) else None
            answer_id = answer_id or _marked_answer(source, answer_ids)
            if answer_id in answer_ids:
                answers[answer_id] = shorten(_strip_answer_mark(source), ANSWER_CHARS)
            elif collect:
                gathering = _gather(source, section, collect, gathering, gathered, new_section=bool(found))
            continue
        if cell.get("cell_type") != "code":
            continue
        if meta.get("section"):
            section = shorten(meta["section"], SECTION_CHARS)
        if not source.strip():
            continue
        executable, notes = neutralise(source)
        cells.append(PreparedCell(index=index, source=executable, section=section, notes=tuple(notes)))
    if not cells:
        warnings.append("the notebook has no code cells")
    if invalid:
        warnings.append(f"cell{'s' if len(invalid) > 1 else ''} {', '.join(str(i) for i in invalid[:10])}"
                        f"{' and more' if len(invalid) > 10 else ''} held characters that are not Unicode text "
                        "(lone surrogates, as written by a \\ud800-style escape); each was read as U+FFFD")
    for exercise, parts in gathered.items():
        text = "\n\n".join(p for p in parts if p.strip()).strip()
        if text and exercise not in answers:
            answers[exercise] = shorten(text, ANSWER_CHARS)
    return PreparedNotebook(cells=tuple(cells), answers=answers, metadata=_grader_metadata(nb),
                            warnings=tuple(warnings))


def _gather(source: str, section: str | None, collect: Mapping[str, tuple[str, tuple[str, ...]]],
            gathering: str | None, gathered: dict[str, list[str]], *, new_section: bool) -> str | None:
    """Add a markdown cell to the answer being gathered; returns the exercise gathered now.
    A heading that names one of an exercise's words (in that exercise's section) starts its
    answer; another heading, or a new section, ends it."""
    lines = source.splitlines()
    words = [w for sec, ws in collect.values() if sec == section for w in ws]
    starts = [i for i, line in enumerate(lines) if _heading_like(line, words)]
    if new_section:
        gathering = None
    if not starts:
        if gathering is not None:
            gathered.setdefault(gathering, []).append(source)
        return gathering
    if gathering is not None and starts[0] > 0:
        gathered.setdefault(gathering, []).append("\n".join(lines[:starts[0]]))
    for number, start in enumerate(starts):
        heading = lines[start].lower()
        gathering = next((ex for ex, (sec, words) in collect.items()
                          if sec == section and any(w in heading for w in words)), None)
        end = starts[number + 1] if number + 1 < len(starts) else len(lines)
        if gathering is not None:
            gathered.setdefault(gathering, []).append("\n".join(lines[start:end]))
    return gathering


def _heading_like(line: str, words: list[str]) -> bool:
    """A Markdown heading, a short line all in bold, or a short line ending in a colon that
    names one of ``words`` ("Discussion:"): how students head their notes."""
    text = line.strip()
    if text.startswith("#"):
        return True
    if not 0 < len(text) <= 80:
        return False
    if text.startswith("**") and text.rstrip(":").endswith("**"):
        return True
    return text.endswith(":") and any(w in text.lower() for w in words)


def _grader_metadata(node: dict) -> dict:
    """The ``grader`` entry of a cell's or the notebook's metadata (what the release wrote;
    anything else a student put there is ignored)."""
    meta = node.get("metadata")
    found = meta.get("grader") if isinstance(meta, dict) else None
    return valid_json(dict(found)) if isinstance(found, dict) else {}


def neutralise(source: str) -> tuple[str, list[str]]:
    """Replace shell commands and installs with ``pass``; returns the new source and notes."""
    first = source.lstrip().splitlines()[0] if source.strip() else ""
    if first.startswith(SHELL_CELL_MAGICS):
        return "pass\n", [f"not run: the shell cell starting `{shorten(first, NOTE_CHARS)}`"]
    out, notes = [], []
    for line in source.splitlines():
        m = SHELL_ASSIGN.match(line)
        if m:
            out.append(f"{m.group(1)}[]  # not run by the grader")
            notes.append(f"not run: `{shorten(line.strip(), NOTE_CHARS)}`")
            continue
        m = SHELL_LINE.match(line)
        if m:
            out.append(f"{m.group(1)}pass  # not run by the grader")
            notes.append(f"not run: `{shorten(line.strip(), NOTE_CHARS)}`")
            continue
        out.append(line)
    return "\n".join(out) + ("\n" if source.endswith("\n") else ""), notes


def _marked_answer(source: str, answer_ids: set[str]) -> str | None:
    m = ANSWER_MARK.match(source)
    if m and m.group(1) in answer_ids:
        return m.group(1)
    return None


def _strip_answer_mark(source: str) -> str:
    lines = source.splitlines()
    if lines and ANSWER_MARK.match(lines[0]):
        rest = ANSWER_MARK.sub("", lines[0], count=1).strip()
        lines = ([rest] if rest else []) + lines[1:]
    return "\n".join(lines).strip()


def _text(source: object) -> str:
    if isinstance(source, list):
        return "".join(str(s) for s in source)
    return str(source or "")
