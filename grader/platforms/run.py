"""Grade the one notebook of an upload, as ``grade`` grades a class's: in a kernel isolated
from the host (bubblewrap where the container allows it, else an unprivileged user per kernel
with the tests and reference solutions locked to root), judged by pytest here. No late
penalty: platforms keep their own deadlines. The report and result.json are kept beside."""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from grader import datasets
from grader.assignment import Assignment
from grader.grading.pool import grade_all
from grader.grading.settings import GradeSettings, Submission
from grader.kernel import environment
from grader.kernel.isolation import Isolation, choose, lock_down, verify_access
from grader.publish.files import write_atomically
from grader.publish.report import render_report
from grader.results import SubmissionResult

SUBMISSION = "submission"   # the upload's id in the report: a platform grades one at a time


@dataclass(frozen=True)
class Graded:
    """One upload's result and the isolation its kernel ran under."""

    result: SubmissionResult
    isolation: Isolation


def grade_upload(notebook: Path, assignment: Assignment, *, kernel_env: str, report: Path,
                 locked: tuple[Path, ...] = (), progress: Callable[[str], None]) -> Graded:
    """Grade ``notebook`` and write ``report``/report.html and result.json. Under the
    unprivileged-user isolation the assignment's folder and ``locked`` become readable by
    root only first, so the kernel's user sees no hidden test or reference solution.
    ``GRADER_ISOLATION`` picks the isolation (auto, bubblewrap or user)."""
    isolation = choose(os.environ.get("GRADER_ISOLATION") or "auto")
    progress(f"isolation: {isolation.describe()}")
    kernel = environment.resolve(kernel_env, assignment.environment, progress=progress)
    report.mkdir(parents=True, exist_ok=True)
    if isolation.kind == "user":
        lock_down(assignment.root, report, *locked)
    verify_access(isolation, kernel.interpreter, assignment.root, assignment.reference_dir)
    warnings = (f"kernel environment: {kernel.note}",) if kernel.flagged else ()
    settings = GradeSettings(interpreter=kernel.interpreter, limits=assignment.limits, isolation=isolation,
                             kernel_env_note=kernel.note, fashion_mnist=datasets.fashion_mnist(),
                             warnings=warnings, threads=os.cpu_count() or 1, data_files=assignment.data_files())
    progress(f"grading {notebook.name} as {assignment.id}")
    [result] = list(grade_all([Submission(SUBMISSION, notebook)], assignment, settings, workers=1))
    if kernel.flagged:   # the report says so in red
        result = replace(result, environment={**result.environment, "kernel_flagged": True})
    write_atomically(report / "result.json", json.dumps(result.to_dict(), indent=2))
    write_atomically(report / "report.html", render_report(result))
    return Graded(result, isolation)

