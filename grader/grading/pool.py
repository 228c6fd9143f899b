"""Where submissions are graded: a local pool of long-lived worker processes.

Each worker imports torch and pytest once, grades one submission at a time, and keeps the
next submission's kernel launched while it grades the current one, so kernel start-up and
the notebook's heavy imports overlap real work. With several workers, one process warms up
and the others are forked from it (``siblings``), so the batch pays one warm-up. A worker that
dies costs only the submission it was grading: that one gets an error result, a new worker
takes its place, and what the dead one left on the host (its kernels' cgroups, its folders) is
removed.
"""
from __future__ import annotations

import atexit
import functools
import multiprocessing
import os
import queue
import sys
from collections.abc import Iterator

from grader.assignment import Assignment
from grader.grading.kit import SharedStart, WorkerKit
from grader.grading.settings import GradeSettings, Submission
from grader.grading.siblings import die_with, fork_siblings
from grader.grading.submission import grade_submission
from grader.kernel.leftovers import remove_leftovers
from grader.results import SubmissionResult
from grader.scoring import unscored_result

WORKER_DIED = "the grader's worker process died while grading this notebook"


def _worker(worker_id: int, count: int, tasks, results, assignment: Assignment, settings: GradeSettings,
            warm: bool, parent: int, pool) -> None:
    """Workers ``worker_id`` to ``worker_id + count - 1``: this process, and the others forked
    from it once it is warm (``siblings``)."""
    die_with(parent)
    serve = functools.partial(_serve, tasks=tasks, results=results, assignment=assignment, settings=settings,
                              warm=warm, pool=pool)
    if count == 1:
        serve(worker_id, None)
    else:
        shared, siblings = fork_siblings(worker_id, count, assignment, settings, warm=warm, serve=serve,
                                         results=results)
        serve(worker_id, shared)
        siblings.wait()   # they use kernel parents this process started
    _end_worker(results)


def _serve(worker_id: int, shared: SharedStart | None, *, tasks, results, assignment: Assignment,
           settings: GradeSettings, warm: bool, pool) -> None:
    """Grade submissions from ``tasks`` until a stop sign, keeping the next kernel warm;
    ``shared`` is what a worker forked from a warmed one starts with (``siblings``)."""
    kit = WorkerKit(assignment, settings, warm=warm, label=f"worker {worker_id}", shared=shared)
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
        payload["timing"]["grader_worker"] = worker_id   # whose peak memory it reports
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
    family: dict[int, list[int]] = {}   # a worker process's id -> the workers forked from it
    lost: set[int] = set()              # workers known dead
    inflight: dict[int, Submission] = {}
    by_id = {s.id: s for s in submissions}
    next_id = 0
    remaining = len(submissions)

    def spawn(workers: int = 1) -> None:
        nonlocal next_id
        for _ in range(workers):
            tasks.put(None)   # one stop sign per worker, queued behind the work
        # multiprocessing gives a daemonic process no children: one that forks workers is not.
        proc = context.Process(target=_worker, daemon=workers == 1,
                               args=(next_id, workers, tasks, results, assignment, settings, warm, os.getpid(),
                                     pool))
        proc.start()
        procs[next_id] = proc
        family[next_id] = list(range(next_id + 1, next_id + workers))
        next_id += workers

    def lose(worker_id: int) -> Iterator[SubmissionResult]:
        nonlocal remaining
        lost.add(worker_id)
        remove_leftovers()   # its kernels, cgroups and folders
        submission = inflight.pop(worker_id, None)
        if submission is not None:
            remaining -= 1
            yield crashed(submission, assignment, WORKER_DIED)
        if remaining > len(inflight):
            spawn()

    remove_leftovers()   # what earlier runs' killed workers left
    spawn(count)
    try:
        while remaining:
            try:
                kind, worker_id, payload = results.get(timeout=1.0)
            except queue.Empty:
                for worker_id, proc in list(procs.items()):
                    if proc.is_alive():
                        continue
                    del procs[worker_id]
                    # The workers forked from it died with it.
                    for dead in [worker_id, *family.pop(worker_id)]:
                        if dead not in lost:
                            yield from lose(dead)
                continue
            if kind == "died":
                yield from lose(worker_id)
            elif kind == "start" and worker_id in lost:   # sent just before it died
                remaining -= 1
                yield crashed(by_id[payload], assignment, WORKER_DIED)
            elif kind == "start":
                inflight[worker_id] = by_id[payload]
            elif worker_id not in lost:   # a dead worker's submission already has its result
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
