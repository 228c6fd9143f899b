"""A submission's notebook running in its kernel: cells top to bottom, section snapshots, and
what it takes to bring the kernel back after a death. Also the link the judge's requests
travel over (the bridge's ``Link``)."""
from __future__ import annotations

import time
from pathlib import Path

from grader.assignment import Assignment, Limits
from grader.errors import CallTimeoutError, GraderError, KernelDiedError
from grader.grading.notebook import PreparedNotebook
from grader.grading.settings import GradeSettings
from grader.kernel.forkserver import ForkServer
from grader.kernel.plan import LaunchPlan, plan_kernel
from grader.kernel.session import CellRun, KernelSession, new_runtime_dir
from grader.results import CellResult


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
        self._refusals_seen = (session.generation, 0)   # (kernel start, forks refused) reported so far

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
            if self.process_limit_hit():
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

    def process_limit_hit(self) -> bool:
        """Has the running kernel's sandbox refused new processes since this was last asked?
        (A fork bomb leaves copies of the kernel behind; the only safe answer is a fresh kernel.)"""
        generation, seen = self._refusals_seen
        refused = self.session.forks_refused()
        if generation != self.session.generation:
            seen = 0
        self._refusals_seen = (self.session.generation, refused)
        return refused > seen

    def _snapshot_between(self, previous: str | None, current: str | None) -> None:
        if previous and previous != current:
            try:
                self.session.request({"op": "snapshot", "label": previous}, timeout=30)
            except GraderError as exc:
                self.kernel_notes.append(f"the state at the end of section {previous} could not be kept "
                                         f"({exc}); its checks use the notebook's final state")

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
            if run.status in ("died", "timeout") or self.process_limit_hit():
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
        if self.process_limit_hit():
            self._revive(reason=f"the process limit ({self.limits.processes}) was reached during a test")
        elif self.session.stuck:
            self._revive(reason="a call would not stop after its time limit")
        elif not self.session.alive():
            # If this fails, the test's own request reports the dead kernel.
            self._revive(reason=self.session.death_reason() or "the kernel died during a test")

    def source_index(self):
        """The notebook's code cells as the grader read them (the bridge's Link protocol)."""
        from grader.judge.source import SourceIndex
        return SourceIndex.from_cells((cell.section, cell.source) for cell in self.notebook.cells)


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
    session = KernelSession(kernel_plan(settings, runtime), seed=assignment.seed, forkserver=forkserver)
    session.launch()
    return session


def start_fork_server(settings: GradeSettings) -> ForkServer:
    """A sandboxed parent that imports the libraries once, for kernels forked from it."""
    server = ForkServer(kernel_plan(settings, new_runtime_dir()))
    server.start()
    return server


def kernel_plan(settings: GradeSettings, runtime: Path) -> LaunchPlan:
    return plan_kernel(interpreter=settings.interpreter, runtime_dir=runtime, limits=settings.limits,
                       sandboxed=settings.sandboxed, data=settings.data(), threads=settings.threads,
                       plain=settings.plain)
