"""HTML pages from results: one report per student and the class summary.

Rendered with Jinja2 (autoescape on, undefined names are errors) from ``templates/``.
Pages are static: inline CSS, no scripts, nothing fetched, so they open from disk.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from grader.results import SubmissionResult
from grader.spec import PROJECT_ROOT, Assignment

TEMPLATES = PROJECT_ROOT / "templates"


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined,
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["points"] = lambda x: f"{x:g}"
    env.filters["pct"] = lambda x: f"{100 * x:.0f}%"
    return env


def render_report(result: SubmissionResult) -> str:
    cells = [c for c in result.cells if c.status != "ok" or c.notes]
    return _environment().get_template("report/report.html.j2").render(
        r=result, cells=cells, ran=len(result.cells),
        auto_exercises=[e for e in result.exercises if not e.manual and e.kind != "F"],
        manual_exercises=[e for e in result.exercises if e.kind == "F"])


def render_summary(results: Sequence[SubmissionResult], assignment: Assignment, *,
                   report_links: dict[str, str]) -> str:
    rows = sorted(results, key=lambda r: r.submission.lower())
    exercises = [e for e in assignment.exercises]
    averages = {}
    pass_rates = {}
    for ex in exercises:
        scores = [e.score for r in rows for e in r.exercises if e.id == ex.id]
        averages[ex.id] = sum(scores) / len(scores) if scores else 0.0
        full = [1.0 if e.score >= e.max_score and e.max_score > 0 else 0.0
                for r in rows for e in r.exercises if e.id == ex.id]
        pass_rates[ex.id] = sum(full) / len(full) if full else 0.0
    totals = [r.score for r in rows]
    return _environment().get_template("summary/index.html.j2").render(
        assignment=assignment, rows=rows, exercises=exercises, averages=averages,
        pass_rates=pass_rates, links=report_links,
        mean=(sum(totals) / len(totals)) if totals else 0.0,
        max_score=assignment.max_score, errored=[r for r in rows if r.errors])


def write_report(result: SubmissionResult, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "report.html"
    path.write_text(render_report(result), encoding="utf-8")
    return path
