"""What grading one submission produced, as frozen data with ``to_dict()`` for result.json."""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

OUTCOMES = ("passed", "failed", "error", "skipped")
# What the released notebook's answer cell says until a student writes in it.
ANSWER_PLACEHOLDER = "write your answer here"
RESULT_BYTES = 4 * 1024 * 1024   # a whole result.json, whatever the notebook did
CELLS_KEPT = 2000                # cell results a trimmed result lists (about 250 bytes each)
CELL_STATUSES = ("ok", "error", "timeout", "died", "skipped")


@dataclass(frozen=True)
class Verdict:
    """One collected test: how it ended and what the student is told."""

    name: str
    exercise: str
    outcome: str
    points: float
    max_points: float
    message: str = ""
    description: str = ""
    traceback: tuple[str, ...] = ()
    public: bool = False
    seconds: float = 0.0
    # A tensor mismatch as data (grader.judge.compare.Mismatch.detail): shape, counts, the worst
    # entries and, for 2-D results, a coarse grid of where they are. Empty for other failures.
    diff: dict = field(default_factory=dict)
    # What the grader did that the student should know, passed or not (e.g. which of two
    # definitions of a name it used).
    note: str = ""

    def to_dict(self) -> dict:
        return {"name": self.name, "outcome": self.outcome, "points": self.points,
                "max_points": self.max_points, "message": self.message,
                "description": self.description, "traceback": list(self.traceback),
                "public": self.public, "seconds": round(self.seconds, 3), "diff": self.diff,
                "note": self.note}


@dataclass(frozen=True)
class ExerciseResult:
    id: str
    title: str
    section: str
    kind: str
    score: float
    max_score: float
    tests: tuple[Verdict, ...] = ()
    answer: str | None = None          # the student's free-response text
    manual: bool = False               # awaiting a person's grade
    reference_answer: str = ""         # graders only; never rendered into student reports
    optional: bool = False             # extra credit: not part of max_score

    @property
    def answered(self) -> bool:
        """A free-response answer with something in it (not blank, not the released placeholder)."""
        return answered(self.answer)

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "section": self.section, "kind": self.kind,
                "score": self.score, "max_score": self.max_score, "manual": self.manual,
                "optional": self.optional,
                "answer": self.answer, "tests": [t.to_dict() for t in self.tests]}


@dataclass(frozen=True)
class CellResult:
    index: int
    status: str
    seconds: float = 0.0
    error: dict | None = None
    notes: tuple[str, ...] = ()
    section: str | None = None     # the book section the cell belongs to, when known

    def to_dict(self) -> dict:
        return {"index": self.index, "status": self.status, "seconds": round(self.seconds, 3),
                "error": self.error, "notes": list(self.notes), "section": self.section}


@dataclass(frozen=True)
class Lateness:
    """How late a submission was and what it cost."""

    submitted_at: str            # ISO 8601 with offset
    deadline: str
    days_late: int
    penalty_percent: float
    score_before: float          # the total before the penalty
    marked_late: bool = False    # the learning platform marked the file late (Canvas's _LATE_)

    def to_dict(self) -> dict:
        return {"submitted_at": self.submitted_at, "deadline": self.deadline,
                "days_late": self.days_late, "penalty_percent": self.penalty_percent,
                "score_before": self.score_before, "marked_late": self.marked_late}

    @classmethod
    def from_dict(cls, d: dict) -> "Lateness":
        return cls(submitted_at=d["submitted_at"], deadline=d["deadline"], days_late=int(d["days_late"]),
                   penalty_percent=float(d["penalty_percent"]), score_before=float(d["score_before"]),
                   marked_late=bool(d.get("marked_late", False)))


@dataclass(frozen=True)
class Regrade:
    """A grading of an attempt that already had a result: when, under which assignment
    version, and which exercises (empty: all of them)."""

    at: str                      # ISO 8601, UTC
    version: str
    exercises: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"at": self.at, "version": self.version, "exercises": list(self.exercises)}

    @classmethod
    def from_dict(cls, d: dict) -> "Regrade":
        return cls(at=str(d["at"]), version=str(d.get("version", "")),
                   exercises=tuple(str(e) for e in d.get("exercises", [])))


@dataclass(frozen=True)
class SubmissionResult:
    submission: str
    path: str
    assignment: str
    assignment_version: str
    score: float
    max_score: float
    pending_manual: float
    exercises: tuple[ExerciseResult, ...] = ()
    cells: tuple[CellResult, ...] = ()
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    timing: dict = field(default_factory=dict)
    environment: dict = field(default_factory=dict)
    student: str = ""                 # who it belongs to (intake); "" when graded outside a batch
    submitted_at: str = ""            # ISO 8601 with offset
    late: Lateness | None = None      # set when a deadline was passed
    grader_fault: bool = False        # the grader, not the notebook, failed; re-runs regrade it
    regrades: tuple[Regrade, ...] = ()   # each time this attempt was graded again, oldest first

    def brief(self) -> "SubmissionResult":
        """Totals, errors, lateness and timings, and each exercise's score without its tests,
        answer or cells: a few KB where the whole result can be a few hundred."""
        exercises = tuple(replace(e, tests=(), answer=None, reference_answer="") for e in self.exercises)
        return replace(self, exercises=exercises, cells=())

    def to_dict(self) -> dict:
        return {"submission": self.submission, "student": self.student, "submitted_at": self.submitted_at,
                "late": self.late.to_dict() if self.late else None,
                "path": self.path, "assignment": self.assignment,
                "assignment_version": self.assignment_version, "score": self.score,
                "max_score": self.max_score, "pending_manual": self.pending_manual,
                "exercises": [e.to_dict() for e in self.exercises],
                "cells": [c.to_dict() for c in self.cells], "errors": list(self.errors),
                "warnings": list(self.warnings), "timing": self.timing,
                "environment": self.environment, "grader_fault": self.grader_fault,
                "regrades": [g.to_dict() for g in self.regrades]}

    @classmethod
    def from_dict(cls, d: dict) -> "SubmissionResult":
        exercises = tuple(
            ExerciseResult(id=e["id"], title=e["title"], section=e["section"], kind=e["kind"],
                           score=e["score"], max_score=e["max_score"], manual=e.get("manual", False),
                           optional=e.get("optional", False),
                           answer=e.get("answer"),
                           tests=tuple(Verdict(name=t["name"], exercise=e["id"],
                                                   outcome=t["outcome"], points=t["points"],
                                                   max_points=t["max_points"],
                                                   message=t.get("message", ""),
                                                   description=t.get("description", ""),
                                                   traceback=tuple(t.get("traceback", [])),
                                                   public=t.get("public", False),
                                                   seconds=t.get("seconds", 0.0),
                                                   diff=t.get("diff") or {},
                                                   note=t.get("note", ""))
                                       for t in e.get("tests", [])))
            for e in d.get("exercises", []))
        cells = tuple(CellResult(index=c["index"], status=c["status"], seconds=c.get("seconds", 0.0),
                                 error=c.get("error"), notes=tuple(c.get("notes", [])),
                                 section=c.get("section"))
                      for c in d.get("cells", []))
        return cls(submission=d["submission"], path=d.get("path", ""), assignment=d["assignment"],
                   assignment_version=d.get("assignment_version", ""), score=d["score"],
                   max_score=d["max_score"], pending_manual=d.get("pending_manual", 0.0),
                   exercises=exercises, cells=cells, errors=tuple(d.get("errors", [])),
                   warnings=tuple(d.get("warnings", [])), timing=d.get("timing", {}),
                   environment=d.get("environment", {}), student=d.get("student", ""),
                   submitted_at=d.get("submitted_at", ""),
                   late=Lateness.from_dict(d["late"]) if d.get("late") else None,
                   grader_fault=bool(d.get("grader_fault", False)),
                   regrades=tuple(Regrade.from_dict(g) for g in d.get("regrades", [])))


def answered(text: str | None) -> bool:
    """``text`` says something: not empty, not only Markdown marks, not the released placeholder."""
    words = " ".join((text or "").replace("*", " ").replace("_", " ").split()).casefold()
    return bool(words) and words != ANSWER_PLACEHOLDER


def bounded(result: SubmissionResult, max_bytes: int = RESULT_BYTES) -> SubmissionResult:
    """``result`` as it is if its JSON fits in ``max_bytes``; else trimmed step by step
    (tracebacks, then tensor diffs, then long messages and answers) and said so. Scores
    are never changed."""
    if _size(result) <= max_bytes:
        return result
    steps = (
        lambda t: replace(t, traceback=t.traceback[-2:]),
        lambda t: replace(t, diff={}),
        lambda t: replace(t, message=_cut(t.message, 300), description=_cut(t.description, 200),
                          traceback=()),
    )
    for step in steps:
        result = _each_verdict(result, step)
        result = replace(result, cells=tuple(replace(c, error=_brief_error(c.error)) for c in result.cells))
        if _size(result) <= max_bytes:
            break
    else:
        result = replace(result, exercises=tuple(replace(e, answer=_cut(e.answer, 1000) if e.answer else e.answer)
                                                 for e in result.exercises),
                         warnings=tuple(_cut(w, 300) for w in result.warnings[:50]),
                         errors=tuple(_cut(e, 300) for e in result.errors[:50]))
        if _size(result) > max_bytes and len(result.cells) > CELLS_KEPT:   # a notebook of very many cells
            result = replace(result, cells=result.cells[:CELLS_KEPT], warnings=(
                *result.warnings, f"only the first {CELLS_KEPT} of the notebook's {len(result.cells)} cells are listed"))
    note = f"this result was trimmed to stay under {max_bytes // (1024 * 1024)} MB (long messages shortened)"
    return replace(result, warnings=(*result.warnings, note))


def _size(result: SubmissionResult) -> int:
    return len(json.dumps(result.to_dict()))


def _each_verdict(result: SubmissionResult, change) -> SubmissionResult:
    return replace(result, exercises=tuple(replace(e, tests=tuple(change(t) for t in e.tests))
                                           for e in result.exercises))


def _brief_error(error: dict | None) -> dict | None:
    if not error:
        return error
    return {"type": _cut(error.get("type", ""), 100), "message": _cut(error.get("message", ""), 300),
            "traceback": list(error.get("traceback", []))[-3:]}


def _cut(text: str, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."
