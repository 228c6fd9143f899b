"""Grading free-response answers by hand, outside the grading room (``room``): export each
student's answer with the exercise's prompt, reference answer and rubric (a CSV to fill in,
with a byte-order mark so spreadsheet programs read it as UTF-8, and a static HTML page to
read), import the filled-in scores back into the gradebook, and give blank answers 0.

Rows follow the book (the assignment's order of exercises), then the students by name; blank
answers (nothing written, or the released placeholder) are not listed: nothing to read.
Scores belong to an attempt (student and content hash): if a student hands in a newer
notebook, its answers are graded afresh, and the old scores stay with the old attempt.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from grader.assignment import Assignment
from grader.errors import UsageError
from grader.gradebook import Gradebook, ManualScore
from grader.publish.report import page_templates
from grader.publish.files import write_atomically
from grader.publish.similarity.answers import Likeness, likenesses
from grader.results import answered
from grader.standings import roster_names

COLUMNS = ("section", "exercise", "title", "student", "name", "submission", "max_points", "score", "comment",
           "answer", "similar_to", "reference_answer", "rubric", "attempt")
REQUIRED = ("student", "exercise", "score", "attempt")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")   # how a spreadsheet cell that computes begins
NEWLINE, PARAGRAPH = " ↵ ", " ¶ "    # line breaks that matter, inside one CSV cell: one row per answer


@dataclass(frozen=True)
class AnswerRow:
    """One student's answer to one free-response exercise, with what a grader needs."""

    student: str
    name: str               # from the roster; "" without one
    submission: str
    attempt: str            # content hash of the notebook the answer is from
    exercise: str
    section: str
    title: str
    prompt: str
    max_points: float
    answer: str
    reference_answer: str
    rubric: tuple[str, ...]
    score: float | None     # a score given earlier, if any
    comment: str
    grader: str = ""        # who gave the score or comment

    @property
    def blank(self) -> bool:
        return not answered(self.answer)

    @property
    def who(self) -> str:
        return self.name or self.submission

    def to_dict(self) -> dict:
        return {**self.__dict__, "rubric": list(self.rubric)}


@dataclass(frozen=True)
class ManualExport:
    paths: tuple[Path, ...]
    listed: int
    blank: int              # blank answers left out
    unscored_blank: int     # of those, how many have no score yet

    def line(self) -> str:
        line = f"Fill in score (and comment) in {self.paths[0]}; read the answers in {self.paths[1]}."
        if self.blank:
            line += (f" {self.blank} blank answer(s) are not listed" + (
                f"; {self.unscored_blank} have no score yet (grader manual zero-blanks gives them 0)"
                if self.unscored_blank else "") + ".")
        return line


@dataclass(frozen=True)
class ManualImport:
    imported: int
    blank: int              # rows without a score (left as they were)
    stale: int              # scores for attempts that no longer count (a newer one was handed in)

    def line(self) -> str:
        return (f"Imported {self.imported} manual score(s)" + (f"; {self.blank} row(s) without a score left as they were"
                if self.blank else "") + (f"; {self.stale} for attempts that no longer count (newer notebooks "
                                          "were handed in)" if self.stale else "") + ".")


def answer_rows(gradebook: Gradebook, assignment: Assignment, *, exercise: str | None = None) -> list[AnswerRow]:
    """Every counted, graded attempt's answer to each free-response exercise (or to
    ``exercise``), in the book's order, then by student name."""
    grades = gradebook.manual_grades(exercise)
    names = roster_names(gradebook)
    counted = [row for row in gradebook.counted() if row.graded]
    answers = gradebook.answers(exercise)
    rows = []
    for ex in assignment.exercises:
        if not ex.manual or exercise not in (None, ex.id):
            continue
        for row in counted:
            key = (row.student, row.content_hash)
            given = grades.get((*key, ex.id))
            rows.append(AnswerRow(student=row.student, name=names.get(row.student, "") if row.matched else "",
                                  submission=row.submission, attempt=row.content_hash, exercise=ex.id,
                                  section=ex.section, title=ex.title, prompt=ex.prompt.strip(), max_points=ex.points,
                                  answer=answers.get((*key, ex.id), ""), reference_answer=ex.answer.strip(),
                                  rubric=ex.rubric,
                                  score=given.score if given else None, comment=given.comment if given else "",
                                  grader=given.grader if given else ""))
    order = {e.id: i for i, e in enumerate(assignment.exercises)}
    return sorted(rows, key=lambda r: (order[r.exercise], r.who.casefold(), r.submission))


def alike(rows: list[AnswerRow]) -> dict[tuple[str, str], list[Likeness[tuple[str, str]]]]:
    """Answers to the same exercise that look copied, by (exercise, student): others are keyed
    (exercise, student) too."""
    found: dict[tuple[str, str], list[Likeness[tuple[str, str]]]] = {}
    for exercise in dict.fromkeys(r.exercise for r in rows):
        found.update(likenesses({(r.exercise, r.student): r.answer for r in rows
                                 if r.exercise == exercise and not r.blank}))
    return found


def export_manual(gradebook: Gradebook, assignment: Assignment, dest: Path) -> ManualExport:
    """``answers.csv`` (fill in ``score`` and ``comment``) and ``index.html`` in ``dest``."""
    rows = answer_rows(gradebook, assignment)
    listed = [r for r in rows if not r.blank]
    similar = alike(listed)
    who = {(r.exercise, r.student): r.who for r in listed}
    dest.mkdir(parents=True, exist_ok=True)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in listed:
        like = "; ".join(f"{'identical to' if m.identical else 'like'} {who[m.other]}"
                         for m in similar.get((r.exercise, r.student), []))
        writer.writerow([r.section, r.exercise, r.title, r.student, r.name, r.submission, f"{r.max_points:g}",
                         "" if r.score is None else f"{r.score:g}", _line(r.comment), _inert(_line(r.answer)), like,
                         _line(r.reference_answer), " | ".join(r.rubric), r.attempt])
    write_atomically(dest / "answers.csv", "\ufeff" + text.getvalue())
    by_exercise = [(ex, [r for r in listed if r.exercise == ex.id]) for ex in assignment.exercises if ex.manual]
    page = page_templates().get_template("manual/index.html.j2").render(
        assignment=assignment, groups=by_exercise, similar=similar, who=who,
        blank={ex.id: sum(1 for r in rows if r.exercise == ex.id and r.blank) for ex in assignment.exercises})
    write_atomically(dest / "index.html", page)
    blank = [r for r in rows if r.blank]
    return ManualExport(paths=(dest / "answers.csv", dest / "index.html"), listed=len(listed), blank=len(blank),
                        unscored_blank=sum(1 for r in blank if r.score is None))


def zero_blanks(gradebook: Gradebook, assignment: Assignment, *, exercise: str | None = None,
                grader: str = "") -> int:
    """Give 0 to every blank answer (of ``exercise``) that has no score yet; returns how many."""
    keys = [(r.student, r.attempt, r.exercise) for r in answer_rows(gradebook, assignment, exercise=exercise)
            if r.blank and r.score is None]
    return gradebook.score_unscored(keys, 0.0, grader=grader)


def _inert(text: str) -> str:
    """A student's text as a spreadsheet cell: one that starts like a formula (``=``, ``+``,
    ``-``, ``@``) gets an apostrophe first, so Excel or LibreOffice shows it and never runs it
    (``=HYPERLINK(...)`` or ``=WEBSERVICE(...)`` in an answer would reach the TA's machine)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _line(text: str) -> str:
    """Markdown on one line, as it reads: a line break inside a paragraph is a space (unless a
    list item starts), a paragraph break is a pilcrow."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return PARAGRAPH.join(re.sub(r"\s*\n\s*", " ", re.sub(r"\s*\n\s*(?=(?:[-*+]|\d+[.)])\s)", NEWLINE, p.strip()))
                          for p in paragraphs)


def import_manual(gradebook: Gradebook, assignment: Assignment, path: Path) -> ManualImport:
    """Read filled-in scores; every row is checked before any is stored (all or nothing)."""
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    try:
        reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))
        header = [h.strip() for h in reader.fieldnames or []]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    lacking = [c for c in REQUIRED if c not in header]
    if lacking:
        raise UsageError(f"{path} lacks the column(s) {', '.join(lacking)} (export one with grader manual export)")
    free = {e.id: e for e in assignment.exercises if e.manual}
    known = {(a.student, a.content_hash) for a in gradebook.attempts()}
    counted = {(a.student, a.content_hash) for a in gradebook.counted()}
    scores, blank, stale = [], 0, 0
    try:
        records = list(reader)
    except csv.Error as exc:
        raise UsageError(f"{path}: {exc}") from None
    for number, record in enumerate(records, start=2):
        row = {k.strip(): (v or "").strip() for k, v in record.items() if k}
        where = f"{path.name} line {number}"
        if not row.get("score"):
            blank += 1
            continue
        try:
            score = float(row["score"])
        except ValueError:
            raise UsageError(f"{where}: score {row['score']!r} is not a number") from None
        exercise = free.get(row["exercise"])
        if exercise is None:
            raise UsageError(f"{where}: {row['exercise']!r} is not a free-response exercise of {assignment.id}")
        if not 0 <= score <= exercise.points:
            raise UsageError(f"{where}: score {score:g} for {exercise.id} is outside 0–{exercise.points:g}")
        key = (row["student"], row["attempt"])
        if key not in known:
            raise UsageError(f"{where}: the gradebook has no attempt {row['attempt'][:12]!r} by {row['student']!r}")
        stale += key not in counted
        scores.append(ManualScore(student=key[0], content_hash=key[1], exercise=exercise.id, score=score,
                                  comment=row.get("comment", "")))
    gradebook.record_manual_scores(scores)
    return ManualImport(imported=len(scores), blank=blank, stale=stale)
