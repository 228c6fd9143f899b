"""The grading side of a Dask worker process (imported only where Dask is installed).

A Dask worker runs tasks in several threads of one process (by default one per core), but
pytest and the judge keep process-wide state: two submissions judged at once in one process
lost each other's tests. ``GradingWorker``, registered on every worker by ``cluster``,
grades one submission at a time in each process, and keeps a ``WorkerKit`` (a kernel parent
to fork from, the memo of reference outputs, the settled tests) for the batch it grades.
"""
from __future__ import annotations

import threading

from distributed import Worker, WorkerPlugin, get_worker

from grader.assignment import Assignment
from grader.errors import GraderError
from grader.grading.kit import WorkerKit
from grader.grading.settings import GradeSettings, Submission
from grader.grading.submission import grade_submission
from grader.kernel.leftovers import remove_leftovers

PLUGIN_NAME = "d2l-grader"


class GradingWorker(WorkerPlugin):
    """Kept by each worker process: a lock so that it grades one submission at a time, and
    the kit of the batch it last graded (``batch`` names one call of ``grade_on_cluster``;
    another batch gets a kit of its own, as a new local pool would)."""

    name = PLUGIN_NAME
    idempotent = True   # a second batch on the same cluster keeps the lock every task shares

    def setup(self, worker: Worker) -> None:
        remove_leftovers()   # what a killed worker process on this host left
        self._lock = threading.Lock()
        self._label = f"Dask worker {worker.address}"
        self._batch: str | None = None   # set exactly when there is a kit
        self._kit: WorkerKit | None = None

    def teardown(self, worker: Worker) -> None:
        with self._lock:
            self._close_kit()

    def grade(self, submission: Submission, assignment: Assignment, settings: GradeSettings, *,
              batch: str) -> dict:
        with self._lock:
            if self._kit is None or self._batch != batch:
                self._close_kit()
                self._kit = WorkerKit(assignment, settings, warm=not settings.plain, label=self._label)
                self._batch = batch
            kit = self._kit
            return grade_submission(submission, assignment, settings, kernel=kit.launch(), memo=kit.memo,
                                    before_tests=kit.judge.wait).to_dict()

    def release(self, batch: str) -> None:
        """Close the kit of ``batch`` once the batch is done (kept if a task is still running;
        the next batch replaces it)."""
        if not self._lock.acquire(blocking=False):
            return
        try:
            if self._batch == batch:
                self._close_kit()
        finally:
            self._lock.release()

    def _close_kit(self) -> None:
        if self._kit is not None:
            self._kit.judge.wait()   # its pytest run must not overlap the next kit's
            self._kit.close()
        self._batch, self._kit = None, None


def grade_task(submission: Submission, assignment: Assignment, settings: GradeSettings, *, batch: str) -> dict:
    """One submission, graded by the worker process this task runs in."""
    plugin = get_worker().plugins.get(PLUGIN_NAME)
    if not isinstance(plugin, GradingWorker):
        raise GraderError(f"this Dask worker has no {PLUGIN_NAME!r} plugin; grade_on_cluster registers it")
    return plugin.grade(submission, assignment, settings, batch=batch)


def release_batch(batch: str, dask_worker: Worker) -> None:
    """Run on every worker when a batch ends (``Client.run``): its kernel parent goes away."""
    plugin = dask_worker.plugins.get(PLUGIN_NAME)
    if isinstance(plugin, GradingWorker):
        plugin.release(batch)
