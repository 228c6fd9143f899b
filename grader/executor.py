"""Where submissions are graded: a local pool of worker processes.

Each worker is a long-lived process (torch and pytest imported once) that grades one
submission at a time. A worker that crashes costs only the submission it was grading:
that submission gets an error result and the pool is rebuilt for the rest.
"""
from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from grader.grading import GradeSettings, Submission, grade_submission
from grader.results import SubmissionResult
from grader.scoring import score_exercises, totals
from grader.spec import Assignment


def _grade(submission: Submission, assignment: Assignment, settings: GradeSettings) -> dict:
    return grade_submission(submission, assignment, settings).to_dict()


def _warm() -> None:
    import torch  # noqa: F401  - paid once per worker, not per submission
    import pytest  # noqa: F401


def grade_all(submissions: list[Submission], assignment: Assignment, settings: GradeSettings, *,
              workers: int) -> Iterator[SubmissionResult]:
    """Yield each submission's result as it completes (not in input order)."""
    pending = list(reversed(submissions))
    context = multiprocessing.get_context("spawn")
    while pending:
        pool = ProcessPoolExecutor(max_workers=max(1, workers), mp_context=context, initializer=_warm)
        running: dict[Future, Submission] = {}
        broken = False
        try:
            while pending or running:
                while pending and len(running) < max(1, workers) and not broken:
                    sub = pending.pop()
                    running[pool.submit(_grade, sub, assignment, settings)] = sub
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    sub = running.pop(future)
                    try:
                        yield SubmissionResult.from_dict(future.result())
                    except BrokenProcessPool:
                        broken = True
                        yield crashed(sub, assignment, "the grader's worker process crashed "
                                      "while grading this notebook")
                    except Exception as exc:  # a grader bug: this submission only
                        yield crashed(sub, assignment, f"the grader failed on this notebook "
                                      f"({type(exc).__name__}: {exc})")
                if broken:
                    for future, sub in running.items():
                        future.cancel()
                        pending.append(sub)
                    running.clear()
                    break
        finally:
            pool.shutdown(wait=not broken, cancel_futures=True)


def crashed(submission: Submission, assignment: Assignment, message: str) -> SubmissionResult:
    exercises = score_exercises(assignment, [])
    score, max_score, pending = totals(exercises)
    return SubmissionResult(submission=submission.id, path=str(submission.path),
                            assignment=assignment.id, assignment_version=assignment.version,
                            score=score, max_score=max_score, pending_manual=pending,
                            exercises=exercises, errors=(message,))


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


ProgressHook = Callable[[SubmissionResult], None]
