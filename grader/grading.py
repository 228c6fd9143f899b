"""Grade one submission: read, run in a kernel, judge with pytest here, score.

Whatever goes wrong with one submission (bad file, kernel death, timeouts, hostile code)
ends up in that submission's result; this function does not raise for student faults.
"""
from __future__ import annotations

import platform
import resource
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader import datasets
from grader.errors import CallTimeoutError, GraderError, KernelDiedError, NotebookError
from grader.forkserver import ForkServer
from grader.kernel import CellRun, KernelSession, new_runtime_dir
from grader.memo import ReferenceMemo
from grader.notebook import PreparedNotebook, prepare, read_notebook
from grader.plugin import run_tests
from grader.results import CellResult, SubmissionResult, CheckResult
from grader.sandbox import DATADIR, KernelPython, LaunchPlan, Mount
from grader.scoring import score_exercises, totals
from grader.spec import Assignment, Limits


@dataclass(frozen=True)
class Submission:
    id: str
    path: Path


@dataclass(frozen=True)
class GradeSettings:
    """How submissions are run; the same for every submission in a batch."""

    interpreter: KernelPython
    limits: Limits
    sandboxed: bool = True
    kernel_env_note: str = ""
    fashion_mnist: datasets.FashionMNISTFiles | None = None
    public_only: bool = False
    exercises: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)
    fast: bool = True       # grading settings in the kernel (grader/prelude.py)
    data_files: tuple[Path, ...] = ()   # the assignment's files shown at ../data/<name>
    threads: int = 0        # torch threads per kernel; 0 leaves torch's default


class Execution:
    """A submission's live kernel plus what it takes to bring it back after a death."""

    def __init__(self, session: KernelSession, notebook: PreparedNotebook, limits: Limits) -> None:
        self.session = session
        self.notebook = notebook
        self.limits = limits
        self.cells: list[CellResult] = []
        self.replayable: list[int] = []   # positions in notebook.cells that ran cleanly
        self.kernel_notes: list[str] = []
        # Names whose call killed or wedged the kernel: calling them again would only cost
        # another restart and replay, so later tests that call them fail at once.
        self.fatal: dict[str, str] = {}

    def run_all(self) -> list[CellResult]:
        deadline = time.monotonic() + self.limits.notebook_timeout
        previous = None
        for position, cell in enumerate(self.notebook.cells):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.cells.append(CellResult(cell.index, "skipped", 0.0, {
                    "type": "NotebookTimeout",
                    "message": f"not run: the notebook used up its {self.limits.notebook_timeout:.0f} s limit"},
                    cell.notes))
                continue
            if not self.session.alive():
                self.cells.append(CellResult(cell.index, "skipped", 0.0, {
                    "type": "KernelDied", "message": "not run: the kernel could not be restarted"},
                    cell.notes))
                continue
            self._snapshot_between(previous, cell.section)
            previous = cell.section
            run = self.session.run_cell(cell.source, cell.index, min(self.limits.cell_timeout, remaining))
            if self.session.process_limit_hit():
                run = CellRun("died", run.seconds, {"type": "ProcessLimit", "message":
                              f"the process limit ({self.limits.processes}) was reached; the kernel "
                              "and every process it started were stopped"}, run.outputs)
            self.cells.append(CellResult(cell.index, run.status, run.seconds, run.error, cell.notes))
            if run.status == "ok":
                self.replayable.append(position)
            elif run.status == "died":
                self._revive(reason=run.error["message"] if run.error else "")
            elif run.status == "timeout" and not self.session.settle():
                self._revive(reason="a cell would not stop after its time limit")
        self._snapshot_between(previous, None)
        return self.cells

    def _snapshot_between(self, previous: str | None, current: str | None) -> None:
        if previous and previous != current:
            try:
                self.session.request({"op": "snapshot", "label": previous}, timeout=30)
            except GraderError:
                pass

    def _revive(self, *, reason: str) -> bool:
        """Restart the kernel and replay the cells that ran cleanly, if the budget allows."""
        if self.session.restarts >= self.limits.kernel_restarts:
            self.kernel_notes.append(f"kernel not restarted again after: {reason}")
            return False
        self.kernel_notes.append(f"kernel restarted after: {reason}")
        try:
            self.session.restart()
        except GraderError as exc:
            self.kernel_notes.append(f"kernel restart failed: {exc}")
            return False
        previous = None
        for position in self.replayable:
            cell = self.notebook.cells[position]
            self._snapshot_between(previous, cell.section)
            previous = cell.section
            run = self.session.run_cell(cell.source, cell.index, self.limits.cell_timeout)
            if run.status in ("died", "timeout") or self.session.process_limit_hit():
                self.kernel_notes.append(f"replaying cell {cell.index} failed ({run.status})")
                return False
        return True

    # The bridge's Link protocol.
    def request(self, payload: dict, *, timeout: float) -> dict:
        name = _called_name(payload)
        if name in self.fatal:
            raise KernelDiedError(f"not called again: an earlier call {self.fatal[name]}")
        try:
            return self.session.request(payload, timeout=timeout)
        except KernelDiedError as exc:
            if name:
                self.fatal[name] = f"stopped the kernel ({exc})"
            raise
        except CallTimeoutError:
            if name and self.session.stuck:
                self.fatal[name] = f"did not stop when interrupted after {timeout:.0f} s"
            raise

    def before_test(self) -> None:
        if self.session.process_limit_hit():
            self._revive(reason=f"the process limit ({self.limits.processes}) was reached during a test")
        elif self.session.stuck:
            self._revive(reason="a call would not stop after its time limit")
        elif not self.session.alive():
            # If this fails, the test's own request reports the dead kernel.
            self._revive(reason=self.session.death_reason() or "the kernel died during a test")


def _called_name(payload: dict) -> str | None:
    target = payload.get("target") or {}
    if payload.get("op") == "call" and "name" in target:
        return ".".join([target["name"], *target.get("path", [])])
    return None


def launch_kernel(assignment: Assignment, settings: GradeSettings, *,
                  forkserver: ForkServer | None = None) -> KernelSession:
    """A kernel for the next submission, launched (imports under way) but not yet waited for;
    with ``forkserver``, one to be forked from its pre-imported parent when attached."""
    runtime = forkserver.new_kernel_dir() if forkserver is not None else new_runtime_dir()
    session = KernelSession(_plan(settings, runtime), seed=assignment.seed, forkserver=forkserver)
    session.launch()
    return session


def start_fork_server(settings: GradeSettings) -> ForkServer:
    """A sandboxed parent that imports the libraries once, for kernels forked from it."""
    server = ForkServer(_plan(settings, new_runtime_dir()))
    server.start()
    return server


def grade_submission(submission: Submission, assignment: Assignment, settings: GradeSettings, *,
                     kernel: KernelSession | None = None,
                     memo: ReferenceMemo | None = None) -> SubmissionResult:
    """Grade one notebook. ``kernel`` is a launched kernel to use (it is closed afterwards);
    if the notebook cannot be read it is left untouched for the next submission. ``memo``
    keeps reference outputs from one submission to the next."""
    began = time.monotonic()
    timing: dict[str, float] = {}
    warnings = list(settings.warnings)
    environment = _grader_environment(settings)
    if settings.fast:
        environment["grading_settings"] = (
            "DataLoader worker processes capped at 0; d2l progress plots drawn once per cell; "
            "Fashion-MNIST images kept once transformed; TensorDataset minibatches read by index; "
            f"{settings.threads or 'default'} torch threads per kernel; libraries imported before the notebook")
    if kernel is not None and kernel.forkserver is not None:
        environment["kernel_start"] = ("forked from a sandboxed parent that imported the libraries "
                                       "once; the fork has its own namespaces, tmpfs and cgroup")
    try:
        nb = read_notebook(submission.path, max_mb=settings.limits.notebook_mb)
    except NotebookError as exc:
        return _unrunnable(submission, assignment, settings, str(exc), began, environment)
    answer_ids = {e.id for e in assignment.exercises if e.manual}
    notebook = prepare(nb, answer_ids=answer_ids)
    warnings += list(notebook.warnings)
    made_for = notebook.metadata.get("assignment")
    if made_for and made_for != assignment.id:
        warnings.append(f"this notebook was released for {made_for!r}, graded as {assignment.id!r}")
    release_version = notebook.metadata.get("version")
    if release_version and str(release_version) != assignment.version:
        warnings.append(f"this notebook comes from release {release_version} of {assignment.id}; "
                        f"the current release is {assignment.version}")
    errors: list[str] = []
    grader_fault = False
    cells: list[CellResult] = []
    outcomes: list[CheckResult] = []
    try:
        session = kernel or launch_kernel(assignment, settings)
        session.attach()
    except GraderError as exc:
        return _unrunnable(submission, assignment, settings, str(exc), began, environment,
                           error_kind="grader")
    try:
        timing["kernel_start"] = round(session.start_seconds, 3)
        execution = Execution(session, notebook, settings.limits)
        t0 = time.monotonic()
        cells = execution.run_all()
        timing["execute"] = round(time.monotonic() - t0, 3)
        t0 = time.monotonic()
        before = memo.stats() if memo is not None else None
        outcomes, problems = run_tests(assignment, execution, public_only=settings.public_only,
                                       exercises=settings.exercises or None,
                                       limits=settings.limits, before_test=execution.before_test,
                                       memo=memo)
        timing["tests"] = round(time.monotonic() - t0, 3)
        if memo is not None and before is not None:
            after = memo.stats()
            environment["reference_outputs"] = {
                "from_memo": after.hits - before.hits, "computed": after.misses - before.misses,
                "not_cacheable": after.uncacheable - before.uncacheable}
        errors += [f"grader: {p}" for p in problems]
        grader_fault = bool(problems)
        warnings += execution.kernel_notes
        environment["kernel"] = _kernel_environment(execution)
        if session.cgroups is not None:
            peak = session.cgroups.peak_memory_mb()
            if peak is not None:
                timing["kernel_peak_memory_mb"] = round(peak, 1)
            refused = session.cgroups.forks_refused()
            if refused:
                warnings.append(f"the process limit ({settings.limits.processes}) refused {refused} new processes")
    finally:
        session.close()
    exercises = score_exercises(assignment, outcomes, notebook.answers)
    score, max_score, pending = totals(exercises)
    timing["total"] = round(time.monotonic() - began, 3)
    timing["grader_peak_memory_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return SubmissionResult(
        submission=submission.id, path=str(submission.path), assignment=assignment.id,
        assignment_version=assignment.version, score=score, max_score=max_score,
        pending_manual=pending, exercises=exercises, cells=tuple(cells), errors=tuple(errors),
        warnings=tuple(warnings), timing=timing, environment=environment, grader_fault=grader_fault)


def _plan(settings: GradeSettings, runtime: Path) -> LaunchPlan:
    mounts: tuple[Mount, ...] = ()
    scratch = None
    if settings.fashion_mnist is not None:
        mounts += (Mount(settings.fashion_mnist.raw_dir, f"{DATADIR}/FashionMNIST/raw"),)
    mounts += tuple(Mount(path, f"{DATADIR}/{path.name}") for path in settings.data_files)
    env = {}
    if settings.threads:
        env = {"OMP_NUM_THREADS": str(settings.threads), "MKL_NUM_THREADS": str(settings.threads)}
    if not settings.sandboxed:
        scratch = runtime / "home" / "work"
        scratch.mkdir(parents=True)
        if settings.fashion_mnist is not None:
            raw = runtime / "home" / "data" / "FashionMNIST" / "raw"
            raw.parent.mkdir(parents=True)
            shutil.copytree(settings.fashion_mnist.raw_dir, raw)
        for path in settings.data_files:
            (runtime / "home" / "data").mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, runtime / "home" / "data" / path.name)
    return LaunchPlan(interpreter=settings.interpreter, runtime_dir=runtime, limits=settings.limits,
                      sandboxed=settings.sandboxed, mounts=mounts, scratch_dir=scratch, env=env,
                      fast=settings.fast)


def _unrunnable(submission: Submission, assignment: Assignment, settings: GradeSettings, message: str,
                began: float, environment: dict, *, error_kind: str = "notebook") -> SubmissionResult:
    exercises = score_exercises(assignment, [])
    score, max_score, pending = totals(exercises)
    return SubmissionResult(
        submission=submission.id, path=str(submission.path), assignment=assignment.id,
        assignment_version=assignment.version, score=score, max_score=max_score,
        pending_manual=pending, exercises=exercises, errors=(message,),
        warnings=tuple(settings.warnings), timing={"total": round(time.monotonic() - began, 3)},
        environment=environment, grader_fault=error_kind == "grader")


def _grader_environment(settings: GradeSettings) -> dict:
    import torch
    env = {"grader": {"python": platform.python_version(), "torch": str(torch.__version__)},
           "sandbox": "bubblewrap" if settings.sandboxed else "none (--no-sandbox)",
           "kernel_environment": settings.kernel_env_note or str(settings.interpreter.prefix),
           "limits": settings.limits.to_dict()}
    if settings.fashion_mnist is not None:
        env["data"] = settings.fashion_mnist.describe()
    return env


_KERNEL_PROBE = """
import sys, importlib.metadata as _md
def _v(name):
    try:
        return _md.version(name)
    except Exception:
        return None
{"python": sys.version.split()[0], **{n: _v(n) for n in ("torch", "torchvision", "numpy", "pandas", "matplotlib", "d2l")}}
"""


def _kernel_environment(execution: Execution) -> dict:
    from grader.bridge import Student
    try:
        found = Student(execution).run(_KERNEL_PROBE, label="environment probe", timeout=20)
        return found if isinstance(found, dict) else {}
    except GraderError:
        return {}


def scratch_root() -> Path:
    return Path(tempfile.gettempdir())


__all__ = ["Submission", "GradeSettings", "grade_submission", "Execution", "KernelDiedError"]
