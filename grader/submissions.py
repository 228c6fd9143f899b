"""Finding the notebooks to grade and giving each a unique, filesystem-safe id."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

from grader.errors import UsageError
from grader.grading import Submission

SKIP_DIRS = {".ipynb_checkpoints", "__pycache__", ".git"}


def find_notebooks(paths: list[Path]) -> list[Path]:
    """Every ``*.ipynb`` named or below a named folder, in a stable order, without duplicates."""
    found: list[Path] = []
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"no such file or folder: {path}")
        if path.is_dir():
            for candidate in sorted(path.rglob("*.ipynb")):
                if any(part in SKIP_DIRS for part in candidate.relative_to(path).parts):
                    continue
                found.append(candidate)
        else:
            found.append(path)
    unique = list(dict.fromkeys(p.absolute() for p in found))
    if not unique:
        raise UsageError(f"no notebooks (*.ipynb) found in {', '.join(str(p) for p in paths)}")
    return unique


def safe_id(text: str) -> str:
    """Letters (any script), digits, '-', '_' and '.'; everything else becomes '_'."""
    text = unicodedata.normalize("NFC", text)
    cleaned = re.sub(r"[^\w.-]+", "_", text, flags=re.UNICODE).strip("._") or "submission"
    return cleaned[:100]


def make_submissions(paths: list[Path]) -> list[Submission]:
    """Ids are file stems; stems that clash take their folder's name, then a number."""
    stems = Counter(safe_id(p.stem) for p in paths)
    taken: set[str] = set()
    out = []
    for path in paths:
        base = safe_id(path.stem)
        if stems[base] > 1:
            base = safe_id(f"{path.parent.name}_{path.stem}")
        candidate, n = base, 2
        while candidate.lower() in taken:
            candidate, n = f"{base}-{n}", n + 1
        taken.add(candidate.lower())
        out.append(Submission(id=candidate, path=path))
    return out
