"""A submission's notebook running in its kernel: cells top to bottom, section snapshots, and
what it takes to bring the kernel back after a death. Also the link the judge's requests
travel over (the bridge's ``Link``)."""
from __future__ import annotations

import time
from pathlib import Path

from grader.assignment import Assignment
from grader.errors import CallTimeoutError, GraderError, KernelDiedError, NotebookTimeoutError
from grader.grading.notebook import PreparedCell, PreparedNotebook
from grader.grading.settings import GradeSettings
from grader.judge.source import SourceIndex
from grader.kernel.forkserver import ForkServer
from grader.kernel.plan import LaunchPlan, plan_kernel
from grader.kernel.plan import new_runtime_dir
from grader.kernel.session import CellRun, KernelSession
from grader.limits import Limits
from grader.results import CellResult

# A kernel that dies this soon after a cell reported "ok" may have been stopped by that cell
# (a timer, a thread): such a cell is replayed alone first and kept out if it does it again.
QUICK_DEATH = 1.5


class Execution:
    """A submission's live kernel plus what it takes to bring it back after a death.

    One deadline (``notebook_timeout`` from the start) covers the cells, the replays after
    a death and the checks' calls into the kernel; what is left when it passes fails at once
    with one message. A kernel that dies is restarted and the clean cells are replayed (at
    most ``kernel_restarts`` times while cells run; while checks run, as long as the deadline
    allows); a cell that killed the kernel is never replayed, nor is a name that did called
    again.
    """

    def __init__(self, session: KernelSession, notebook: PreparedNotebook, limits: Limits, *,
                 deadline: float | None = None) -> None:
        self.session = session
        self.notebook = notebook
        self.limits = limits
        self.deadline = time.monotonic() + limits.notebook_timeout if deadline is None else deadline
        self.cells: list[CellResult] = []
        self.replayable: list[int] = []   # positions in notebook.cells that ran cleanly
        self.kernel_notes: list[str] = []
        # Names whose call killed or wedged the kernel: calling them again would only cost
        # another restart and replay, so later tests that call them fail at once.
        self.fatal: dict[str, str] = {}
        self.finished = False             # every cell has run (snapshots taken): checks may start
        self._ended: dict[int, float] = {}  # position -> when it reported "ok" (monotonic)
        self._suspects: set[int] = set()    # positions that may have stopped the kernel after "ok"
        self._refusals_seen = (session.generation, 0)   # (kernel start, forks refused) reported so far

    @property
    def generation(self) -> int:
        """Which start of the kernel is running: what a check learned of the notebook's names
        holds until it changes."""
        return self.session.generation

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def note(self, text: str) -> None:
        """A warning for the result, said once however often it happens."""
        if text not in self.kernel_notes:
            self.kernel_notes.append(text)

    def _timed_out(self) -> str:
        return (f"not run: the submission used up its {self.limits.notebook_timeout:.0f} s "
                "for cells and checks (notebook_timeout)")

    # ---------------------------------------------------------------- cells
    def run_all(self) -> list[CellResult]:
        previous = None
        position = 0
        while position < len(self.notebook.cells):
            cell = self.notebook.cells[position]
            if self.remaining() <= 0:
                self.cells.append(CellResult(cell.index, "skipped", 0.0, {
                    "type": "NotebookTimeout", "message": self._timed_out()}, cell.notes, cell.section))
                position += 1
                continue
            if not self.session.alive():
                reason = self.session.death_reason() or "the kernel died between cells"
                self._suspect_recent_cells()
                if self._revive(reason=reason):
                    continue
                self.cells.append(CellResult(cell.index, "skipped", 0.0, {
                    "type": "KernelDied", "message": "not run: the kernel could not be restarted"},
                    cell.notes, cell.section))
                position += 1
                continue
            self._snapshot_between(previous, cell.section)
            previous = cell.section
            run = self.session.run_cell(cell.source, cell.index, min(self.limits.cell_timeout, self.remaining()))
            if self.process_limit_hit():
                run = CellRun("died", run.seconds, {"type": "ProcessLimit", "message":
                              f"the process limit ({self.limits.processes}) was reached; the kernel "
                              "and every process it started were stopped"}, run.outputs)
            self.cells.append(CellResult(cell.index, run.status, run.seconds, run.error, cell.notes, cell.section))
            if run.status in ("ok", "error"):
                self._record_definitions(cell)
            if run.status == "ok":
                self.replayable.append(position)
                self._ended[position] = time.monotonic()
            elif run.status == "died":
                self._suspect_recent_cells()
                self._revive(reason=run.error["message"] if run.error else "")
            elif run.status == "timeout" and not self.session.settle():
                self._revive(reason="a cell would not stop after its time limit")
            position += 1
        self._snapshot_between(previous, None)
        self.finished = True
        return self.cells

    def _mark_died(self, position: int, message: str) -> None:
        """Record that the cell at ``position``, which reported "ok", stopped the kernel."""
        index = self.notebook.cells[position].index
        for number, result in enumerate(self.cells):
            if result.index == index:
                self.cells[number] = CellResult(index, "died", result.seconds,
                                                {"type": "KernelDied", "message": message}, result.notes, result.section)

    def _record_definitions(self, cell: PreparedCell) -> None:
        """Let the kernel remember the functions and classes this cell defined, so a later
        redefinition of a name does not hide the one an earlier section's checks need."""
        try:
            self.session.request({"op": "record", "cell": cell.index, "section": cell.section},
                                 timeout=max(1.0, min(10.0, self.remaining())))
        except GraderError as exc:
            self.note(f"definitions could not be recorded ({exc}); checks use the last definition of each name")

    def _suspect_recent_cells(self) -> None:
        now = time.monotonic()
        self._suspects |= {p for p in self.replayable if now - self._ended.get(p, float("-inf")) < QUICK_DEATH}

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
                self.session.request({"op": "snapshot", "label": previous}, timeout=max(1.0, min(30.0, self.remaining())))
            except GraderError as exc:
                self.note(f"the state at the end of section {previous} could not be kept "
                          f"({exc}); its checks use the notebook's final state")

    # ---------------------------------------------------------------- deaths
    def _revive(self, *, reason: str) -> bool:
        """Restart the kernel and replay the cells that ran cleanly (and, once every cell has
        run, re-take the section snapshots); a replayed cell that stops the kernel is left out
        and the replay starts over. False if the kernel could not be brought back."""
        while True:
            if self.remaining() <= 0:
                self.note(f"kernel not restarted after: {reason} (no time left)")
                return False
            if not self.finished and self.session.restarts >= self.limits.kernel_restarts:
                self.note(f"kernel not restarted again after: {reason}")
                return False
            self.note(f"kernel restarted after: {reason}")
            try:
                self.session.restart()
            except (GraderError, OSError) as exc:
                self.note(f"kernel restart failed: {exc}")
                return False
            culprit = self._replay()
            if culprit is None:
                return True
            self.replayable.remove(culprit)
            index = self.notebook.cells[culprit].index
            reason = f"replaying cell {index} stopped the kernel"
            self._mark_died(culprit, "the kernel stopped after this cell reported success (seen again when "
                                     "it was replayed); it is left out of later replays")
            self.note(f"cell {index} stopped the kernel when replayed; later replays leave it out")

    def _replay(self) -> int | None:
        """Run the clean cells again; the position of a cell that stopped the kernel, if any."""
        previous = None
        for position in list(self.replayable):
            cell = self.notebook.cells[position]
            if self.remaining() <= 0:
                self.note(f"replaying stopped at cell {cell.index}: no time left")
                return None
            self._snapshot_between(previous, cell.section)
            previous = cell.section
            budget = min(self.limits.cell_timeout, self.remaining())
            run = self.session.run_cell(cell.source, cell.index, budget)
            if run.status == "timeout" and budget < self.limits.cell_timeout:
                self.note(f"replaying stopped at cell {cell.index}: no time left")
                return None
            if run.status in ("died", "timeout") or self.process_limit_hit():
                return position
            self._record_definitions(cell)
            if position in self._suspects:
                time.sleep(max(0.0, min(QUICK_DEATH, self.remaining())))
                if not self.session.alive():
                    return position
                self._suspects.discard(position)
        if self.finished:
            self._snapshot_between(previous, None)
        return None

    # ---------------------------------------------------------------- the bridge's Link protocol
    def request(self, payload: dict, *, timeout: float) -> dict:
        name = _called_name(payload)
        if name in self.fatal:
            raise KernelDiedError(f"not called again: an earlier call {self.fatal[name]}")
        remaining = self.remaining()
        if remaining <= 0:
            raise NotebookTimeoutError(self._timed_out())
        try:
            return self.session.request(payload, timeout=min(timeout, remaining))
        except KernelDiedError as exc:
            if name:
                self.fatal[name] = f"stopped the kernel ({exc})"
            raise
        except CallTimeoutError:
            if name and self.session.stuck:
                self.fatal[name] = f"did not stop when interrupted after {timeout:.0f} s"
            if self.remaining() <= 0:
                raise NotebookTimeoutError(self._timed_out()) from None
            raise

    def before_test(self) -> None:
        """Called before each check: bring a dead or wedged kernel back; once the deadline has
        passed, end the check before it starts."""
        if self.remaining() <= 0:
            raise NotebookTimeoutError(self._timed_out())
        if self.process_limit_hit():
            self._revive(reason=f"the process limit ({self.limits.processes}) was reached during a test")
        elif self.session.stuck:
            self._revive(reason="a call would not stop after its time limit")
        elif not self.session.alive():
            # If this fails, the test's own request reports the dead kernel.
            self._suspect_recent_cells()
            self._revive(reason=self.session.death_reason() or "the kernel died during a test")

    def source_index(self) -> SourceIndex:
        """The notebook's code cells as the grader read them (the bridge's Link protocol)."""
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
                       isolation=settings.isolation, data=settings.data(), threads=settings.threads,
                       plain=settings.plain)
