"""What a long-lived grading process keeps from one submission to the next.

A local worker (``pool``) and a Dask worker (``cluster``) both grade submission after
submission in one process. Each keeps a sandboxed kernel parent to fork kernels from, the
memo of reference outputs, and the judge's warm-up (imports and settled tests), made in a
thread beside the parent's imports and the first notebook's cells (a local worker forked from
a warmed one gets all three from it: ``SharedStart``). A kit serves one batch: a
process's next batch gets a new kit, which imports the tests and reference solutions afresh.
"""
from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from grader.assignment import Assignment
from grader.errors import GraderError
from grader.grading.execution import launch_kernel, start_fork_server
from grader.grading.settings import GradeSettings
from grader.judge.memo import ReferenceMemo
from grader.judge.settled import SettledTests, settle_tests
from grader.kernel.forkserver import ForkServer
from grader.kernel.session import KernelSession


class WorkerKit:
    """The kernel parent (when ``warm`` and sandboxed), the memo and the judge's warm-up for
    one assignment and one set of settings. ``label`` starts what it prints on stderr."""

    def __init__(self, assignment: Assignment, settings: GradeSettings, *, warm: bool, label: str,
                 shared: SharedStart | None = None) -> None:
        self.assignment = assignment
        self.settings = settings
        self.warm = warm
        if shared is not None:   # made by the worker this one was forked from (``siblings``)
            self.forks, self.memo, self.judge = shared.forks, shared.memo, shared.judge
        else:
            self.forks = start_forks(settings, label=label) if warm and settings.sandboxed else None
            assignment.forget_imports()   # an earlier batch's tests and references, as they were then
            self.memo = ReferenceMemo()   # reference outputs, computed once for this process's submissions
            self.judge = JudgeWarmUp(functools.partial(warm_judge, assignment, self.memo))
        if self.forks is not None:
            try:
                self.forks.wait_ready()
            except GraderError as exc:
                print(f"{label}: kernels start fresh for each notebook: {exc}", file=sys.stderr)
                self.forks.close()
                self.forks = None

    def launch(self) -> KernelSession | None:
        """A kernel for the next submission (forked when its submission attaches to it), or
        None when not warm or when it cannot be launched (``grade_submission`` then starts one
        itself and reports what goes wrong)."""
        if not self.warm:
            return None
        try:
            return launch_kernel(self.assignment, self.settings, forkserver=self.forks)
        except (GraderError, OSError):
            return None

    def close(self) -> None:
        if self.forks is not None:
            self.forks.close()
            self.forks = None


class JudgeWarmUp:
    """What every submission's tests need, made once per process by ``make`` in a thread of its
    own: it runs beside the kernel parent's imports and the first notebook's cells, which need
    none of it. For a worker on its own, ``warm_judge``: imports pytest, torch, the reference
    solutions (and d2l with them), the assignment's test modules and IPython's cell transformer
    (the ``source`` fixture's), and settles the tests a survey can settle (``settle_tests``).
    ``wait()`` returns the settled tests once it is done."""

    def __init__(self, make: Callable[[], SettledTests | None]) -> None:
        self._settled: SettledTests | None = None
        self._thread = threading.Thread(target=self._main, args=(make,), name="judge warm-up", daemon=True)
        self._thread.start()

    def wait(self) -> SettledTests | None:
        self._thread.join()
        return self._settled

    def _main(self, make: Callable[[], SettledTests | None]) -> None:
        self._settled = make()


class Judge(Protocol):
    """The judge's warm-up as a worker waits for it: ``wait()`` returns the settled tests (None:
    every test runs) once they are made."""

    def wait(self) -> SettledTests | None: ...


@dataclass(frozen=True)
class SharedStart:
    """What a worker forked from a warmed one starts with instead of making it: its kernel
    parent (started by the warmed worker), the memo and the judge's warm-up."""

    forks: ForkServer | None
    memo: ReferenceMemo
    judge: Judge


def warm_judge(assignment: Assignment, memo: ReferenceMemo) -> SettledTests | None:
    """The judge's warm-up in the calling thread: the imports every submission's tests need,
    then the tests a survey can settle (None: every test runs)."""
    import_judge(assignment)
    return settle(assignment, memo)


def import_judge(assignment: Assignment) -> None:
    """Import pytest, torch, IPython's cell transformer and the reference solutions."""
    import IPython.core.inputtransformer2  # noqa: F401
    import pytest  # noqa: F401
    import torch  # noqa: F401
    for exercise in assignment.exercises:
        if exercise.module:
            try:
                assignment.reference_module(exercise)
            except GraderError:
                pass   # the tests that need it say so


def settle(assignment: Assignment, memo: ReferenceMemo) -> SettledTests | None:
    """The tests a survey can settle (None: every test runs)."""
    try:
        return settle_tests(assignment, memo)
    except Exception:   # noqa: BLE001 - every test then runs; a module that does not import says so there
        return None


def start_forks(settings: GradeSettings, *, label: str) -> ForkServer | None:
    try:
        return start_fork_server(settings)
    except (GraderError, OSError) as exc:
        print(f"{label}: kernels start fresh for each notebook: {exc}", file=sys.stderr)
        return None
