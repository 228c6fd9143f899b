"""What grading one submission produced, as frozen data with ``to_dict()`` for result.json."""
from __future__ import annotations

from dataclasses import dataclass, field

OUTCOMES = ("passed", "failed", "error", "skipped")
CELL_STATUSES = ("ok", "error", "timeout", "died", "skipped")


@dataclass(frozen=True)
class CheckResult:
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

    def to_dict(self) -> dict:
        return {"name": self.name, "outcome": self.outcome, "points": self.points,
                "max_points": self.max_points, "message": self.message,
                "description": self.description, "traceback": list(self.traceback),
                "public": self.public, "seconds": round(self.seconds, 3)}


@dataclass(frozen=True)
class ExerciseResult:
    id: str
    title: str
    section: str
    kind: str
    score: float
    max_score: float
    tests: tuple[CheckResult, ...] = ()
    answer: str | None = None          # the student's free-response text
    manual: bool = False               # awaiting a person's grade
    reference_answer: str = ""         # graders only; never rendered into student reports

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "section": self.section, "kind": self.kind,
                "score": self.score, "max_score": self.max_score, "manual": self.manual,
                "answer": self.answer, "tests": [t.to_dict() for t in self.tests]}


@dataclass(frozen=True)
class CellResult:
    index: int
    status: str
    seconds: float = 0.0
    error: dict | None = None
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"index": self.index, "status": self.status, "seconds": round(self.seconds, 3),
                "error": self.error, "notes": list(self.notes)}


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

    def to_dict(self) -> dict:
        return {"submission": self.submission, "path": self.path, "assignment": self.assignment,
                "assignment_version": self.assignment_version, "score": self.score,
                "max_score": self.max_score, "pending_manual": self.pending_manual,
                "exercises": [e.to_dict() for e in self.exercises],
                "cells": [c.to_dict() for c in self.cells], "errors": list(self.errors),
                "warnings": list(self.warnings), "timing": self.timing,
                "environment": self.environment}

    @classmethod
    def from_dict(cls, d: dict) -> "SubmissionResult":
        exercises = tuple(
            ExerciseResult(id=e["id"], title=e["title"], section=e["section"], kind=e["kind"],
                           score=e["score"], max_score=e["max_score"], manual=e.get("manual", False),
                           answer=e.get("answer"),
                           tests=tuple(CheckResult(name=t["name"], exercise=e["id"],
                                                   outcome=t["outcome"], points=t["points"],
                                                   max_points=t["max_points"],
                                                   message=t.get("message", ""),
                                                   description=t.get("description", ""),
                                                   traceback=tuple(t.get("traceback", [])),
                                                   public=t.get("public", False),
                                                   seconds=t.get("seconds", 0.0))
                                       for t in e.get("tests", [])))
            for e in d.get("exercises", []))
        cells = tuple(CellResult(index=c["index"], status=c["status"], seconds=c.get("seconds", 0.0),
                                 error=c.get("error"), notes=tuple(c.get("notes", [])))
                      for c in d.get("cells", []))
        return cls(submission=d["submission"], path=d.get("path", ""), assignment=d["assignment"],
                   assignment_version=d.get("assignment_version", ""), score=d["score"],
                   max_score=d["max_score"], pending_manual=d.get("pending_manual", 0.0),
                   exercises=exercises, cells=cells, errors=tuple(d.get("errors", [])),
                   warnings=tuple(d.get("warnings", [])), timing=d.get("timing", {}),
                   environment=d.get("environment", {}))
