"""Grading on a Dask distributed cluster instead of the local pool.

Every worker needs this package, the course environment at the same path, bubblewrap, and
read access to the notebooks. A task whose worker dies is run again elsewhere by the
scheduler; each result arrives here once.
"""
from __future__ import annotations

import time
from collections.abc import Iterator

from grader.assignment import Assignment
from grader.errors import GraderError
from grader.grading.pool import crashed
from grader.grading.settings import GradeSettings, Submission
from grader.grading.submission import grade_submission
from grader.results import SubmissionResult


def _grade_on_cluster(submission: Submission, assignment: Assignment, settings: GradeSettings) -> dict:
    return grade_submission(submission, assignment, settings).to_dict()


def grade_on_cluster(submissions: list[Submission], assignment: Assignment, settings: GradeSettings, *,
                     scheduler: str) -> Iterator[SubmissionResult]:
    """Yield each submission's result as the cluster completes it."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise GraderError("--scheduler needs Dask: pip install 'dask[distributed]'") from None
    try:
        client = Client(scheduler, timeout=30)
    except OSError as exc:
        raise GraderError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    with client:
        futures = {client.submit(_grade_on_cluster, sub, assignment, settings, pure=False,
                                 key=f"grade-{sub.id}-{time.time_ns()}"): sub for sub in submissions}
        for future in as_completed(futures):
            sub = futures[future]
            try:
                yield SubmissionResult.from_dict(future.result())
            except Exception as exc:   # KilledWorker after repeated deaths, or a grader bug
                yield crashed(sub, assignment, f"the cluster could not grade this notebook "
                              f"({type(exc).__name__}: {str(exc)[:200]})")
