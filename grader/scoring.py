"""Scores as a pure function of test outcomes, free-response answers, manual scores, the
submission time and the assignment."""
from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from grader.assignment import Assignment, LatePolicy
from grader.results import ExerciseResult, Lateness, Regrade, SubmissionResult, Verdict
from grader.text import valid_text


def score_exercises(assignment: Assignment, outcomes: Iterable[Verdict],
                    answers: Mapping[str, str] | None = None,
                    manual_scores: Mapping[str, float] | None = None) -> tuple[ExerciseResult, ...]:
    """One result per exercise, in the assignment's order.

    An automatic exercise earns the points of its passed tests, capped at the points the
    assignment declares. A free-response exercise earns its manual score once a person
    has given one, and is otherwise marked as awaiting a grade.
    """
    answers = answers or {}
    manual_scores = manual_scores or {}
    by_exercise: dict[str, list[Verdict]] = {}
    for outcome in outcomes:
        by_exercise.setdefault(outcome.exercise, []).append(outcome)
    results = []
    for ex in assignment.exercises:
        tests = tuple(by_exercise.get(ex.id, ()))
        if ex.manual:
            given = manual_scores.get(ex.id)
            score = 0.0 if given is None else max(0.0, min(float(given), ex.points))
            results.append(ExerciseResult(id=ex.id, title=ex.title, section=ex.section,
                                          kind=ex.kind, score=score, max_score=ex.points,
                                          tests=tests, answer=answers.get(ex.id),
                                          manual=given is None, reference_answer=ex.answer,
                                          optional=ex.optional))
            continue
        earned = sum(t.points for t in tests if t.outcome == "passed")
        results.append(ExerciseResult(id=ex.id, title=ex.title, section=ex.section, kind=ex.kind,
                                      score=round(min(earned, ex.points), 6), max_score=ex.points,
                                      tests=tests, optional=ex.optional))
    return tuple(results)


def totals(exercises: Iterable[ExerciseResult]) -> tuple[float, float, float]:
    """(score, max_score, points awaiting manual grading). Optional exercises add what they
    earned but are not part of the maximum, and the total never exceeds it."""
    exercises = list(exercises)
    max_score = round(sum(e.max_score for e in exercises if not e.optional), 6)
    score = round(min(sum(e.score for e in exercises), max_score), 6)
    pending = round(sum(e.max_score for e in exercises if e.manual and not e.optional), 6)
    return score, max_score, pending


def finalize(result: SubmissionResult, assignment: Assignment, *,
             manual_scores: Mapping[str, float] | None = None, policy: LatePolicy | None = None,
             submitted: datetime | None = None, marked_late: bool = False) -> SubmissionResult:
    """The result as the student's grade: manual scores for free-response answers added,
    then the late penalty (a percentage of the total) applied. A file the learning platform
    marked late (``marked_late``) is at least one day late when there is a deadline, whatever
    its time says (a zip entry's time may be the download's, not the hand-in's)."""
    outcomes = [t for e in result.exercises for t in e.tests]
    answers = {e.id: e.answer for e in result.exercises if e.answer is not None}
    exercises = score_exercises(assignment, outcomes, answers, manual_scores)
    score, max_score, pending = totals(exercises)
    late = None
    if submitted is not None and ((policy is not None and policy.deadline is not None) or marked_late):
        deadline = policy.deadline if policy is not None else None
        days = policy.days_late(submitted) if policy is not None and deadline is not None else 0
        if marked_late and deadline is not None:
            days = max(days, 1)
        if days > 0 or marked_late:
            percent = policy.penalty_percent(days) if policy is not None and days else 0.0
            late = Lateness(submitted_at=submitted.isoformat(), deadline=deadline.isoformat() if deadline else "",
                            days_late=days, penalty_percent=percent, score_before=score, marked_late=marked_late)
            score = round(score * (1 - percent / 100), 6)
    return replace(result, exercises=exercises, score=score, max_score=max_score, pending_manual=pending,
                   late=late, submitted_at=submitted.isoformat() if submitted else result.submitted_at)


def merge_regrade(stored: SubmissionResult, fresh: SubmissionResult, *, exercises: Collection[str],
                  at: str) -> SubmissionResult:
    """``fresh``, a grading of the same notebook for ``exercises`` only (all when empty), laid
    over ``stored``, its earlier result: the exercises graded now take the fresh verdicts,
    every other exercise keeps its stored one, and the regrade is recorded. The run's own
    facts (cells, errors, timing, environment, warnings) are the fresh run's. A stored result the grader failed on holds no verdicts worth keeping: ``fresh`` replaces it."""
    regrade = Regrade(at=at, version=fresh.assignment_version, exercises=tuple(sorted(exercises)))
    history = (*stored.regrades, regrade)
    if not exercises or stored.grader_fault:
        return replace(fresh, regrades=history)
    kept = {e.id: e for e in stored.exercises}
    merged = tuple(e if e.id in exercises or e.id not in kept else kept[e.id] for e in fresh.exercises)
    score, max_score, pending = totals(merged)
    return replace(fresh, exercises=merged, score=score, max_score=max_score, pending_manual=pending,
                   regrades=history)


def unscored_result(submission: str, path: Path | str, assignment: Assignment, message: str, *,
                    began: float | None = None, warnings: Iterable[str] = (), environment: dict | None = None,
                    grader_fault: bool = False) -> SubmissionResult:
    """The result of a submission that could not be graded: every exercise at 0, and why.
    ``grader_fault``: the grader failed, not the notebook (a later run grades it again)."""
    exercises = score_exercises(assignment, [])
    score, max_score, pending = totals(exercises)
    timing = {"total": round(time.monotonic() - began, 3)} if began is not None else {}
    return SubmissionResult(
        submission=submission, path=valid_text(str(path)), assignment=assignment.id,
        assignment_version=assignment.version, score=score, max_score=max_score,
        pending_manual=pending, exercises=exercises, errors=(valid_text(message),), warnings=tuple(warnings),
        timing=timing, environment=environment or {}, grader_fault=grader_fault)
