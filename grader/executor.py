"""Where submissions are graded: a local pool of long-lived worker processes.

Each worker imports torch and pytest once, grades one submission at a time, and keeps the
next submission's kernel launched while it grades the current one, so kernel start-up and
the notebook's heavy imports overlap real work. A worker that dies costs only the
submission it was grading: that one gets an error result, and a new worker takes its place.
"""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import queue
import signal
import sys
import time
from collections.abc import Iterator

from grader.forkserver import ForkServer
from grader.grading import (GradeSettings, Submission, grade_submission, launch_kernel,
                            start_fork_server)
from grader.errors import GraderError
from grader.memo import ReferenceMemo
from grader.results import SubmissionResult
from grader.scoring import score_exercises, totals
from grader.spec import Assignment


def _worker(worker_id: int, tasks, results, assignment: Assignment, settings: GradeSettings,
            warm: bool, parent: int, pool) -> None:
    _die_with(parent)
    forks = _start_forks(settings) if warm and settings.sandboxed else None
    import pytest  # noqa: F401  - paid once per worker, not per submission
    import torch  # noqa: F401
    if forks is not None:
        try:
            forks.wait_ready()
        except GraderError as exc:
            print(f"worker {worker_id}: kernels start fresh for each notebook: {exc}", file=sys.stderr)
            forks.close()
            forks = None
    memo = ReferenceMemo()   # reference outputs, computed once for this worker's submissions
    ready = None
    while True:
        submission = tasks.get()
        if submission is None:
            break
        results.put(("start", worker_id, submission.id))
        kernel = ready or (_launch(assignment, settings, forks) if warm else None)
        # Warm the next kernel while this one is graded, unless every submission still
        # waiting already has a warm kernel somewhere (so none is started for nothing).
        # A forked kernel is only forked when its submission attaches to it.
        wanted = warm and pool.claim(had_warm=ready is not None)
        ready = _launch(assignment, settings, forks) if wanted else None
        if wanted and ready is None:
            pool.adjust(-1)
        try:
            result = grade_submission(submission, assignment, settings, kernel=kernel, memo=memo)
            payload = result.to_dict()
        except Exception as exc:  # a grader bug: this submission only
            payload = crashed(submission, assignment, f"the grader failed on this notebook "
                              f"({type(exc).__name__}: {exc})").to_dict()
        if kernel is not None and not kernel.attached:
            # The notebook could not be read, so its kernel is still fresh: keep the older one.
            if ready is not None:
                ready.close()
            else:
                pool.adjust(+1)
            ready = kernel
        results.put(("done", worker_id, payload))
    if ready is not None:
        ready.close()
    if forks is not None:
        forks.close()


class WarmPool:
    """Counts, across workers, submissions not yet taken and warm kernels waiting for one."""

    def __init__(self, context, submissions: int) -> None:
        self.waiting = context.Value("i", submissions)
        self.warm = context.Value("i", 0, lock=False)

    def claim(self, *, had_warm: bool) -> bool:
        """A worker took a submission (with one of its warm kernels if ``had_warm``);
        True if it should warm another."""
        with self.waiting.get_lock():
            self.waiting.value -= 1
            self.warm.value -= 1 if had_warm else 0
            wanted = self.waiting.value > self.warm.value
            self.warm.value += 1 if wanted else 0
            return wanted

    def adjust(self, change: int) -> None:
        """A warm kernel appeared or went away outside claim()."""
        with self.waiting.get_lock():
            self.warm.value += change


def _die_with(parent: int) -> None:
    """Have the kernel SIGKILL this worker when the grading process dies (even by SIGKILL)."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:   # it died before the request took effect
        os._exit(1)


def _launch(assignment: Assignment, settings: GradeSettings, forks: ForkServer | None):
    try:
        return launch_kernel(assignment, settings, forkserver=forks)
    except (GraderError, OSError):
        return None   # grade_submission starts one itself and reports what goes wrong


def _start_forks(settings: GradeSettings) -> ForkServer | None:
    try:
        return start_fork_server(settings)
    except (GraderError, OSError) as exc:
        print(f"kernels start fresh for each notebook: {exc}", file=sys.stderr)
        return None


def grade_all(submissions: list[Submission], assignment: Assignment, settings: GradeSettings, *,
              workers: int, warm: bool = True) -> Iterator[SubmissionResult]:
    """Yield each submission's result as it completes (not in input order)."""
    context = multiprocessing.get_context("spawn")
    tasks, results = context.Queue(), context.Queue()
    pool = WarmPool(context, len(submissions))
    for sub in submissions:
        tasks.put(sub)
    count = max(1, min(workers, len(submissions)))
    procs = {}
    inflight: dict[int, Submission] = {}
    by_id = {s.id: s for s in submissions}
    next_id = 0

    def spawn() -> None:
        nonlocal next_id
        tasks.put(None)   # one stop sign per worker, queued behind the work
        proc = context.Process(target=_worker, daemon=True,
                               args=(next_id, tasks, results, assignment, settings, warm, os.getpid(), pool))
        proc.start()
        procs[next_id] = proc
        next_id += 1

    for _ in range(count):
        spawn()
    remaining = len(submissions)
    try:
        while remaining:
            try:
                kind, worker_id, payload = results.get(timeout=1.0)
            except queue.Empty:
                for worker_id, proc in list(procs.items()):
                    if proc.is_alive():
                        continue
                    del procs[worker_id]
                    lost = inflight.pop(worker_id, None)
                    if lost is not None:
                        remaining -= 1
                        yield crashed(lost, assignment, "the grader's worker process died while grading "
                                      "this notebook")
                    if remaining > len(inflight):
                        spawn()
                continue
            if kind == "start":
                inflight[worker_id] = by_id[payload]
            else:
                inflight.pop(worker_id, None)
                remaining -= 1
                yield SubmissionResult.from_dict(payload)
    finally:
        for proc in procs.values():
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()
        tasks.close()
        results.close()


def crashed(submission: Submission, assignment: Assignment, message: str) -> SubmissionResult:
    exercises = score_exercises(assignment, [])
    score, max_score, pending = totals(exercises)
    return SubmissionResult(submission=submission.id, path=str(submission.path),
                            assignment=assignment.id, assignment_version=assignment.version,
                            score=score, max_score=max_score, pending_manual=pending,
                            exercises=exercises, errors=(message,), grader_fault=True)


class Progress:
    """A one-line progress bar on a terminal; a line per submission otherwise."""

    def __init__(self, total: int, *, stream, tty: bool) -> None:
        self.total = total
        self.done = 0
        self.stream = stream
        self.tty = tty
        self.began = time.monotonic()

    def update(self, result: SubmissionResult) -> None:
        self.done += 1
        elapsed = time.monotonic() - self.began
        status = f"{result.score:g}/{result.max_score:g}" + (" (error)" if result.errors else "")
        if self.tty:
            width = 30
            filled = int(width * self.done / max(1, self.total))
            eta = elapsed / self.done * (self.total - self.done)
            self.stream.write(f"\r[{'#' * filled}{'-' * (width - filled)}] {self.done}/{self.total} "
                              f"{elapsed:4.0f}s eta {eta:4.0f}s  {result.submission[:30]}: {status}\033[K")
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(f"[{self.done}/{self.total}] {result.submission}: {status}\n")
        self.stream.flush()


def _grade_on_cluster(submission: Submission, assignment: Assignment, settings: GradeSettings) -> dict:
    return grade_submission(submission, assignment, settings).to_dict()


def grade_on_cluster(submissions: list[Submission], assignment: Assignment, settings: GradeSettings, *,
                     scheduler: str) -> Iterator[SubmissionResult]:
    """The same grading on a Dask distributed cluster. Every worker needs this package, the
    course environment at the same path, bubblewrap, and read access to the notebooks. A task
    whose worker dies is run again elsewhere by the scheduler; each result arrives here once."""
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
