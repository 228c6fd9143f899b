"""Scoring is a pure function of outcomes and the assignment."""
from pathlib import Path

from grader.results import Verdict
from grader.scoring import score_exercises, totals
from grader.assignment import Assignment, Exercise

A = Assignment(id="a", title="a", version="1", root=Path("."), exercises=(
    Exercise("softmax", "softmax", "4.4", "C", 3.0),
    Exercise("why", "why", "4.4", "F", 2.0, answer="because"),
))


def outcome(name, result, points, exercise="softmax"):
    return Verdict(name=name, exercise=exercise, outcome=result,
                       points=points if result == "passed" else 0.0, max_points=points)


def test_passed_tests_earn_their_points_and_partial_credit_adds_up():
    ex = score_exercises(A, [outcome("a", "passed", 1), outcome("b", "failed", 1), outcome("c", "passed", 1)])
    assert ex[0].score == 2 and ex[0].max_score == 3
    assert totals(ex) == (2, 5, 2)


def test_score_is_capped_at_the_declared_points():
    ex = score_exercises(A, [outcome(str(i), "passed", 1) for i in range(5)])
    assert ex[0].score == 3


def test_free_response_awaits_a_grade_then_counts_it():
    pending = score_exercises(A, [], answers={"why": "my answer"})
    assert pending[1].manual and pending[1].answer == "my answer" and pending[1].score == 0
    graded = score_exercises(A, [], manual_scores={"why": 5})
    assert not graded[1].manual and graded[1].score == 2
    assert totals(graded) == (2, 5, 0)


def test_errors_and_skips_earn_nothing():
    ex = score_exercises(A, [outcome("a", "error", 1), outcome("b", "skipped", 2)])
    assert ex[0].score == 0


def test_optional_credit_adds_what_it_earns_and_never_lowers_a_score():
    extra = Assignment(id="a", title="a", version="1", root=Path("."), exercises=(
        Exercise("softmax", "softmax", "4.4", "C", 3.0),
        Exercise("broadcast_3d", "broadcast_3d", "2.1", "C", 1.0, optional=True),
    ))
    skipped = score_exercises(extra, [outcome("a", "passed", 2)])
    assert totals(skipped) == (2, 3, 0)
    tried = score_exercises(extra, [outcome("a", "passed", 2), outcome("b", "passed", 1, "broadcast_3d")])
    assert totals(tried) == (3, 3, 0)
    capped = score_exercises(extra, [outcome("a", "passed", 3), outcome("b", "passed", 1, "broadcast_3d")])
    assert totals(capped) == (3, 3, 0) and extra.max_score == 3


def test_a_notebook_of_very_many_cells_gets_a_result_under_the_size_limit_with_its_score():
    """100,000 one-line cells (a 20 MB notebook) once gave a 22 MB result that said it was
    trimmed to 4 MB: its cell list was never cut."""
    import json
    from dataclasses import replace
    from grader.assignment import load_assignment
    from grader.results import RESULT_BYTES, CellResult, bounded
    from grader.scoring import unscored_result
    result = unscored_result("s", "/nowhere/s.ipynb", load_assignment("hw1"), "every cell after the time limit")
    skipped = {"type": "NotebookTimeout", "message": "not run: the submission used up its 600 s (notebook_timeout)"}
    result = replace(result, cells=tuple(CellResult(i, "skipped", 0.0, skipped, (), "2.1") for i in range(100_000)))
    trimmed = bounded(result)
    assert len(json.dumps(trimmed.to_dict())) <= RESULT_BYTES
    assert [(c.index, c.status) for c in trimmed.cells] == [(i, "skipped") for i in range(2000)]
    assert (trimmed.score, trimmed.max_score) == (result.score, result.max_score)
    assert "only the first 2000 of the notebook's 100000 cells are listed" in trimmed.warnings
