"""Grade one submission: read, run in a kernel, judge with pytest here, score.

Whatever goes wrong with one submission (bad file, kernel death, timeouts, hostile code)
ends up in that submission's result; this function does not raise for student faults.
"""
from __future__ import annotations

import functools
import platform
import resource
import time
from collections.abc import Callable

from grader.assignment import Assignment
from grader.errors import GraderError, NotebookError
from grader.grading.execution import Execution, launch_kernel
from grader.grading.notebook import PreparedNotebook, prepare, read_notebook
from grader.grading.settings import GradeSettings, Submission
from grader.judge.bridge import Student
from grader.judge.early import EarlyTests
from grader.judge.memo import ReferenceMemo
from grader.judge.plugin import run_tests
from grader.judge.settled import SettledTests
from grader.kernel.session import KernelSession
from grader.results import SubmissionResult, Verdict, bounded
from grader.scoring import score_exercises, totals, unscored_result
from grader.text import shorten, valid_text

SETTINGS_NOTE = ("DataLoader worker processes capped at 0; d2l progress plots drawn once per cell; "
                 "figures shown as their text line, not drawn into images; "
                 "Fashion-MNIST images kept once transformed; TensorDataset minibatches read by index; "
                 "{threads} torch threads per kernel; libraries imported before the notebook")
FORKED_NOTE = ("forked from a sandboxed parent that imported the libraries once; the fork has its own "
               "namespaces, tmpfs and cgroup")


def grade_submission(submission: Submission, assignment: Assignment, settings: GradeSettings, *,
                     kernel: KernelSession | None = None, memo: ReferenceMemo | None = None,
                     before_tests: Callable[[], SettledTests | None] | None = None) -> SubmissionResult:
    """Grade one notebook. ``kernel`` is a launched kernel to use (it is closed afterwards);
    if the notebook cannot be read it is left untouched for the next submission. ``memo``
    keeps reference outputs from one submission to the next. ``before_tests`` is called before
    the tests are collected, which happens while the notebook runs (a worker waits there for
    its warm-up), and returns the tests a survey can settle (``settle_tests``) or None."""
    began = time.monotonic()
    setup = describe_setup(settings, forked=kernel is not None and kernel.forkserver is not None)
    try:
        nb = read_notebook(submission.path, max_mb=settings.limits.notebook_mb)
    except NotebookError as exc:
        return unscored_result(submission.id, submission.path, assignment, str(exc), began=began,
                               warnings=settings.warnings, environment=setup)
    notebook = prepare(nb, answer_ids={e.id for e in assignment.exercises if e.manual},
                       collect={e.id: (e.section, e.collect) for e in assignment.exercises if e.collect})
    warnings = [*settings.warnings, *notebook.warnings, *release_warnings(notebook, assignment)]
    try:
        session = kernel or launch_kernel(assignment, settings)
        session.attach()
    except GraderError as exc:
        return unscored_result(submission.id, submission.path, assignment, str(exc), began=began,
                               warnings=settings.warnings, environment=setup, grader_fault=True)
    try:
        run = _run_and_judge(session, notebook, assignment, settings, memo=memo, before_tests=before_tests)
    finally:
        session.close()
    exercises = score_exercises(assignment, run.outcomes, notebook.answers)
    score, max_score, pending = totals(exercises)
    timing = {**run.timing, "total": round(time.monotonic() - began, 3),
              "grader_peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
    return bounded(SubmissionResult(
        submission=submission.id, path=valid_text(str(submission.path)), assignment=assignment.id,
        assignment_version=assignment.version, score=score, max_score=max_score,
        pending_manual=pending, exercises=exercises, cells=tuple(run.cells),
        errors=tuple(f"grader: {p}" for p in run.problems), warnings=tuple(warnings + run.warnings),
        timing=timing, environment={**setup, **run.environment}, grader_fault=bool(run.problems)))


class _Run:
    """What running and judging one notebook produced."""

    def __init__(self) -> None:
        self.cells: list = []
        self.outcomes: list[Verdict] = []
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.timing: dict[str, float] = {}
        self.environment: dict = {}


def _run_and_judge(session: KernelSession, notebook: PreparedNotebook, assignment: Assignment,
                   settings: GradeSettings, *, memo: ReferenceMemo | None,
                   before_tests: Callable[[], SettledTests | None] | None) -> _Run:
    run = _Run()
    run.timing["kernel_start"] = round(session.start_seconds, 3)
    execution = Execution(session, notebook, settings.limits)
    # Once the worker's warm-up is done (it uses the memo too): the memo's counts, the settled
    # tests and how many verdicts they had given.
    counted = []

    def ready() -> SettledTests | None:
        settled = before_tests() if before_tests is not None else None
        counted.append((memo.stats() if memo is not None else None, settled, settled.given if settled else 0))
        return settled

    tests = EarlyTests(functools.partial(run_tests, assignment, execution, public_only=settings.public_only,
                                         exercises=settings.exercises or None, limits=settings.limits,
                                         before_test=execution.before_test, memo=memo), before=ready)
    t0 = time.monotonic()
    try:
        run.cells = execution.run_all()
    except BaseException:
        tests.cancel()
        raise
    run.timing["execute"] = round(time.monotonic() - t0, 3)
    t0 = time.monotonic()
    run.outcomes, run.problems = tests.start()
    run.timing["tests"] = round(time.monotonic() - t0, 3)
    stats, settled, given = counted[0] if counted else (None, None, 0)
    if memo is not None and stats is not None:
        after = memo.stats()
        run.environment["reference_outputs"] = {
            "from_memo": after.hits - stats.hits, "computed": after.misses - stats.misses,
            "not_cacheable": after.uncacheable - stats.uncacheable}
    if settled is not None:   # tests that ended at a name the notebook lacks, not run (judge/settled.py)
        run.environment["tests_settled"] = settled.given - given
    run.warnings += execution.kernel_notes
    run.environment["kernel"] = probe_kernel_versions(execution)
    peak = session.peak_memory_mb()
    if peak is not None:
        run.timing["kernel_peak_memory_mb"] = round(peak, 1)
    refused = session.forks_refused()
    if refused:
        run.warnings.append(f"the process limit ({settings.limits.processes}) refused {refused} new processes")
    return run


def release_warnings(notebook: PreparedNotebook, assignment: Assignment) -> list[str]:
    """Warnings when the notebook was released for another assignment or release."""
    warnings = []
    made_for = notebook.metadata.get("assignment")
    if made_for and made_for != assignment.id:
        warnings.append(f"this notebook was released for {shorten(repr(made_for), 80)}, graded as {assignment.id!r}")
    release_version = notebook.metadata.get("version")
    if release_version and str(release_version) != assignment.version:
        warnings.append(f"this notebook comes from release {shorten(release_version, 40)} of {assignment.id}; "
                        f"the current release is {assignment.version}")
    return warnings


def describe_setup(settings: GradeSettings, *, forked: bool) -> dict:
    """What the submission is graded with: the grader's versions, the sandbox, the course
    environment, the limits, the data and the grading settings."""
    import torch
    setup = {"grader": {"python": platform.python_version(), "torch": str(torch.__version__)},
             "sandbox": settings.isolation.describe(),
             "kernel_environment": settings.kernel_env_note or str(settings.interpreter.prefix),
             "limits": settings.limits.to_dict()}
    if settings.fashion_mnist is not None:
        setup["data"] = settings.fashion_mnist.describe()
    if not settings.plain:
        setup["grading_settings"] = SETTINGS_NOTE.format(threads=settings.threads or "default")
    if forked:
        setup["kernel_start"] = FORKED_NOTE
    return setup


PROBED = ("python", "torch", "torchvision", "numpy", "pandas", "matplotlib", "d2l")
VERSION_CHARS = 40
_KERNEL_PROBE = """
import sys, importlib.metadata as _md
def _v(name):
    try:
        return _md.version(name)
    except Exception:
        return None
{"python": sys.version.split()[0], **{n: _v(n) for n in %r}}
""" % (PROBED[1:],)


def probe_kernel_versions(execution: Execution) -> dict:
    """The package versions the kernel reports (as the kernel says: for reading, never trusted;
    only the expected names, each a short string or None)."""
    if not execution.session.alive():
        return {}
    try:
        found = Student(execution.session).run(_KERNEL_PROBE, label="environment probe", timeout=10)
    except GraderError:
        return {}
    if not isinstance(found, dict):
        return {}
    kept = {}
    for name in PROBED:
        value = found.get(name)
        kept[name] = value if isinstance(value, str) and len(value) <= VERSION_CHARS else None
    return kept
