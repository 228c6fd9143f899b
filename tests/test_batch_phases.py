"""A batch's summary says where its time went: before the first notebook's grading began
(intake, the workers' start-up), grading, and after the last result (pages, similarity).
The benchmark prints these; they must add up to the run and fit what the results say."""
from __future__ import annotations

import io

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from grader.batch import BatchOptions, run_batch

COMPARE = "import torch\ndef compare(X, Y):\n    return X == Y\n"


def test_the_phases_add_up_to_the_run_and_the_grading_holds_every_notebook(course_env, tmp_path):
    for i in range(3):
        nbformat.write(new_notebook(cells=[new_code_cell(COMPARE), new_code_cell(f"print({i})")]),
                       tmp_path / f"s{i}.ipynb")
    options = BatchOptions(paths=(tmp_path,), out=tmp_path / "out", workers=1, only=("compare",))
    summary = run_batch(options, stream=io.StringIO())
    before, grading, after = summary.phases
    assert min(summary.phases) > 0
    assert abs(before + grading + after - summary.seconds) < 0.01
    # One worker grades one notebook after another: the span holds each one's own time,
    # and the worker's start-up (its kernel parent's imports) comes before it.
    totals = [r.timing["total"] for r in summary.results]
    assert len(totals) == 3 and grading >= sum(totals) - 0.05
    assert before > 1.0
    again = run_batch(options, stream=io.StringIO())   # nothing left to grade
    assert again.graded == 0 and again.phases[1:] == (0.0, 0.0)
    assert abs(again.phases[0] - again.seconds) < 0.01
