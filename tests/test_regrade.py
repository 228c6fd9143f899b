"""Regrading one exercise after its test was fixed, for real: a notebook is graded in a
sandboxed kernel, a manual score is given, the hidden test of one exercise is changed, and
`--regrade --only` that exercise changes its verdicts and nothing else (every other
exercise's verdicts, messages and timings, and the manual score, are as they were); the
report says what was regraded."""
from __future__ import annotations

import io
import json
import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader import batch
from grader.assignment import ASSIGNMENTS_DIR, parse_assignment
from grader.batch import BatchOptions, run_batch
from grader.gradebook import Gradebook
from grader.standings import standings

pytestmark = pytest.mark.slow

FREE = "broadcasting_rules"
# compare is right; broadcast_shape takes the larger length on each axis, wrong only when an
# axis has length 0 (the zero-length case of the hidden test).
CODE = """
import torch

def compare(X, Y):
    return X == Y, X < Y, X > Y

def broadcast_shape(a, b):
    a, b = tuple(a), tuple(b)
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    for x, y in zip(a, b):
        if x != y and 1 not in (x, y):
            raise ValueError(f"shapes {a} and {b} cannot be broadcast")
    return tuple(max(x, y) for x, y in zip(a, b))
"""
ZERO_CASE = '    "zero-length": ((0, 1), (1, 3)),\n'


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A copy of hw1 whose tests can be changed; the batch grades with it."""
    root = tmp_path / "assignments" / "hw1"
    shutil.copytree(ASSIGNMENTS_DIR / "hw1", root)
    monkeypatch.setattr(batch, "load_assignment", lambda _id=None: parse_assignment(root / "assignment.toml"))
    return root


def grade(folder, out, course, **options):
    """Grade ``folder`` into ``out``; the counted attempt, its stored result and its final result."""
    run_batch(BatchOptions(paths=(folder,), out=out, workers=1, **options), stream=io.StringIO())
    with Gradebook.in_folder(out) as gradebook:
        row = gradebook.counted()[0]
        final = next(standings(gradebook, parse_assignment(course / "assignment.toml")))
        return row, gradebook.result(row.id), final.result


def test_regrading_one_exercise_after_a_test_fix_changes_nothing_else(course, tmp_path):
    folder = tmp_path / "submissions"
    folder.mkdir()
    nb = new_notebook(cells=[new_markdown_cell("## 2.1"), new_code_cell(CODE),
                             new_markdown_cell(f"**Answer {FREE}:** Shapes are aligned from the right.")])
    nbformat.write(nb, folder / "2020123456.ipynb")
    out = tmp_path / "grades"
    row, first, before = grade(folder, out, course, only=("compare", "broadcast_shape"))
    shape_before = next(e for e in before.exercises if e.id == "broadcast_shape")
    assert [t.name.split("[")[-1] for t in shape_before.tests if t.outcome == "failed"] == ["zero-length]"]
    with Gradebook.in_folder(out) as gradebook:
        gradebook.set_manual_score(row.student, row.content_hash, FREE, 1.0, expect=None, grader="TA")

    hidden = course / "hidden" / "test_tensors.py"
    hidden.write_text(hidden.read_text().replace(ZERO_CASE, ""))     # the test is fixed: that case goes
    row_after, second, after = grade(folder, out, course, only=("broadcast_shape",), regrade=True)

    assert row_after.id == row.id and row_after.graded_exercises == ("broadcast_shape", "compare")
    untouched = [e for e in first["exercises"] if e["id"] != "broadcast_shape"]
    assert untouched == [e for e in second["exercises"] if e["id"] != "broadcast_shape"]
    assert any(t["outcome"] == "passed" for e in untouched for t in e["tests"])     # compare's verdicts are there
    shape_after = next(e for e in after.exercises if e.id == "broadcast_shape")
    assert all(t.outcome == "passed" for t in shape_after.tests) and len(shape_after.tests) == len(shape_before.tests) - 1
    assert after.score == pytest.approx(before.score + shape_after.score - shape_before.score + 1.0)   # + the manual score
    assert next(e for e in after.exercises if e.id == FREE).score == 1.0
    assert [g.exercises for g in after.regrades] == [("broadcast_shape",)]
    report = (out / row.submission / "report.html").read_text()
    assert "Graded again" in report and "broadcast_shape" in report.split('id="regrades"')[1].split("</div>")[0]
    assert json.loads((out / row.submission / "result.json").read_text())["score"] == after.score
