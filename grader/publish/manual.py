"""Grading free-response answers by hand: export each student's answers with the
exercise's prompt, reference answer and rubric (a CSV to fill in and a static HTML page to
read), and import the filled-in scores back into the gradebook.

Scores belong to an attempt (student and content hash): if a student hands in a newer
notebook, its answers are graded afresh, and the old scores stay with the old attempt.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from grader.assignment import Assignment
from grader.errors import UsageError
from grader.gradebook import Gradebook, ManualScore, write_atomically
from grader.publish.report import page_templates
from grader.standings import standings

COLUMNS = ("student", "submission", "exercise", "section", "title", "max_points", "score", "comment",
           "answer", "reference_answer", "rubric", "attempt")
REQUIRED = ("student", "exercise", "score", "attempt")


@dataclass(frozen=True)
class AnswerRow:
    """One student's answer to one free-response exercise, with what a grader needs."""

    student: str
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
    score: float | None     # a score imported earlier, if any
    comment: str

    def to_dict(self) -> dict:
        return {**self.__dict__, "rubric": list(self.rubric)}


@dataclass(frozen=True)
class ManualImport:
    imported: int
    blank: int              # rows without a score (left as they were)
    stale: int              # scores for attempts that no longer count (a newer one was handed in)

    def line(self) -> str:
        return (f"Imported {self.imported} manual score(s)" + (f"; {self.blank} row(s) without a score left as they were"
                if self.blank else "") + (f"; {self.stale} for attempts that no longer count (newer notebooks "
                                          "were handed in)" if self.stale else "") + ".")


def answer_rows(gradebook: Gradebook, assignment: Assignment) -> list[AnswerRow]:
    manual = gradebook.manual_scores()
    comments = gradebook.manual_comments()
    rows = []
    free = [e for e in assignment.exercises if e.manual]
    for standing in standings(gradebook, assignment):
        if standing.result is None:
            continue
        answers = {e.id: e.answer or "" for e in standing.result.exercises}
        key = (standing.attempt.student, standing.attempt.content_hash)
        for ex in free:
            rows.append(AnswerRow(student=key[0], submission=standing.submission, attempt=key[1], exercise=ex.id,
                                  section=ex.section, title=ex.title, prompt=ex.prompt.strip(),
                                  max_points=ex.points, answer=answers.get(ex.id, ""),
                                  reference_answer=ex.answer.strip(), rubric=ex.rubric,
                                  score=manual.get(key, {}).get(ex.id), comment=comments.get((*key, ex.id), "")))
    return rows


def export_manual(gradebook: Gradebook, assignment: Assignment, dest: Path) -> list[Path]:
    """``answers.csv`` (fill in ``score`` and ``comment``) and ``index.html`` in ``dest``."""
    rows = answer_rows(gradebook, assignment)
    dest.mkdir(parents=True, exist_ok=True)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in sorted(rows, key=lambda r: (r.exercise, r.submission.lower())):
        writer.writerow([r.student, r.submission, r.exercise, r.section, r.title, f"{r.max_points:g}",
                         "" if r.score is None else f"{r.score:g}", r.comment, r.answer, r.reference_answer,
                         "\n".join(r.rubric), r.attempt])
    write_atomically(dest / "answers.csv", text.getvalue())
    by_exercise = [(ex, [r for r in rows if r.exercise == ex.id]) for ex in assignment.exercises if ex.manual]
    page = page_templates().get_template("manual/index.html.j2").render(assignment=assignment, groups=by_exercise)
    write_atomically(dest / "index.html", page)
    return [dest / "answers.csv", dest / "index.html"]


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
