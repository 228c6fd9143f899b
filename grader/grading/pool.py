"""Where submissions are graded: a local pool of long-lived worker processes.

Each worker imports torch and pytest once, grades one submission at a time, and keeps the
next submission's kernel launched while it grades the current one, so kernel start-up and
the notebook's heavy imports overlap real work. A worker that dies costs only the
submission it was grading: that one gets an error result, a new worker takes its place, and
what the dead one left on the host (its kernels' cgroups, its folders) is removed.
"""
from __future__ import annotations

import atexit
import ctypes
import multiprocessing
import os
import queue
import signal
import sys
from collections.abc import Iterator

from grader.assignment import Assignment
from grader.grading.kit import WorkerKit
from grader.grading.settings import GradeSettings, Submission
from grader.grading.submission import grade_submission
from grader.kernel.leftovers import remove_leftovers
from grader.results import SubmissionResult
from grader.scoring import unscored_result


def _worker(worker_id: int, tasks, results, assignment: Assignment, settings: GradeSettings,
            warm: bool, parent: int, pool) -> None:
    _die_with(parent)
    kit = WorkerKit(assignment, settings, warm=warm, label=f"worker {worker_id}")
    ready = None
    while True:
        submission = tasks.get()
        if submission is None:
            break
        results.put(("start", worker_id, submission.id))
        kernel = ready or kit.launch()
        # Warm the next kernel while this one is graded, unless every submission still
        # waiting already has a warm kernel somewhere (so none is started for nothing).
        # A forked kernel is only forked when its submission attaches to it.
        wanted = warm and pool.claim(had_warm=ready is not None)
        ready = kit.launch() if wanted else None
        if wanted and ready is None:
            pool.adjust(-1)
        try:
            result = grade_submission(submission, assignment, settings, kernel=kernel, memo=kit.memo,
                                      before_tests=kit.judge.wait)
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
    kit.close()
    _end_worker(results)


def _end_worker(results) -> None:
    """End this worker process once its results are sent and its exit handlers have run,
    without the interpreter's teardown of torch and the rest of its heap: about 2 s at the
    end of every batch, spent on memory the process is about to give back anyway."""
    results.close()
    results.join_thread()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


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

    remove_leftovers()   # what earlier runs' killed workers left
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
                    remove_leftovers()   # its kernels, cgroups and folders
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
                proc.join()
        remove_leftovers()
        tasks.close()
        results.close()


def crashed(submission: Submission, assignment: Assignment, message: str) -> SubmissionResult:
    """The result of a submission the grader itself failed on."""
    return unscored_result(submission.id, submission.path, assignment, message, grader_fault=True)
