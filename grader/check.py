"""Students' own checks: the public tests only, with the same engine and messages as ``grade``.

``check("softmax")`` inside a notebook runs against the live kernel's definitions;
``grader check hw1.ipynb [EXERCISE...]`` runs the notebook headlessly first. Neither needs
the sandbox (it is the student's own code on their own machine) or the hidden tests.
"""
from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from grader.assignment import Assignment, load_assignment, parse_assignment
from grader.errors import NotebookError, UsageError
from grader.results import Verdict


@dataclass(frozen=True)
class CheckReport:
    assignment: Assignment
    outcomes: tuple[Verdict, ...]
    exercises: tuple[str, ...]
    notes: tuple[str, ...] = ()

    @property
    def all_passed(self) -> bool:
        return bool(self.outcomes) and all(o.outcome == "passed" for o in self.outcomes)

    def render(self) -> str:
        lines = [*(f"note: {n}" for n in self.notes)]
        for ex_id in self.exercises:
            mine = [o for o in self.outcomes if o.exercise == ex_id]
            if not mine:
                lines.append(f"- {ex_id}: no public checks")
                continue
            passed = sum(o.outcome == "passed" for o in mine)
            mark = "PASS" if passed == len(mine) else "FAIL"
            lines.append(f"{mark} {ex_id}: {passed}/{len(mine)} public checks passed")
            for o in mine:
                if o.outcome != "passed":
                    lines.append(f"     - {o.description or o.name}: {o.message}")
                    lines.extend(f"         {t}" for t in o.traceback)
        return "\n".join(lines)


def find_assignment(assignment: str | None, *, near: Path | None = None) -> Assignment:
    """A released student folder (``<id>/assignment.toml`` beside the notebook) comes first,
    then the assignments installed with the grader."""
    for folder in [near, Path.cwd()]:
        if folder is None:
            continue
        candidates = [folder / assignment / "assignment.toml"] if assignment else sorted(
            folder.glob("*/assignment.toml"))
        if len(candidates) == 1 and candidates[0].is_file():
            return parse_assignment(candidates[0])
    return load_assignment(assignment)


def resolve_exercises(assignment: Assignment, names: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    known = [e.id for e in assignment.exercises if not e.manual]
    if not names:
        return tuple(known)
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; the exercises are: {', '.join(known)}"
            raise UsageError(f"{assignment.id} has no exercise named {name!r}{hint}")
    return tuple(names)


def check(*exercises: str, assignment: str | None = None, stream: TextIO | None = None) -> CheckReport:
    """Run the public checks against the current notebook's definitions and print the result."""
    from IPython import get_ipython

    from grader.judge.local import NamespaceLink
    from grader.judge.plugin import run_tests
    shell = get_ipython()
    if shell is None:
        raise UsageError("check() runs inside a notebook; in a terminal use `grader check NOTEBOOK`")
    spec = find_assignment(assignment)
    chosen = resolve_exercises(spec, exercises)
    outcomes, problems = run_tests(spec, NamespaceLink(shell.user_ns), public_only=True, exercises=chosen)
    report = CheckReport(spec, tuple(outcomes), chosen, tuple(problems))
    print(report.render(), file=stream or sys.stdout)
    return report


def check_notebook(path: Path, exercises: tuple[str, ...], *, assignment: str | None = None,
                   timeout: float | None = None) -> CheckReport:
    """Execute the notebook (unsandboxed, this environment) and run the public checks."""
    from grader import datasets
    from grader.grading.notebook import read_notebook
    from grader.grading.settings import GradeSettings, Submission
    from grader.grading.submission import grade_submission
    from grader.kernel import environment
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
    settings = GradeSettings(interpreter=environment.current().interpreter, limits=limits, sandboxed=False,
                             fashion_mnist=datasets.fashion_mnist(), public_only=True, exercises=chosen,
                             data_files=spec.data_files())
    result = grade_submission(Submission(path.stem, path), spec, settings)
    if result.errors and not any(e.tests for e in result.exercises):
        raise NotebookError(result.errors[0])
    outcomes = tuple(t for e in result.exercises for t in e.tests)
    cell_errors = [f"cell {c.index} {c.status}: {(c.error or {}).get('type', '')} "
                   f"{(c.error or {}).get('message', '')}".rstrip() for c in result.cells if c.status != "ok"]
    return CheckReport(spec, outcomes, chosen, tuple(notes + cell_errors))

