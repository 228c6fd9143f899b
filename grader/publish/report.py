"""HTML pages from results: one report per student and the class dashboard.

Rendered with Jinja2 (autoescape on, undefined names are errors) from ``templates/``.
Pages are static: inline CSS and inline SVG, no scripts, nothing fetched, so they open from
disk. Reference answers, rubrics and hidden test source never reach a student's report.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from grader.publish import chart
from grader.results import SubmissionResult, Verdict

if TYPE_CHECKING:
    from grader.gradebook import AttemptRow
    from grader.publish.dashboard import Dashboard

TEMPLATES = Path(__file__).resolve().parent / "templates"


def page_templates() -> Environment:
    """The Jinja2 environment every HTML page is rendered with."""
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


def mismatch_view(verdict: Verdict) -> dict[str, Any] | None:
    """A failed check's tensor mismatch as rows to show (and a heatmap for 2-D results),
    from its structured diff; None when it has none."""
    diff = dict(verdict.diff)
    if not diff:
        return None
    grid = diff.get("grid")
    return {"name": diff.get("name", "the result"), "wrong": diff.get("wrong"), "total": diff.get("total"),
            "shape": diff.get("shape"), "worst": diff.get("worst", []),
            "heatmap": Markup(chart.heatmap(grid, label="where the wrong entries are")) if grid else ""}


def render_report(result: SubmissionResult, *, history: Sequence["AttemptRow"] = (),
                  counted: "AttemptRow | None" = None, comments: dict[str, str] | None = None) -> str:
    cells = [c for c in result.cells if c.status != "ok" or c.notes]
    diffs = {t.name: view for e in result.exercises for t in e.tests
             if t.outcome != "passed" and (view := mismatch_view(t)) is not None}
    return page_templates().get_template("report/report.html.j2").render(
        r=result, cells=cells, ran=len(result.cells), diffs=diffs, comments=comments or {},
        history=list(history) if len(history) > 1 else [], counted_id=counted.id if counted else None,
        auto_exercises=[e for e in result.exercises if not e.manual and e.kind != "F"],
        manual_exercises=[e for e in result.exercises if e.kind == "F"])


def render_dashboard(dashboard: "Dashboard", *, similarity: bool = False) -> str:
    """``similarity``: link the similarity report (``similarity/index.html``)."""
    return page_templates().get_template("summary/index.html.j2").render(
        d=dashboard, svg=lambda text: Markup(text), similarity=similarity)
