"""The hostile batch: every notebook in notebooks/ plus bad files made at test time, graded
with a correct notebook among them; shared by the sandbox's tests and the fallback's."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tests.conftest import EXAMPLES
from tests.hostile.make_notebooks import CROSS_ENTROPY, HERE, SOFTMAX, TENSORS

ONLY = ("compare", "broadcast_shape", "add_into", "softmax", "cross_entropy")
LIMITS = dict(cell_timeout=15, call_timeout=3, memory_mb=1500, processes=64, kernel_restarts=3,
              notebook_timeout=120)
FULL = {"compare": 2, "broadcast_shape": 3, "add_into": 2, "softmax": 5, "cross_entropy": 3}
PWNED = [Path("/root/PWNED"), Path("/work/main/PWNED"), Path("/work/PWNED"), Path("/etc/PWNED"),
         Path("/usr/PWNED"), Path("/PWNED"), Path("/var/tmp/PWNED"), Path("/home/PWNED"),
         *(Path(f"/work/PWNED-{name}") for name in ("etc", "args", "json", "start", "jupyter"))]
# In the grading process's own environment while the batch runs: no result may show it.
SECRET_NAME, SECRET = "D2L_GRADER_TEST_SECRET", "only-the-grader-knows-7f3c91"
# A file name in CP949 (김철수), as a tool that keeps a legacy zip's raw bytes writes it: not UTF-8.
NOT_UTF8_NAME = b"\xb1\xe8\xc3\xb6\xbc\xf6_2024123456.ipynb"


def file_attacks(folder: Path) -> None:
    """Bad files made at test time (too large or too odd to keep in git)."""
    (folder / "symlink_passwd.ipynb").symlink_to("/etc/passwd")
    with open(folder / "huge_base64_output.ipynb", "wb") as f:
        f.write(b'{"cells": [{"cell_type": "code", "source": "x = 1", "outputs": [{"data": {"image/png": "')
        chunk = b"QUJD" * (1 << 18)
        for _ in range(500):
            f.write(chunk)
        f.write(b'"}}]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    v3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": ""}, "worksheets": [{"cells": [
        {"cell_type": "code", "input": TENSORS, "language": "python", "outputs": []}]}]}
    (folder / "nbformat_v3.ipynb").write_text(json.dumps(v3))
    (folder / "not_a_notebook.ipynb").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (folder / "non_utf8.ipynb").write_bytes('{"cells": [], "metadata": {"author": "José"}}'.encode("latin-1"))
    # Lone surrogates: a JSON escape in the file, and a string the student's code builds in the kernel.
    odd = new_notebook(cells=[new_markdown_cell("# My notes \ud800"), new_code_cell(TENSORS),
                              new_code_cell(SOFTMAX + "# \udcff\n"),
                              new_code_cell("def cross_entropy(y_hat, y):\n    raise ValueError('bad \\ud800')\n")])
    (folder / "lone_surrogates.ipynb").write_text(json.dumps(odd))   # JSON escapes them: \ud800
    ok = new_notebook(cells=[new_code_cell(TENSORS), new_code_cell(SOFTMAX), new_code_cell(CROSS_ENTROPY)])
    nbformat.write(ok, folder / "김 철수 HW1 (final).ipynb")
    nbformat.write(ok, folder / os.fsdecode(NOT_UTF8_NAME))
    for twin in ("a", "b"):
        (folder / twin).mkdir()
        nbformat.write(ok, folder / twin / "hw1.ipynb")


def hostile_folder(folder: Path) -> Path:
    """``folder`` filled with the hostile batch and a correct notebook."""
    for nb in sorted(HERE.glob("*.ipynb")):
        shutil.copy(nb, folder / nb.name)
    file_attacks(folder)
    shutil.copy(EXAMPLES / "correct.ipynb", folder / "correct.ipynb")
    return folder


def scores(result):
    return {e.id: e.score for e in result.exercises if e.id in ONLY}
