"""The grader's own memory stays flat over a batch: a worker's peak after many submissions
is about what it was after its first few."""
from __future__ import annotations

import io

import nbformat

from grader.batch import BatchOptions, run_batch
from tests.hostile.make_notebooks import allocating_notebook


def test_worker_memory_does_not_grow_with_the_batch(course_env, tmp_path):
    for i in range(16):
        nb = allocating_notebook()
        nbformat.write(nb, tmp_path / f"s{i:02d}.ipynb")
    summary = run_batch(BatchOptions(paths=(tmp_path,), out=tmp_path / "out", workers=2, only=("compare",)),
                        stream=io.StringIO())
    results = list(summary.results)
    assert len(results) == 16 and all(not r.errors for r in results)
    peaks = sorted(r.timing["grader_peak_memory_mb"] for r in results)
    # ru_maxrss only grows; the spread between the smallest and largest peak over the whole
    # batch bounds how much any worker grew after its first submission.
    assert peaks[-1] - peaks[0] < 80, peaks
    assert peaks[-1] < 1500
