"""HTML pages from results: one report per student and the class dashboard.

Rendered with Jinja2 (autoescape on, undefined names are errors) from ``templates/``.
Pages are static: inline CSS and inline SVG, no scripts, nothing fetched, so they open from
disk. Reference answers, rubrics and hidden test source never reach a student's report.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from grader.publish import chart, markup
from grader.publish.sections import section_lines
from grader.results import SubmissionResult, Verdict

if TYPE_CHECKING:
    from grader.gradebook import AttemptRow
    from grader.publish.dashboard import Dashboard

TEMPLATES = Path(__file__).resolve().parent / "templates"


def page_templates() -> Environment:
    """The Jinja2 environment every HTML page is rendered with. It compiles each template the
    first time it is asked for (a report page: about 25 ms of a 30 ms render), so whatever
    renders many pages makes one and passes it on."""
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined,
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["points"] = lambda x: f"{x:g}"
    env.filters["points_label"] = points_label
    env.filters["pct"] = lambda x: f"{100 * x:.0f}%"
    env.filters["when"] = _when
    env.filters["markdown"] = markup.render
    env.filters["markdown_inline"] = markup.render_inline
    return env


def points_label(points: float) -> str:
    """'1 point', '0.5 points', '2 points'."""
    return f"{points:g} point{'' if points == 1 else 's'}"


@dataclass(frozen=True)
class CheckRow:
    """One line of a report's check table: a check, or the cases of one parametrised check
    that ended the same way with the same message (shown once, with the cases named)."""

    verdict: Verdict                 # the first case
    cases: tuple[str, ...] = ()      # the parameter ids, when several cases share the line
    points: float = 0.0
    max_points: float = 0.0

    @property
    def base(self) -> str:
        return test_base(self.verdict.name)


def test_base(name: str) -> str:
    """A test's name without its parameters: 'hidden/t::test_x[wide]' -> 'hidden/t::test_x'."""
    return name.split("[", 1)[0] if name.endswith("]") else name


def check_rows(tests: Sequence[Verdict]) -> list[CheckRow]:
    """``tests`` with consecutive cases of one parametrised test folded into one row when they
    ended the same way with the same message and no tensor diff of their own."""
    rows: list[CheckRow] = []
    for t in tests:
        last = rows[-1] if rows else None
        same = (last is not None and last.base == test_base(t.name) != t.name and not t.diff
                and not last.verdict.diff and (last.verdict.outcome, last.verdict.message, last.verdict.traceback)
                == (t.outcome, t.message, t.traceback))
        if same and last is not None:
            rows[-1] = CheckRow(last.verdict, (*(last.cases or (_case(last.verdict.name),)), _case(t.name)),
                                last.points + t.points, last.max_points + t.max_points)
        else:
            rows.append(CheckRow(t, (), t.points, t.max_points))
    return rows


def _case(name: str) -> str:
    return name[name.index("[") + 1:-1] if name.endswith("]") and "[" in name else name


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
                  counted: "AttemptRow | None" = None, comments: dict[str, str] | None = None,
                  name: str = "", templates: Environment | None = None) -> str:
    cells = [c for c in result.cells if c.status != "ok" or c.notes]
    diffs = {t.name: view for e in result.exercises for t in e.tests
             if t.outcome != "passed" and (view := mismatch_view(t)) is not None}
    return (templates or page_templates()).get_template("report/report.html.j2").render(
        r=result, name=name, cells=cells, ran=len(result.cells), diffs=diffs, comments=comments or {},
        rows={e.id: check_rows(e.tests) for e in result.exercises}, sections=section_lines(result),
        history=list(history) if len(history) > 1 else [], counted_id=counted.id if counted else None,
        auto_exercises=[e for e in result.exercises if not e.manual and e.kind != "F"],
        manual_exercises=[e for e in result.exercises if e.kind == "F"])


def render_dashboard(dashboard: "Dashboard", *, similarity: bool = False,
                     templates: Environment | None = None) -> str:
    """``similarity``: link the similarity report (``similarity/index.html``)."""
    return (templates or page_templates()).get_template("summary/index.html.j2").render(
        d=dashboard, svg=lambda text: Markup(text), similarity=similarity)
