"""Grading on a Dask distributed cluster instead of the local pool.

Every worker needs this package, the course environment at the same path, bubblewrap, and
read access to the notebooks. A task whose worker dies is run again elsewhere by the
scheduler; each result arrives here once. Each worker process grades one submission at a
time, forking kernels from a parent of its own as a local worker does (``daskworker``).
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

from grader.assignment import Assignment
from grader.errors import GraderError
from grader.grading.pool import crashed
from grader.grading.settings import GradeSettings, Submission
from grader.results import SubmissionResult


def grade_on_cluster(submissions: list[Submission], assignment: Assignment, settings: GradeSettings, *,
                     scheduler: str) -> Iterator[SubmissionResult]:
    """Yield each submission's result as the cluster completes it."""
    try:
        from distributed import Client, as_completed

        from grader.grading.daskworker import GradingWorker, grade_task, release_batch
    except ImportError:
        raise GraderError("--scheduler needs Dask: pip install 'dask[distributed]'") from None
    try:
        client = Client(scheduler, timeout=30)
    except OSError as exc:
        raise GraderError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    with client:
        client.register_plugin(GradingWorker())
        batch = uuid.uuid4().hex
        futures = {client.submit(grade_task, sub, assignment, settings, batch=batch, pure=False,
                                 key=f"grade-{sub.id}-{time.time_ns()}"): sub for sub in submissions}
        try:
            for future in as_completed(futures):
                sub = futures[future]
                try:
                    yield SubmissionResult.from_dict(future.result())
                except Exception as exc:   # KilledWorker after repeated deaths, or a grader bug
                    yield crashed(sub, assignment, f"the cluster could not grade this notebook "
                                  f"({type(exc).__name__}: {str(exc)[:200]})")
        finally:
            try:
                client.run(release_batch, batch)
            except Exception:   # noqa: BLE001 - a worker that is gone has nothing to release
                pass
