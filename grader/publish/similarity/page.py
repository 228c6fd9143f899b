"""The similarity report's files: ``index.html`` (pairs ranked overall and per exercise),
one page per reported pair with the two students' code side by side and the matching
regions marked, and ``pairs.csv``.

Pages are static like every other page: Jinja2 with autoescape, inline CSS, no scripts,
nothing fetched. Student code is text in the page, never markup: it reaches the template as
plain strings cut at the matching regions.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.assignment import Assignment
from grader.publish.files import write_atomically
from grader.publish.report import page_templates
from grader.publish.similarity.findings import (ANSWERS, FLOOR, MIN_WORDS, NOTEBOOK, THRESHOLD, Findings,
                                                Match, PairLine)
from grader.publish.similarity.sources import Piece
from grader.publish.similarity.tokens import WINDOW, K

CSV_COLUMNS = ("student_a", "student_b", "scope", "score", "name_a", "name_b")
PAIR_PAGES = 200          # pairs with a page of their own; the rest are listed in the table and the CSV
PAIR_FOLDER = "pairs"


@dataclass(frozen=True)
class Block:
    """A piece of code or an answer cut into (text, matches the other side) runs."""

    title: str
    runs: tuple[tuple[str, bool], ...]


@dataclass(frozen=True)
class Side:
    label: str
    link: str                    # the student's report, relative to the pair page; "" for the reference
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Section:
    """One scope of a pair's page: both sides and the score."""

    id: str
    title: str
    score: float
    left: Side
    right: Side
    note: str = ""


def write_pages(findings: Findings, assignment: Assignment, folder: Path) -> Path:
    """Write index.html, pairs.csv and the pair pages into ``folder``; returns index.html."""
    folder.mkdir(parents=True, exist_ok=True)
    pages = folder / PAIR_FOLDER
    pages.mkdir(exist_ok=True)
    for old in pages.glob("*.html"):          # pages of pairs no longer reported
        old.unlink()
    templates = page_templates()
    pair_names = {(p.a, p.b): f"{PAIR_FOLDER}/{rank:03d}.html" for rank, p in
                  enumerate(findings.pairs[:PAIR_PAGES], start=1)}
    for line in findings.pairs[:PAIR_PAGES]:
        html = templates.get_template("similarity/pair.html.j2").render(
            assignment=assignment, pair=line, a=findings.participants[line.a], b=findings.participants[line.b],
            sections=pair_sections(findings, line, assignment))
        write_atomically(folder / pair_names[(line.a, line.b)], html)
    write_atomically(folder / "pairs.csv", pairs_csv(findings))
    index = folder / "index.html"
    write_atomically(index, templates.get_template("similarity/index.html.j2").render(
        assignment=assignment, f=findings, people=findings.participants, pages=pair_names,
        by_scope=_by_scope(findings), titles=_titles(findings, assignment), threshold=THRESHOLD, floor=FLOOR,
        k=K, window=WINDOW, min_words=MIN_WORDS, pair_pages=PAIR_PAGES))
    return index


def pairs_csv(findings: Findings) -> str:
    """One row per pair and scope at or above the threshold, highest score first (answers:
    the pair's most similar answer)."""
    rows: list[Match] = []
    seen_answers: set[tuple[int, int]] = set()
    for m in findings.matches:
        if m.scope == ANSWERS:
            if (m.a, m.b) in seen_answers:
                continue
            seen_answers.add((m.a, m.b))
        rows.append(m)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    people = findings.participants
    for m in rows:
        a, b = people[m.a], people[m.b]
        writer.writerow([a.id, b.id, m.scope, f"{m.score:.4f}", a.name, b.name])
    return out.getvalue()


def pair_sections(findings: Findings, line: PairLine, assignment: Assignment) -> list[Section]:
    """What a pair's page shows: each exercise they share, their answers alike, then the
    rest of their notebooks' matching code."""
    titles = _titles(findings, assignment)
    a, b = findings.participants[line.a], findings.participants[line.b]
    sections = []
    for m in line.exercises:
        left, right = findings.regions(m.scope, line.a, line.b)
        sections.append(Section(m.scope, titles.get(m.scope, m.scope), m.score,
                                _side(a.label, a.submission, left), _side(b.label, b.submission, right)))
    for m in line.answers:
        (ta, ra), (tb, rb) = findings.answer_regions(m.item, line.a, line.b)
        sections.append(Section(f"answer-{m.item}", f"Answer to {titles.get(m.item, m.item)}", m.score,
                                Side(a.label, _link(a.submission), (Block("", cut(ta, ra)),)),
                                Side(b.label, _link(b.submission), (Block("", cut(tb, rb)),))))
    left, right = findings.regions(NOTEBOOK, line.a, line.b)
    flagged = {p.order for m in line.exercises for p in findings.units.get((m.scope, line.a), ())}
    left = [(p, r) for p, r in left if r and p.order not in flagged]
    flagged = {p.order for m in line.exercises for p in findings.units.get((m.scope, line.b), ())}
    right = [(p, r) for p, r in right if r and p.order not in flagged]
    if left or right:
        sections.append(Section(NOTEBOOK, "The rest of the notebooks: pieces with matching code", line.notebook,
                                _side(a.label, a.submission, left), _side(b.label, b.submission, right),
                                note="" if line.notebook else "below the threshold for whole notebooks"))
    return sections


def _side(label: str, submission: str, pieces: Sequence[tuple[Piece, list]]) -> Side:
    return Side(label, _link(submission), tuple(Block(_piece_title(p), cut(p.text, regions)) for p, regions in pieces))


def _link(submission: str) -> str:
    return f"../../{submission}/report.html" if submission else ""


def _piece_title(piece: Piece) -> str:
    where = f"§{piece.section}" if piece.section else ""
    what = f"{piece.name} (method)" if piece.method else piece.name
    return " · ".join(x for x in (where, what) if x)


def cut(text: str, regions: Sequence[tuple[int, int]]) -> tuple[tuple[str, bool], ...]:
    """``text`` as runs, each marked whether it lies in one of ``regions`` (sorted, disjoint)."""
    runs: list[tuple[str, bool]] = []
    at = 0
    for start, end in regions:
        start, end = max(start, at), min(end, len(text))
        if start >= end:
            continue
        if start > at:
            runs.append((text[at:start], False))
        runs.append((text[start:end], True))
        at = end
    if at < len(text):
        runs.append((text[at:], False))
    return tuple(runs)


def _by_scope(findings: Findings) -> list[tuple[str, list[Match]]]:
    """Matches grouped by scope: the whole notebook first, then exercises in assignment order,
    then answers."""
    order = [s.id for s in findings.scopes if s.id != NOTEBOOK]
    groups: dict[str, list[Match]] = {}
    for m in findings.matches:
        groups.setdefault(m.scope if m.scope != ANSWERS else f"{ANSWERS}:{m.item}", []).append(m)
    keys = ([NOTEBOOK] if NOTEBOOK in groups else []) + [s for s in order if s in groups]
    keys += sorted(k for k in groups if k.startswith(f"{ANSWERS}:"))
    return [(k, groups[k]) for k in keys]


def _titles(findings: Findings, assignment: Assignment) -> dict[str, str]:
    titles = {e.id: e.title for e in assignment.exercises}
    titles |= {s.id: s.title for s in findings.scopes}
    titles |= {f"{ANSWERS}:{e.id}": f"Answers: {e.title}" for e in assignment.exercises if e.manual}
    return titles
