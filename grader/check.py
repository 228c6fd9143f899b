"""Students' own checks: the public tests only, with the same engine and messages as ``grade``.

``check("softmax")`` inside a notebook runs them against the live kernel's definitions (the
student's own code on their own machine: no sandbox, by design) and returns a
``CheckResult``: one line per check, shown as an HTML table in Jupyter and Colab and as plain
text elsewhere, small enough to keep in the notebook. ``grader check NOTEBOOK``
(``grader/selfcheck.py``) runs a whole notebook first and prints the same lines.

This module ships in the students' checks package (``grader/wheel.py``), so it imports only
the foundation and the judge.
"""
from __future__ import annotations

import difflib
import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from grader.assignment import Assignment, load_assignment, parse_assignment
from grader.errors import UsageError
from grader.results import Verdict
from grader.text import one_line

# What one check cell's output may add to a notebook: its plain-text and HTML forms
# together, as nbformat stores them (a few hundred bytes of that are JSON around the text).
OUTPUT_BYTES = 2048
ENVELOPE_BYTES = 300   # the output's own JSON: its type, execution count, keys and metadata
PLAIN_BYTES = OUTPUT_BYTES * 2 // 5   # the plain-text form's share; the HTML table gets the rest
KEPT_CHARS = 300   # a check's description or message, as kept in a CheckResult
# From the most to the least detailed: characters of each check's description and message,
# and whether passing checks get a line of their own. The first that fits the budget is used.
DETAIL = ((120, 300, True), (80, 160, True), (60, 110, False), (40, 70, False), (0, 50, False))


@dataclass(frozen=True)
class CheckLine:
    """One public check: did it pass, what it checks, what the student's code earned."""

    exercise: str
    passed: bool
    what: str
    message: str
    points: float
    max_points: float


@dataclass(frozen=True)
class CheckResult:
    """What one ``check(...)`` returned. Its repr is the plain-text summary."""

    assignment: str
    exercises: tuple[str, ...]
    checks: tuple[CheckLine, ...]
    notes: tuple[str, ...] = ()

    @classmethod
    def from_verdicts(cls, assignment: str, exercises: tuple[str, ...], verdicts: list[Verdict] | tuple[Verdict, ...],
                      notes: list[str] | tuple[str, ...] = ()) -> "CheckResult":
        order = {ex: i for i, ex in enumerate(exercises)}
        ranked = sorted(verdicts, key=lambda v: order.get(v.exercise, len(order)))
        checks = tuple(CheckLine(v.exercise, v.outcome == "passed", one_line(v.description or v.name, KEPT_CHARS),
                                 "" if v.outcome == "passed" else _message(v), v.points, v.max_points)
                       for v in ranked)
        return cls(assignment, tuple(exercises), checks, tuple(one_line(n, KEPT_CHARS) for n in notes))

    @property
    def passed(self) -> int:
        return sum(c.passed for c in self.checks)

    @property
    def failed(self) -> int:
        return len(self.checks) - self.passed

    @property
    def points(self) -> float:
        return sum(c.points for c in self.checks)

    @property
    def max_points(self) -> float:
        return sum(c.max_points for c in self.checks)

    @property
    def all_passed(self) -> bool:
        return bool(self.checks) and self.failed == 0

    def summary(self) -> str:
        return (f"{self.passed} passed, {self.failed} failed, {self.points:g}/{self.max_points:g} points "
                f"(public checks of {self.assignment}; the grader runs more)")

    def render(self, *, budget: int | None = None) -> str:
        """Plain text: one line per check, then the summary; within ``budget`` characters as
        stored in a notebook (shorter messages first, then passing checks counted, not listed)."""
        return "".join(self._fit(self._plain, budget))

    def _repr_html_(self) -> str:
        plain = _stored_size(self.render(budget=PLAIN_BYTES))
        return "".join(self._fit(self._html, OUTPUT_BYTES - ENVELOPE_BYTES - plain))

    def __repr__(self) -> str:
        return self.render(budget=PLAIN_BYTES)

    # ---------------------------------------------------------------- rendering
    def _fit(self, form: Callable[[int, int, bool, int | None], list[str]], budget: int | None) -> list[str]:
        if budget is None:
            return form(*DETAIL[0], None)
        for what, message, each_pass in DETAIL:
            lines = form(what, message, each_pass, None)
            if _stored_size("".join(lines)) <= budget:
                return lines
        for rows in range(len(self.checks) - 1, 0, -1):
            lines = form(*DETAIL[-1], rows)
            if _stored_size("".join(lines)) <= budget:
                return lines
        return form(*DETAIL[-1], 0)

    def _rows(self, each_pass: bool, limit: int | None) -> tuple[list[CheckLine], int, int]:
        """The checks given a line, then how many passing and failing checks are only counted."""
        shown = [c for c in self.checks if each_pass or not c.passed]
        if limit is not None:
            shown = shown[:limit]
        passes = sum(c.passed for c in self.checks) - sum(c.passed for c in shown)
        return shown, passes, self.failed - sum(not c.passed for c in shown)

    def _plain(self, what: int, message: int, each_pass: bool, limit: int | None) -> list[str]:
        shown, passes, failures = self._rows(each_pass, limit)
        lines = [f"note: {_cut(n, message or 50)}\n" for n in self.notes]
        lines += [f"- {ex}: no public checks\n" for ex in self._unchecked()]
        for c in shown:
            text = f"{'PASS' if c.passed else 'FAIL'} {c.exercise}"
            text += f": {_cut(c.what, what)}" if what else ""
            text += f" -- {_cut(c.message, message)}" if c.message else ""
            lines.append(text + "\n")
        lines += _counted(passes, failures, "\n")
        return [*lines, self.summary()]

    def _html(self, what: int, message: int, each_pass: bool, limit: int | None) -> list[str]:
        shown, passes, failures = self._rows(each_pass, limit)
        rows = [f"<tr><td colspan=3>note: {_h(_cut(n, message or 50))}</td></tr>" for n in self.notes]
        rows += [f"<tr><td>-</td><td>{_h(ex)}</td><td>no public checks</td></tr>" for ex in self._unchecked()]
        for c in shown:
            mark = '<b style="color:green">PASS</b>' if c.passed else '<b style="color:red">FAIL</b>'
            text = _h(_cut(c.what, what)) if what else ""
            if c.message:
                text += f"{'<br>' if text else ''}<i>{_h(_cut(c.message, message))}</i>"
            rows.append(f"<tr><td>{mark}</td><td>{_h(c.exercise)}</td><td style=text-align:left>{text}</td></tr>")
        rows += [f"<tr><td colspan=3>{_h(line)}</td></tr>" for line in _counted(passes, failures, "")]
        return ["<table>", *rows, f"<caption style=caption-side:bottom>{_h(self.summary())}</caption></table>"]

    def _unchecked(self) -> list[str]:
        return [ex for ex in self.exercises if not any(c.exercise == ex for c in self.checks)]


def _message(v: Verdict) -> str:
    """The failure's message, with the last line of the student's traceback where it helps."""
    where = v.traceback[-1].strip() if v.traceback else ""
    text = v.message if not where or where in v.message else f"{v.message} [{where}]"
    return one_line(text, KEPT_CHARS)


def _counted(passes: int, failures: int, end: str) -> list[str]:
    lines = [f"PASS {passes} more check{'s' * (passes != 1)}{end}"] if passes else []
    if failures:
        lines.append(f"FAIL {failures} more check{'s' * (failures != 1)} (check one exercise at a time){end}")
    return lines


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 3)] + "..."


def _h(text: str) -> str:
    return html.escape(text, quote=False)


def _stored_size(text: str) -> int:
    """Bytes ``text`` takes in a saved notebook: JSON-escaped, one quoted string per line."""
    lines = text.splitlines(keepends=True) or [""]
    return sum(len(json.dumps(line, ensure_ascii=False).encode()) + 8 for line in lines)


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


def check(*exercises: str, assignment: Assignment | str | None = None) -> CheckResult:
    """Run the public checks of ``exercises`` (every one when none is named) against the
    current notebook's definitions."""
    from IPython import get_ipython

    from grader.judge.local import NamespaceLink
    from grader.judge.plugin import run_tests
    shell = get_ipython()
    if shell is None:
        raise UsageError("check() runs inside a notebook; in a terminal use `grader check NOTEBOOK`")
    spec = assignment if isinstance(assignment, Assignment) else find_assignment(assignment)
    chosen = resolve_exercises(spec, exercises)
    outcomes, problems = run_tests(spec, NamespaceLink(shell.user_ns), public_only=True, exercises=chosen)
    return CheckResult.from_verdicts(spec.id, chosen, outcomes, problems)
