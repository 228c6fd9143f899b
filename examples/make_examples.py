"""Writes the sample submissions in examples/submissions/ (run after changing HW1 content).

    .venv/bin/python examples/make_examples.py

``correct.ipynb`` is built from the reference solutions, the way a student following the
book would lay it out; the others are small notebooks, each showing one kind of trouble.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.judge.solutions import SETUP_SOURCE, solution_pieces
from grader.assignment import load_assignment

OUT = Path(__file__).resolve().parent / "submissions"


def _notebook(cells: list) -> nbformat.NotebookNode:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    return nb


def correct() -> nbformat.NotebookNode:
    assignment = load_assignment("hw1")
    cells = [new_markdown_cell("# COSE474 Deep Learning HW1"),
             new_code_cell("!pip install d2l==1.0.3"),
             new_code_cell("%matplotlib inline\n" + SETUP_SOURCE)]
    pieces = {p.exercise: p for p in solution_pieces(assignment)}
    section = None
    for ex in assignment.exercises:
        if ex.section != section:
            section = ex.section
            cells.append(new_markdown_cell(f"## {section}"))
        if ex.manual:
            cells.append(new_markdown_cell(f"**Answer {ex.id}:** {ex.answer.strip()}"))
        elif ex.id in pieces:
            cells.append(new_code_cell(pieces[ex.id].source.rstrip()))
    return _notebook(cells)


BOOK_21 = '''import torch

def compare(X, Y):
    return X == Y, X < Y, X > Y

def broadcast_shape(a_shape, b_shape):
    a, b = tuple(a_shape), tuple(b_shape)
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    out = []
    for p, q in zip(a, b):
        if p != q and 1 not in (p, q):
            raise ValueError(f"cannot broadcast {a_shape} with {b_shape}")
        out.append(max(p, q) if 0 not in (p, q) else 0)
    return tuple(out)

def add_into(Z, X, Y):
    Z[:] = X + Y
    return Z'''

NAIVE_44 = '''def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdims=True)
    return X_exp / partition  # the book's version: overflows for large inputs

def cross_entropy(y_hat, y):
    return -torch.log(y_hat[list(range(len(y_hat))), y]).mean()'''


def partial() -> nbformat.NotebookNode:
    """2.1 right; the book's naive softmax; broadcast_shape raising the wrong error type."""
    wrong_21 = BOOK_21.replace('raise ValueError(f"cannot broadcast {a_shape} with {b_shape}")',
                               'raise RuntimeError("shapes do not match")')
    return _notebook([new_markdown_cell("## 2.1 Data Manipulation"), new_code_cell(wrong_21),
                      new_markdown_cell("## 4.4 Softmax Regression"), new_code_cell(NAIVE_44)])


def syntax_error() -> nbformat.NotebookNode:
    """A syntax error in the 4.4 cell; 2.1 still counts."""
    return _notebook([new_code_cell(BOOK_21),
                      new_code_cell("def softmax(X)\n    return torch.exp(X) / torch.exp(X).sum(1, keepdims=True)"),
                      new_code_cell("def cross_entropy(y_hat, y):\n"
                                    "    return -torch.log(y_hat[list(range(len(y_hat))), y]).mean()")])


def raises() -> nbformat.NotebookNode:
    """softmax raises when called; everything else is right."""
    return _notebook([new_code_cell(BOOK_21),
                      new_code_cell("def softmax(X):\n    raise ValueError('softmax is not finished yet')"),
                      new_code_cell("def cross_entropy(y_hat, y):\n"
                                    "    return -torch.log(y_hat[list(range(len(y_hat))), y]).mean()")])


def infinite_loop() -> nbformat.NotebookNode:
    """A cell that never ends; the cells after it still run."""
    return _notebook([new_code_cell(BOOK_21),
                      new_code_cell("# wait for the perfect learning rate\nwhile True:\n    pass"),
                      new_code_cell(NAIVE_44)])


def empty() -> nbformat.NotebookNode:
    return _notebook([])


def patches_allclose() -> nbformat.NotebookNode:
    """Wrong answers behind patched comparisons: scores nothing for them."""
    return _notebook([new_code_cell(
        "import torch, numpy as np\n"
        "torch.allclose = lambda *a, **k: True\n"
        "torch.equal = lambda *a, **k: True\n"
        "np.allclose = lambda *a, **k: True\n"
        "torch.Tensor.__eq__ = lambda self, other: torch.ones(self.shape, dtype=torch.bool)\n"
        "torch.Tensor.__ne__ = lambda self, other: torch.zeros(self.shape, dtype=torch.bool)\n"),
        new_code_cell(
            "def compare(X, Y):\n    return X, X, X\n\n"
            "def broadcast_shape(a_shape, b_shape):\n    return (1,)\n\n"
            "def add_into(Z, X, Y):\n    return Z\n\n"
            "def softmax(X):\n    return torch.zeros_like(X)\n\n"
            "def cross_entropy(y_hat, y):\n    return torch.tensor(0.0)\n"),
        new_code_cell("print('All tests passed! Score: 100/100')")])


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, build in [("correct", correct), ("partial", partial), ("syntax_error", syntax_error),
                        ("raises", raises), ("infinite_loop", infinite_loop), ("empty", empty),
                        ("patches_allclose", patches_allclose)]:
        nbformat.write(build(), OUT / f"{name}.ipynb")
    (OUT / "not_json.ipynb").write_text('{"cells": [{"cell_type": "code", "source": "import torch"\n',
                                        encoding="utf-8")


if __name__ == "__main__":
    main()
