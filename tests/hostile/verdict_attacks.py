"""Writes the notebooks that attacked verdicts once computed in the student's kernel, one per
attack, named for it, into tests/hostile/notebooks/:

    .venv/bin/python -m tests.hostile.verdict_attacks

Each holds the reference solution for the graded exercises (ONLY) except the one its
attack is about, so the tests can tell "the attack gained nothing" from "the notebook broke".
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.assignment import load_assignment
from grader.judge.solutions import SETUP_SOURCE, solution_pieces

HERE = Path(__file__).resolve().parent / "notebooks"
ONLY = ("add_into", "transpose", "vectorization", "accuracy")

# The clock and Tensor.data_ptr patched, so that a loop without a loop looked slow and new
# memory looked like the old one; add_loop and add_into are wrong.
PATCHES_CLOCK_AND_DATA_PTR = {
    "add_into": '''\
import torch

torch.Tensor.data_ptr = lambda self: 42   # every tensor "keeps its memory"


def add_into(Z, X, Y):
    Z.data = X + Y   # new memory
    return Z
''',
    "vectorization": '''\
import time

import torch

_fake_clock = [0.0]
time.perf_counter = lambda: _fake_clock[0]


def add_loop(a, b):
    _fake_clock[0] += 1.0   # "one second" per call: far slower than add_vectorized
    return a + b


def add_vectorized(a, b):
    return a + b
''',
}

# .T reached through a reference taken at module level, before any wrapping could happen.
KEEPS_FUNCTIONS_BEFORE_WRAPPING = {
    "transpose": '''\
import torch

_T = torch.Tensor.T


def transpose(A):
    return _T.__get__(A).clone()
''',
}

# A thread that waits for the grader's agent and answers its timing request itself.
REPLACES_THE_AGENTS_HANDLER = {
    "vectorization": '''\
import json
import sys
import threading
import time


def add_loop(a, b):
    return a + b   # no loop


def add_vectorized(a, b):
    return a + b


def _forge():
    # Both ways a request reaches the agent: its shell message handler and its own socket,
    # whose frames go straight to the agent's handle().
    kernel = get_ipython().kernel
    while ("nbagent_request" not in kernel.shell_handlers
           or getattr(sys.modules.get("_nbagent"), "AGENT", None) is None):
        time.sleep(0.005)
    original = kernel.shell_handlers["nbagent_request"]
    agent = sys.modules["_nbagent"].AGENT
    handle = agent.handle
    forged_reply = json.dumps({"ok": True, "value": {"$list": [1.0, 0.0]}})   # (loop, vectorized) seconds

    def wanted(request):
        return request.get("op") == "run" and "add_loop" in request.get("code", "")

    def forged(stream, ident, parent):
        if wanted(json.loads(parent["content"]["request"])):
            kernel.session.send(stream, "nbagent_reply", {"reply": forged_reply}, parent, ident)
        else:
            original(stream, ident, parent)

    def forged_handle(text):
        if wanted(json.loads(text)):
            agent.last = forged_reply
        else:
            handle(text)
    kernel.shell_handlers["nbagent_request"] = forged
    agent.handle = forged_handle


threading.Thread(target=_forge, daemon=True).start()
''',
}

# An exception that carries the code of the grader's request, found among the callers' frames.
RETURNS_THE_CHECK_CODE = {
    "accuracy": '''\
import sys


def _callers_code():
    frame = sys._getframe()
    while frame is not None:
        request = frame.f_locals.get("request")
        if isinstance(request, dict) and "code" in request:
            return request["code"]
        frame = frame.f_back
    return "no code found"


class Classifier:
    def accuracy(self, Y_hat, Y, averaged=True):
        raise ValueError(_callers_code())
''',
}

NOTEBOOKS = {
    "patches_clock_and_data_ptr": PATCHES_CLOCK_AND_DATA_PTR,
    "keeps_functions_before_wrapping": KEEPS_FUNCTIONS_BEFORE_WRAPPING,
    "replaces_the_agents_handler": REPLACES_THE_AGENTS_HANDLER,
    "returns_the_check_code": RETURNS_THE_CHECK_CODE,
}


def notebook(replace: dict[str, str]) -> nbformat.NotebookNode:
    """The solution's cells for ONLY, section by section, with ``replace`` (exercise -> source)."""
    cells = [new_code_cell(SETUP_SOURCE)]
    section = None
    for piece in solution_pieces(load_assignment("hw1")):
        if piece.exercise not in ONLY:
            continue
        if piece.section != section:
            section = piece.section
            cells.append(new_markdown_cell(f"## {section}"))
        cells.append(new_code_cell(replace.get(piece.exercise, piece.source)))
    nb = new_notebook(cells=cells)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    return nb


def main() -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    for name, replace in NOTEBOOKS.items():
        nbformat.write(notebook(replace), HERE / f"{name}.ipynb")


if __name__ == "__main__":
    main()
