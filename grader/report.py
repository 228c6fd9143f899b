"""HTML pages from results: one report per student and the class dashboard.

Rendered with Jinja2 (autoescape on, undefined names are errors) from ``templates/``.
Pages are static: inline CSS and inline SVG, no scripts, nothing fetched, so they open from
disk. Reference answers, rubrics and hidden test source never reach a student's report.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from grader import chart
from grader.results import CheckResult, SubmissionResult
from grader.spec import PROJECT_ROOT

if TYPE_CHECKING:
    from grader.dashboard import Dashboard
    from grader.gradebook import AttemptRow

TEMPLATES = PROJECT_ROOT / "templates"

# grader.compare's wording of a tensor mismatch, for results that carry no structured diff.
MISMATCH = re.compile(r"^(?P<name>.+?) differs from the expected values at (?P<wrong>\d+) of (?P<total>\d+) "
                      r"entries; (?:worst|first) at \[(?P<index>[\d, ]*)\]: got (?P<got>.+?), "
                      r"expected (?P<expected>[^\s(]+)")


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined,
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["points"] = lambda x: f"{x:g}"
    env.filters["pct"] = lambda x: f"{100 * x:.0f}%"
    env.filters["when"] = _when
    return env


def _when(iso: str) -> str:
    """'2026-04-02 10:15 +09:00' from an ISO 8601 time."""
    if not iso:
        return ""
    date, _, rest = iso.partition("T")
    clock, offset = rest[:5], rest[-6:] if rest[-6:-5] in "+-" else ""
    return f"{date} {clock} {offset}".strip()


def mismatch_view(check: CheckResult) -> dict[str, Any] | None:
    """A failed check's tensor mismatch as rows to show (and a heatmap for 2-D results):
    from its structured diff, else read from the message."""
    diff = dict(check.diff)
    if not diff:
        m = MISMATCH.match(check.message)
        if m is None:
            return None
        index = [int(i) for i in m["index"].split(",") if i.strip()]
        diff = {"name": m["name"], "wrong": int(m["wrong"]), "total": int(m["total"]),
                "worst": [{"index": index, "got": m["got"], "expected": m["expected"]}]}
    grid = diff.get("grid")
    return {"name": diff.get("name", "the result"), "wrong": diff.get("wrong"), "total": diff.get("total"),
            "shape": diff.get("shape"), "worst": diff.get("worst", []),
            "heatmap": Markup(chart.heatmap(grid, label="where the wrong entries are")) if grid else ""}


def render_report(result: SubmissionResult, *, history: Sequence["AttemptRow"] = (),
                  counted: "AttemptRow | None" = None, comments: dict[str, str] | None = None) -> str:
    cells = [c for c in result.cells if c.status != "ok" or c.notes]
    diffs = {t.name: view for e in result.exercises for t in e.tests
             if t.outcome != "passed" and (view := mismatch_view(t)) is not None}
    return environment().get_template("report/report.html.j2").render(
        r=result, cells=cells, ran=len(result.cells), diffs=diffs, comments=comments or {},
        history=list(history) if len(history) > 1 else [], counted_id=counted.id if counted else None,
        auto_exercises=[e for e in result.exercises if not e.manual and e.kind != "F"],
        manual_exercises=[e for e in result.exercises if e.kind == "F"])


def render_dashboard(dashboard: "Dashboard") -> str:
    return environment().get_template("summary/index.html.j2").render(
        d=dashboard, svg=lambda text: Markup(text))
