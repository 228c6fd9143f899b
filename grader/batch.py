"""Grade a batch: take in what the course platform handed out, record every attempt in the
gradebook, grade each student's newest attempt unless the gradebook already holds its
result for this assignment version, store each result as it arrives, and render the
output folder from the gradebook at the end."""
from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

from jinja2 import Environment

from grader import datasets
from grader.assignment import Assignment, IntakeRules, load_assignment
from grader.errors import UsageError
from grader.gradebook import AttemptRow, Gradebook
from grader.grading.cluster import grade_on_cluster
from grader.grading.pool import grade_all
from grader.grading.settings import GradeSettings, Submission
from grader.intake.archive import ZipLimits
from grader.intake.names import SCRATCH
from grader.intake.roster import load_roster
from grader.intake.survey import admit, survey
from grader.kernel import environment
from grader.kernel.isolation import Isolation, choose, verify_access
from grader.limits import Limits
from grader.publish.similarity.report import note_failure, write_similarity
from grader.publish.report import page_templates
from grader.publish.site import publish, store_result
from grader.results import SubmissionResult


@dataclass(frozen=True)
class BatchOptions:
    paths: tuple[Path, ...]
    assignment: str | None = None
    out: Path = Path("grades")
    workers: int = 0                       # 0: one per core
    isolation: str = "auto"                # auto | bubblewrap | user | none (grader/kernel/isolation.py)
    kernel_env: str = "auto"               # auto | current | path to a venv
    limits: dict = field(default_factory=dict)
    only: tuple[str, ...] = ()             # grade only these exercises
    plain_kernels: bool = False            # no warm kernels, no grading settings (grader/inkernel/prelude.py)
    scheduler: str | None = None           # a Dask scheduler address: grade on that cluster
    regrade: bool = False                  # grade again even what the gradebook holds for this version
    roster: Path | None = None             # a class list CSV: file names are matched against it
    id_patterns: tuple[str, ...] = ()      # replace assignment.toml's id patterns
    late: dict = field(default_factory=dict)   # LatePolicy overrides: deadline, grace_minutes, ...
    similarity: bool = True                # write the similarity report (OUT/similarity/) at the end


@dataclass(frozen=True)
class BatchSummary:
    # Every student's final result, graded now or before, in brief (SubmissionResult.brief):
    # the whole of each is <out>/<submission>/result.json.
    results: tuple[SubmissionResult, ...]
    out: Path
    seconds: float
    graded: int = 0                         # graded in this run
    unchanged: int = 0                      # skipped: same content, same assignment version
    earlier_attempts: int = 0               # recorded, not counted (a newer attempt counts)
    unmatched: tuple[str, ...] = ()         # "origin: note"
    refused: tuple[str, ...] = ()           # "origin: reason"
    missing_files: tuple[str, ...] = ()     # needed grading but their files are gone
    similarity: str = ""                    # the similarity report's line, when it was written
    # Wall seconds: before the first notebook's grading began (intake, the workers' start-up),
    # from then to the last result, and after it (pages, the similarity report).
    phases: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @property
    def index(self) -> Path:
        return self.out / "index.html"

    def line(self) -> str:
        n = len(self.results)
        head = (f"Graded {self.graded} submission{'s' if self.graded != 1 else ''} in {self.seconds:.1f} s"
                + (f" ({self.unchanged} unchanged, not regraded)" if self.unchanged else ""))
        if n:
            mean = sum(r.score for r in self.results) / n
            errored = sum(1 for r in self.results if r.errors)
            late = sum(1 for r in self.results if r.late)
            head += (f"; {n} student{'s' if n != 1 else ''}: mean {mean:.2f}/{self.results[0].max_score:g}"
                     + (f", {errored} with errors" if errored else "") + (f", {late} late" if late else ""))
        lines = [head + f". Class dashboard: {self.index}"]
        if self.earlier_attempts:
            lines.append(f"{self.earlier_attempts} earlier attempt(s) recorded, not counted (the newest counts).")
        for title, items in (("unmatched (graded under a name made from the file)", self.unmatched),
                             ("refused", self.refused), ("not graded, file no longer there", self.missing_files)):
            if items:
                lines.append(f"{len(items)} file(s) {title}:")
                lines += [f"  {item}" for item in items]
        return "\n".join(lines + ([self.similarity] if self.similarity else []))


def run_batch(options: BatchOptions, *, stream: TextIO = sys.stderr) -> BatchSummary:
    began = time.monotonic()
    assignment = load_assignment(options.assignment)
    limits = assignment.limits.with_overrides(**options.limits)
    for exercise_id in options.only:
        assignment.exercise(exercise_id)   # unknown ids are a usage error
    patterns = (IntakeRules(options.id_patterns) if options.id_patterns else assignment.intake).compiled()
    policy = assignment.late.with_overrides(**options.late)
    roster = load_roster(options.roster) if options.roster else None
    zip_limits = ZipLimits(member_mb=limits.notebook_mb)
    found = survey(list(options.paths), limits=zip_limits)
    warnings: list[str] = []
    isolation = choose(options.isolation)
    if isolation.kind == "none":
        warnings.append("graded WITHOUT the sandbox (--no-sandbox): student code ran unconfined")
        stream.write("WARNING: --no-sandbox: student code runs unconfined, with your user's rights.\n")
    elif isolation.kind == "user":
        stream.write(f"note: isolation: {isolation.describe()}\n")
    out = options.out
    with _exclusive(out), Gradebook.in_folder(out) as gradebook:
        held = gradebook.meta("assignment")
        if held and held != assignment.id:
            raise UsageError(f"{out} holds the gradebook of {held!r}, not {assignment.id!r}; grade into another --out")
        taken = admit(found, patterns=patterns, scratch=out / SCRATCH, limits=zip_limits, roster=roster,
                             timezone=policy.deadline.tzinfo if policy.deadline else None)
        gradebook.record_attempts(taken.attempts)
        gradebook.set_meta(assignment=assignment.id, late_policy=policy.to_dict(),
                           refused=[r.to_dict() for r in taken.refused],
                           **({"roster": roster.to_dict()} if roster else {}))
        counted = gradebook.counted()
        due = [row for row in counted if options.regrade or
               not row.current(version=assignment.version, exercises=options.only)]
        missing = [row for row in due if not Path(row.path).is_file()]
        due = [row for row in due if row not in missing]
        templates = page_templates()   # one compile of each page template for the whole run
        fresh, span = (_grade(due, gradebook, assignment, options, limits=limits, isolation=isolation,
                              warnings=warnings, templates=templates, stream=stream) if due else (frozenset(), None))
        final = publish(gradebook, assignment, out, fresh=fresh, similarity=options.similarity, templates=templates)
        similarity = _similarity(gradebook, assignment, out, stream=stream) if options.similarity else ""
    ended = time.monotonic()
    first, last = span or (ended, ended)
    return BatchSummary(
        results=tuple(s.result for s in final if s.result is not None), out=out,
        seconds=ended - began, phases=(first - began, last - first, ended - last), graded=len(due),
        unchanged=len(counted) - len(due) - len(missing),
        earlier_attempts=sum(len(s.history) - 1 for s in final),
        unmatched=tuple(f"{a.origin}: {a.note}" for a in taken.unmatched),
        refused=tuple(r.line() for r in taken.refused),
        missing_files=tuple(f"{row.origin} ({row.student})" for row in missing), similarity=similarity)


def _similarity(gradebook: Gradebook, assignment: Assignment, out: Path, *, stream: TextIO) -> str:
    """The similarity report, after everything else is stored and published: whatever goes
    wrong in it is one line on stderr, never the batch's."""
    try:
        return write_similarity(gradebook, assignment, out).line()
    except Exception as exc:  # noqa: BLE001 - any failure here must leave the batch's results as they are
        stream.write(f"similarity report not written: {type(exc).__name__}: {exc}\n")
        note_failure(assignment, out, f"{type(exc).__name__}: {exc}")
        return ""


@contextmanager
def _exclusive(out: Path) -> Iterator[None]:
    """One grading run per output folder at a time (the lock goes with the process, however it ends)."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(f"another grade run is writing to {out}; wait for it to finish") from None
        yield


def _grade(due: list[AttemptRow], gradebook: Gradebook, assignment: Assignment, options: BatchOptions, *,
           limits: Limits, isolation: Isolation, warnings: list[str], templates: Environment,
           stream: TextIO) -> tuple[frozenset[str], tuple[float, float]]:
    """Grade the attempts in ``due``, storing and publishing each result as it arrives
    (rendered with ``templates``).
    Returns the submissions whose pages were written, and when (monotonic) the first
    notebook's grading began and the last result arrived."""
    kernel = environment.resolve(options.kernel_env, assignment.environment,
                                 progress=lambda msg: stream.write(f"{msg}\n"))
    if kernel.flagged:
        warnings.append(f"kernel environment: {kernel.note}")
        stream.write(f"note: student kernels use {kernel.note}\n")
    verify_access(isolation, kernel.interpreter, assignment.root, assignment.reference_dir)
    workers = min(options.workers or os.cpu_count() or 1, len(due))
    settings = GradeSettings(interpreter=kernel.interpreter, limits=limits, isolation=isolation,
                             kernel_env_note=kernel.note, fashion_mnist=datasets.fashion_mnist(),
                             exercises=tuple(options.only), warnings=tuple(warnings),
                             plain=options.plain_kernels, threads=max(1, (os.cpu_count() or 1) // workers),
                             data_files=assignment.data_files())
    submissions = [Submission(id=row.submission, path=Path(row.path)) for row in due]
    rows = {row.submission: row for row in due}
    progress = Progress(len(submissions), stream=stream, tty=stream.isatty())
    written: set[str] = set()
    if options.scheduler:
        stream.write(f"grading on the Dask cluster at {options.scheduler}\n")
        arriving = grade_on_cluster(submissions, assignment, settings, scheduler=options.scheduler)
    else:
        arriving = grade_all(submissions, assignment, settings, workers=workers, warm=not options.plain_kernels)
    first = last = None
    for result in arriving:
        last = time.monotonic()
        first = min(first or last, last - result.timing.get("total", 0.0))
        row = rows[result.submission]
        if kernel.flagged:
            result = replace(result, environment={**result.environment, "kernel_flagged": True})
        written.update(store_result(gradebook, assignment, row, result, options.out, exercises=options.only,
                                    templates=templates))
        progress.update(result)
    return frozenset(written), (first, last) if last is not None else None


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
