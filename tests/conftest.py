"""Shared fixtures: the course's kernel environment and a way to grade notebooks for real."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from grader.kernel import environment
from grader.batch import BatchOptions, run_batch
from grader.results import SubmissionResult
from grader.assignment import load_assignment

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "submissions"


@pytest.fixture(scope="session")
def course_env():
    """The course environment (built by the install script; built here if missing)."""
    spec = load_assignment("hw1").environment
    return environment.resolve("auto", spec, progress=lambda m: None)


@pytest.fixture(scope="session")
def grade(course_env, tmp_path_factory):
    """Grade notebooks in real sandboxed kernels as ``assignment``; returns {submission id: result}."""
    def run(paths, *, workers=2, only=(), assignment="hw1", **limits):
        out = tmp_path_factory.mktemp("grades")
        log = io.StringIO()
        summary = run_batch(BatchOptions(paths=tuple(Path(p) for p in paths), assignment=assignment, out=out,
                                         workers=workers, limits=limits, only=tuple(only)), stream=log)
        # The summary holds each result in brief; the whole result is the one written to disk.
        return {r.submission: SubmissionResult.from_dict(json.loads((out / r.submission / "result.json").read_text()))
                for r in summary.results}, out, log.getvalue()
    return run


# Modules that run the judge in this process (NamespaceLink): the book's data code then runs
# here too, and d2l.FashionMNIST looks for ../data/FashionMNIST/raw relative to the cwd.
IN_PROCESS_JUDGE = ("tests.test_assignment", "tests.test_wrong_implementations", "tests.test_load", "tests.test_judge_speed",
                    "tests.test_settled")


@pytest.fixture(scope="module", autouse=True)
def book_data_cwd(request, tmp_path_factory):
    """For in-process judging, work in a folder whose ../data holds the offline Fashion-MNIST
    files, as the sandbox's working directory does (no download is ever attempted)."""
    if request.module.__name__ not in IN_PROCESS_JUDGE:
        yield None
        return
    import os
    import shutil

    from grader import datasets
    root = tmp_path_factory.mktemp("book")
    shutil.copytree(datasets.fashion_mnist().raw_dir, root / "data" / "FashionMNIST" / "raw")
    (root / "work").mkdir()
    before = os.getcwd()
    os.chdir(root / "work")
    try:
        yield root / "work"
    finally:
        os.chdir(before)
