"""The bundled example submissions, graded for real (sandboxed kernels in the course
environment): exact scores, and the messages students see."""
from __future__ import annotations

import json

import pytest

from grader.assignment import load_assignment
from grader.intake.names import OUTPUT_NAMES, SCRATCH
from tests.conftest import EXAMPLES

ASSIGNMENT = load_assignment("hw1")
POINTS = {e.id: e.points for e in ASSIGNMENT.exercises}
AUTO = sum(e.points for e in ASSIGNMENT.exercises if not e.manual)


@pytest.fixture(scope="module")
def graded(grade):
    return grade([EXAMPLES], cell_timeout=10)


def exercise(result, exercise_id):
    return next(e for e in result.exercises if e.id == exercise_id)


def messages(result, exercise_id):
    return [t.message for t in exercise(result, exercise_id).tests if t.outcome != "passed"]


def test_the_batch_writes_every_output_file(graded):
    results, out, log = graded
    assert sorted(results) == ["correct", "empty", "infinite_loop", "not_json", "partial",
                               "patches_allclose", "raises", "syntax_error"]
    for sid in results:
        data = json.loads((out / sid / "result.json").read_text())
        assert {"submission", "assignment", "score", "max_score", "exercises", "cells", "errors",
                "timing", "environment"} <= set(data)
        assert (out / sid / "report.html").read_text().startswith("<!doctype html>")
    assert (out / "index.html").is_file()
    rows = (out / "gradebook.csv").read_text().splitlines()
    assert rows[0].split(",")[:2] == ["submission", "total"] and len(rows) == 9
    # No student may get a folder named like these (grader/intake/names.py).
    assert {p.name for p in out.iterdir()} - set(results) <= OUTPUT_NAMES | {SCRATCH, ".lock"}


def test_the_correct_notebook_earns_every_automatic_point(graded):
    results, _, _ = graded
    correct = results["correct"]
    failing = [(t.name, t.message) for e in correct.exercises for t in e.tests if t.outcome != "passed"]
    assert failing == []
    assert correct.score == AUTO and correct.errors == ()
    assert correct.environment["kernel"]["pandas"] == "2.0.3"
    assert correct.environment["kernel"]["d2l"] == "1.0.3"
    install = [c for c in correct.cells if c.notes]
    assert install[0].notes == ("not run: `!pip install d2l==1.0.3`",)


def test_the_partial_notebook_loses_exactly_the_stability_and_error_type_points(graded):
    results, _, _ = graded
    partial = results["partial"]
    assert exercise(partial, "softmax").score == POINTS["softmax"] - 2
    assert exercise(partial, "broadcast_shape").score == POINTS["broadcast_shape"] - 0.5
    assert messages(partial, "broadcast_shape") == [
        "`broadcast_shape((2, 3), (4, 3))` raised RuntimeError: shapes do not match"
        if False else "broadcast_shape((2, 3), (4, 3)) raised RuntimeError; expected ValueError"]
    assert any("subtract each row's max" in m for m in messages(partial, "softmax"))


def test_a_syntax_error_costs_only_the_broken_cell(graded):
    results, _, _ = graded
    r = results["syntax_error"]
    assert [c.status for c in r.cells] == ["ok", "error", "ok"]
    assert r.cells[1].error["type"] == "SyntaxError"
    assert exercise(r, "softmax").score == 0
    assert messages(r, "softmax")[0] == "`softmax` is not defined in the notebook"
    assert exercise(r, "cross_entropy").score == POINTS["cross_entropy"]
    assert exercise(r, "compare").score == POINTS["compare"]


def test_a_function_that_raises_fails_its_tests_with_the_students_message(graded):
    results, _, _ = graded
    r = results["raises"]
    assert exercise(r, "softmax").score == 0
    assert messages(r, "softmax")[0] == "`softmax` raised ValueError: softmax is not finished yet"
    failed = [t for t in exercise(r, "softmax").tests if t.outcome == "failed"]
    assert failed[0].traceback and "raise ValueError" in failed[0].traceback[-1]
    assert exercise(r, "cross_entropy").score == POINTS["cross_entropy"]


def test_an_infinite_loop_times_out_and_later_cells_still_count(graded):
    results, _, _ = graded
    r = results["infinite_loop"]
    assert [c.status for c in r.cells] == ["ok", "timeout", "ok"]
    assert r.cells[1].error["message"] == "the cell ran longer than 10 s and was stopped"
    assert exercise(r, "cross_entropy").score == POINTS["cross_entropy"]
    assert exercise(r, "softmax").score == POINTS["softmax"] - 2


def test_invalid_json_and_empty_notebooks(graded):
    results, _, _ = graded
    assert results["not_json"].score == 0
    assert results["not_json"].errors[0].startswith("not_json.ipynb is not valid JSON (line 2")
    assert results["empty"].score == 0 and results["empty"].errors == ()
    assert results["empty"].warnings == ("the notebook has no code cells",)
    assert messages(results["empty"], "softmax")[0] == "`softmax` is not defined in the notebook"


def test_patched_comparisons_score_nothing_for_wrong_values(graded):
    results, _, _ = graded
    r = results["patches_allclose"]
    assert r.score == 0
    assert all(e.score == 0 for e in r.exercises)
    assert "differs from the expected values" in messages(r, "softmax")[0]


def test_a_tensor_mismatch_carries_its_diff_into_the_result(graded):
    results, _, _ = graded
    softmax = next(e for e in results["patches_allclose"].exercises if e.id == "softmax")
    failed = [t for t in softmax.tests if t.outcome == "failed" and t.diff]
    assert failed, [t.message for t in softmax.tests]
    diff = failed[0].diff
    assert diff["wrong"] > 0 and diff["shape"] and diff["worst"]
    assert {"index", "got", "expected"} <= set(diff["worst"][0])
