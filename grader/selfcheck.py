"""``grader check NOTEBOOK [EXERCISE...]``: run a notebook headlessly in this environment
(no sandbox: it is the student's own code), then its public checks, reported with the same
lines as ``check(...)`` in the notebook (``grader/check.py``)."""
from __future__ import annotations

from pathlib import Path

from grader import datasets
from grader.check import CheckResult, find_assignment, resolve_exercises
from grader.errors import NotebookError, UsageError
from grader.grading.notebook import read_notebook
from grader.grading.settings import GradeSettings, Submission
from grader.grading.submission import grade_submission
from grader.kernel import environment
from grader.kernel.isolation import UNCONFINED


def check_notebook(path: Path, exercises: tuple[str, ...], *, assignment: str | None = None,
                   timeout: float | None = None) -> CheckResult:
    """Execute the notebook (unsandboxed, this environment) and run the public checks."""
    if not path.is_file():
        raise UsageError(f"no such notebook: {path}")
    nb = read_notebook(path, max_mb=200)
    meta = (nb.get("metadata", {}) or {}).get("grader", {}) or {}
    spec = find_assignment(assignment or meta.get("assignment"), near=path.parent)
    notes = []
    if meta.get("assignment") and meta["assignment"] != spec.id:
        raise UsageError(f"{path.name} is a {meta['assignment']} notebook, not {spec.id}")
    if not meta:
        notes.append(f"{path.name} was not made from the {spec.id} release; checking it as {spec.id}")
    chosen = resolve_exercises(spec, exercises)
    limits = spec.limits if timeout is None else spec.limits.with_overrides(cell_timeout=timeout)
    settings = GradeSettings(interpreter=environment.current().interpreter, limits=limits, isolation=UNCONFINED,
                             fashion_mnist=datasets.fashion_mnist(), public_only=True, exercises=chosen,
                             data_files=spec.data_files())
    result = grade_submission(Submission(path.stem, path), spec, settings)
    if result.errors and not any(e.tests for e in result.exercises):
        raise NotebookError(result.errors[0])
    outcomes = [t for e in result.exercises for t in e.tests]
    cell_errors = [f"cell {c.index} {c.status}: {(c.error or {}).get('type', '')} "
                   f"{(c.error or {}).get('message', '')}".rstrip() for c in result.cells if c.status != "ok"]
    return CheckResult.from_verdicts(spec.id, chosen, outcomes, notes + cell_errors)
