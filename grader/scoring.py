"""Scores as a pure function of test outcomes, free-response answers and the assignment."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from grader.results import ExerciseResult, CheckResult
from grader.spec import Assignment


def score_exercises(assignment: Assignment, outcomes: Iterable[CheckResult],
                    answers: Mapping[str, str] | None = None,
                    manual_scores: Mapping[str, float] | None = None) -> tuple[ExerciseResult, ...]:
    """One result per exercise, in the assignment's order.

    An automatic exercise earns the points of its passed tests, capped at the points the
    assignment declares. A free-response exercise earns its manual score once a person
    has given one, and is otherwise marked as awaiting a grade.
    """
    answers = answers or {}
    manual_scores = manual_scores or {}
    by_exercise: dict[str, list[CheckResult]] = {}
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
                                          manual=given is None, reference_answer=ex.answer))
            continue
        earned = sum(t.points for t in tests if t.outcome == "passed")
        results.append(ExerciseResult(id=ex.id, title=ex.title, section=ex.section, kind=ex.kind,
                                      score=round(min(earned, ex.points), 6), max_score=ex.points,
                                      tests=tests))
    return tuple(results)


def totals(exercises: Iterable[ExerciseResult]) -> tuple[float, float, float]:
    """(score, max_score, points awaiting manual grading)."""
    exercises = list(exercises)
    score = round(sum(e.score for e in exercises), 6)
    max_score = round(sum(e.max_score for e in exercises), 6)
    pending = round(sum(e.max_score for e in exercises if e.manual), 6)
    return score, max_score, pending
