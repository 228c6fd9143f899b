"""Plausible wrong versions of the book's names and state, kept to prove that hw1-book's
hidden tests catch them (see tests/test_wrong_book.py).

The namespace they are swapped into is the one a book-following notebook really leaves:
``run_here`` executes tests/notebooks/hw1_book_complete.ipynb in this process, section by
section, keeping each section's globals as the grader's kernel does. ``book_link`` serves it
to the judge with a mistake swapped in at the end of one section, as reference_link does for
hw1. Each topic module defines ``MISTAKES`` (tests.wrong.Mistake records).
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from grader import datasets
from grader.grading.notebook import prepare
from grader.judge.local import NamespaceLink
from tests.wrong import Mistake, mistake

__all__ = ["BookRun", "Mistake", "mistake", "run_here", "book_link", "restored_d2l", "library_fit_epoch", "COMPLETE"]

COMPLETE = Path(__file__).resolve().parent.parent / "notebooks" / "hw1_book_complete.ipynb"
SEED = 474   # the assignment's seed, which the kernel's prelude seeds torch with


@dataclass
class BookRun:
    """What running a notebook here left: the final globals, each section's globals at its end
    (in order), and the cells that raised (index -> "Type: message")."""
    namespace: dict[str, Any]
    snapshots: dict[str, dict[str, Any]]
    errors: dict[int, str]
    folder: Path


class _Shell:
    """Enough of IPython for the magics the book uses (%matplotlib inline)."""

    def run_line_magic(self, *args: Any, **kwargs: Any) -> None:
        return None

    run_cell_magic = run_line_magic
    system = run_line_magic


def run_here(path: Path = COMPLETE) -> BookRun:
    """Execute the notebook's cells in this process, in a scratch folder whose ../data holds the
    offline Fashion-MNIST files (the book writes ../data/house_tiny.csv there too).
    DataLoaders use no worker processes and d2l's progress boards are not drawn while it runs
    (the kernel's grading settings do the same), and torch is seeded as the kernel's prelude
    seeds it. The notebook's @d2l.add_to_class patches stay on the library's classes
    (tests drive its Trainer): run this inside ``restored_d2l()``."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import torch
    from IPython.core.inputtransformer2 import TransformerManager

    folder = Path(tempfile.mkdtemp(prefix="hw1-book-"))
    shutil.copytree(datasets.fashion_mnist().raw_dir, folder / "data" / "FashionMNIST" / "raw")
    (folder / "work").mkdir()
    cells = prepare(nbformat.read(path, as_version=4)).cells
    transform = TransformerManager().transform_cell
    shell = _Shell()
    namespace: dict[str, Any] = {"__name__": "__main__", "get_ipython": lambda: shell}
    snapshots: dict[str, dict[str, Any]] = {}
    errors: dict[int, str] = {}
    previous = None
    with _no_loader_workers(torch), _boards_not_drawn(), _cwd(folder / "work"):
        torch.manual_seed(SEED)
        for cell in cells:
            if previous and previous != cell.section:
                snapshots[previous] = dict(namespace)
            previous = cell.section
            try:
                exec(compile(transform(cell.source), f"<cell {cell.index}>", "exec"), namespace)
            except Exception as exc:  # noqa: BLE001 - a cell's error is the notebook's, as in the kernel
                errors[cell.index] = f"{type(exc).__name__}: {exc}"
            plt.close("all")
        if previous:
            snapshots[previous] = dict(namespace)
    return BookRun(namespace, snapshots, errors, folder)


def book_link(run: BookRun, *, replace: dict[str, Any] | None = None,
              section: str | None = None) -> NamespaceLink:
    """A link to ``run``'s globals with ``replace`` swapped in at the end of ``section`` and in
    every later section that still holds the same object (a later definition of the name
    wins, as in a notebook run top to bottom)."""
    replace = replace or {}
    order = list(run.snapshots)
    start = order.index(section) if section in order else 0
    snapshots = {label: dict(values) for label, values in run.snapshots.items()}
    final = dict(run.namespace)
    for name, value in replace.items():
        original = run.snapshots[order[start]].get(name, _ABSENT) if order else _ABSENT
        for label in order[start:]:
            if run.snapshots[label].get(name, _ABSENT) is original:
                snapshots[label][name] = value
        if run.namespace.get(name, _ABSENT) is original:
            final[name] = value
    link = NamespaceLink(final)
    link.agent.snapshots = snapshots
    return link


_ABSENT = object()


@contextlib.contextmanager
def _cwd(folder: Path) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


@contextlib.contextmanager
def _no_loader_workers(torch: Any) -> Iterator[None]:
    """d2l asks for 4 worker processes; the grader's kernels cap them at 0 as well."""
    loader = torch.utils.data.DataLoader
    original = loader.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        kwargs["num_workers"] = 0
        if len(args) > 5:
            args = args[:5]   # positional num_workers (the book passes it by keyword)
        original(self, *args, **kwargs)

    loader.__init__ = __init__
    try:
        yield
    finally:
        loader.__init__ = original


@contextlib.contextmanager
def _boards_not_drawn() -> Iterator[None]:
    """ProgressBoard.draw records its points but renders nothing (rendering is most of the time)."""
    from d2l import torch as d2l
    original = d2l.ProgressBoard.draw

    def draw(self: Any, *args: Any, **kwargs: Any) -> None:
        self.display = False
        original(self, *args, **kwargs)

    d2l.ProgressBoard.draw = draw
    try:
        yield
    finally:
        d2l.ProgressBoard.draw = original


@contextlib.contextmanager
def restored_d2l() -> Iterator[None]:
    """Undo, on leaving, every change made meanwhile to the d2l library's classes (the book's
    @d2l.add_to_class patches), so that other tests in this process see the library as it was."""
    from d2l import torch as d2l
    classes = [obj for obj in vars(d2l).values() if isinstance(obj, type) and obj.__module__ == d2l.__name__]
    saved = {cls: dict(vars(cls)) for cls in classes}
    try:
        yield
    finally:
        for cls, attrs in saved.items():
            for name in [n for n in vars(cls) if n not in attrs]:
                delattr(cls, name)
            for name, value in attrs.items():
                if vars(cls).get(name, _ABSENT) is not value and name not in ("__dict__", "__weakref__"):
                    setattr(cls, name, value)


def library_fit_epoch() -> Any:
    """d2l.Trainer's own fit_epoch, as the library defines it (recorded when this module is
    first imported, before any notebook patches the class)."""
    return _LIBRARY_FIT_EPOCH


def _record_library() -> Any:
    from d2l import torch as d2l
    return vars(d2l.Trainer)["fit_epoch"]


_LIBRARY_FIT_EPOCH = _record_library()
