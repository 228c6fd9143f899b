"""Where a platform puts things in its grading container: the assignment folder (the release's
bundle, unpacked) and the student's upload, in which exactly one notebook is graded."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from grader.errors import AssignmentError, NotebookError
from grader.text import shorten

# Folders an upload may carry that are never the student's notebook: Jupyter's autosaves and
# the resource forks macOS adds to zip files.
IGNORED_FOLDERS = frozenset({".ipynb_checkpoints", "__MACOSX"})
NAMES_SHOWN = 5


@dataclass(frozen=True)
class Layout:
    """A platform's grading container: its root (overridable for tests and trial runs), the
    folder under it holding the assignment, the one holding the upload; results go to
    ``results/``."""

    platform: str
    root_variable: str
    default_root: str
    assignments: str
    uploads: str

    def root(self) -> Path:
        return Path(os.environ.get(self.root_variable) or self.default_root)


GRADESCOPE = Layout("Gradescope", "GRADER_AUTOGRADER_ROOT", "/autograder", "source", "submission")
PRAIRIELEARN = Layout("PrairieLearn", "GRADER_PRAIRIELEARN_ROOT", "/grade", "tests", "student")


def find_assignment(folder: Path) -> Path:
    """The assignment folder: ``folder`` itself if it holds assignment.toml, else its one
    subfolder that does (``<id>/`` as the release's bundle unpacks)."""
    if (folder / "assignment.toml").is_file():
        return folder
    found = sorted(p.parent for p in folder.glob("*/assignment.toml"))
    if len(found) == 1:
        return found[0]
    if not found:
        raise AssignmentError(f"no assignment.toml in {folder} or a folder below it: "
                              "the autograder bundle is not unpacked there")
    raise AssignmentError(f"{len(found)} assignments in {folder} ({', '.join(p.name for p in found)}); "
                          "the autograder bundle must hold one")


def find_notebook(folder: Path) -> Path:
    """The one .ipynb file below ``folder``, whatever its name; NotebookError when there is
    none or more than one."""
    files = sorted(_files(folder))
    notebooks = [f for f in files if f.suffix.lower() == ".ipynb"]
    if len(notebooks) == 1:
        return notebooks[0]
    if notebooks:
        raise NotebookError(f"the upload holds {len(notebooks)} notebooks ({_names(notebooks, folder)}); "
                            "upload only the one notebook to grade")
    if files:
        raise NotebookError(f"the upload holds no Jupyter notebook (.ipynb), only {_names(files, folder)}; "
                            "upload your notebook file (File > Download > .ipynb)")
    raise NotebookError("the upload is empty; upload your notebook file (File > Download > .ipynb)")


def _files(folder: Path) -> list[Path]:
    found = []
    for root, dirs, names in os.walk(folder):   # links to folders are not followed
        dirs[:] = [d for d in dirs if d not in IGNORED_FOLDERS]
        found += [Path(root) / n for n in names if not n.startswith("._")]
    return found


def _names(paths: list[Path], folder: Path) -> str:
    shown = [shorten(p.relative_to(folder).as_posix(), 80) for p in paths[:NAMES_SHOWN]]
    more = len(paths) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")
