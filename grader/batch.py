"""Grade a batch: find notebooks, prepare the kernel environment and data, grade them all,
and write every result as it arrives plus the gradebook and class summary at the end."""
from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

from grader import datasets, environment
from grader.errors import SandboxError
from grader.executor import Progress, grade_all, grade_on_cluster
from grader.gradebook import gradebook_csv, write_atomically
from grader.grading import GradeSettings
from grader.report import render_summary, write_report
from grader.results import SubmissionResult
from grader.sandbox import INSTALL_HINT, bubblewrap
from grader.spec import load_assignment
from grader.submissions import find_notebooks, make_submissions


@dataclass(frozen=True)
class BatchOptions:
    paths: tuple[Path, ...]
    assignment: str | None = None
    out: Path = Path("grades")
    workers: int = 0                       # 0: one per core
    sandbox: bool = True
    kernel_env: str = "auto"               # auto | current | path to a venv
    limits: dict = field(default_factory=dict)
    only: tuple[str, ...] = ()             # grade only these exercises
    fast: bool = True                      # warm kernels and grading settings (grader/prelude.py)
    scheduler: str | None = None           # a Dask scheduler address: grade on that cluster


@dataclass(frozen=True)
class BatchSummary:
    results: tuple[SubmissionResult, ...]
    out: Path
    seconds: float

    @property
    def index(self) -> Path:
        return self.out / "index.html"

    def line(self) -> str:
        n = len(self.results)
        if not n:
            return "Graded 0 submissions."
        mean = sum(r.score for r in self.results) / n
        errored = sum(1 for r in self.results if r.errors)
        top = self.results[0].max_score
        return (f"Graded {n} submission{'s' if n != 1 else ''} in {self.seconds:.1f} s: mean "
                f"{mean:.2f}/{top:g}" + (f", {errored} with errors" if errored else "") +
                f". Class summary: {self.index}")


def run_batch(options: BatchOptions, *, stream: TextIO = sys.stderr) -> BatchSummary:
    began = time.monotonic()
    assignment = load_assignment(options.assignment)
    submissions = make_submissions(find_notebooks(list(options.paths)))
    limits = assignment.limits.with_overrides(**options.limits)
    for exercise_id in options.only:
        assignment.exercise(exercise_id)   # unknown ids are a usage error
    warnings: list[str] = []
    if options.sandbox:
        if bubblewrap() is None:
            raise SandboxError(INSTALL_HINT)
    else:
        warnings.append("graded WITHOUT the sandbox (--no-sandbox): student code ran unconfined")
        stream.write("WARNING: --no-sandbox: student code runs unconfined, with your user's rights.\n")
    kernel = environment.resolve(options.kernel_env, assignment.environment,
                                 progress=lambda msg: stream.write(f"{msg}\n"))
    if kernel.flagged:
        warnings.append(f"kernel environment: {kernel.note}")
        stream.write(f"note: student kernels use {kernel.note}\n")
    workers = min(options.workers or os.cpu_count() or 1, len(submissions))
    settings = GradeSettings(interpreter=kernel.interpreter, limits=limits, sandboxed=options.sandbox,
                             kernel_env_note=kernel.note, fashion_mnist=datasets.fashion_mnist(),
                             exercises=tuple(options.only), warnings=tuple(warnings),
                             fast=options.fast, threads=max(1, (os.cpu_count() or 1) // workers),
                             data_files=assignment.data_files())
    out = options.out
    out.mkdir(parents=True, exist_ok=True)
    progress = Progress(len(submissions), stream=stream, tty=stream.isatty())
    results: list[SubmissionResult] = []
    if options.scheduler:
        stream.write(f"grading on the Dask cluster at {options.scheduler}\n")
        stream_of_results = grade_on_cluster(submissions, assignment, settings, scheduler=options.scheduler)
    else:
        stream_of_results = grade_all(submissions, assignment, settings, workers=workers, warm=options.fast)
    for result in stream_of_results:
        if kernel.flagged:
            result = replace(result, environment={**result.environment, "kernel_flagged": True})
        folder = out / result.submission
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(folder / "result.json", json.dumps(result.to_dict(), indent=2))
        write_report(result, folder)
        results.append(result)
        progress.update(result)
    links = {r.submission: f"{r.submission}/report.html" for r in results}
    write_atomically(out / "gradebook.csv", gradebook_csv(results, assignment))
    write_atomically(out / "index.html", render_summary(results, assignment, report_links=links))
    return BatchSummary(tuple(sorted(results, key=lambda r: r.submission.lower())), out,
                        time.monotonic() - began)
