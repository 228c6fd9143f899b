"""What each platform's results.json says, built from results made here (no kernel; the
graded notebooks are in test_autograde.py): rows per check named by section, title and
description, hidden checks never by their source, free response at 0 of 0 "graded by hand",
visibility from assignment.toml, PrairieLearn's score as a fraction of the automatic points,
refusals, and the 1 MB limit."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

from grader.assignment import GradescopeSettings, load_assignment
from grader.kernel.isolation import BUBBLEWRAP
from grader.platforms.checks import automatic_points
from grader.platforms.fit import CUT_MARK, RESULTS_BYTES, encoded
from grader.platforms.gradescope import gradescope_refusal, gradescope_results
from grader.platforms.prairielearn import prairielearn_refusal, prairielearn_results
from grader.platforms.run import Graded
from grader.results import CellResult, SubmissionResult, Verdict
from grader.scoring import score_exercises, totals
from tests.platforms.schema import check_results

ASSIGNMENT = load_assignment("hw1")
FREE = next(e for e in ASSIGNMENT.exercises if e.manual)
COMPARE = ASSIGNMENT.exercise("compare")
HIDDEN_SOURCE = (ASSIGNMENT.hidden_dir / "test_tensors.py").read_text()
WRONG = ("compare(X, Y)[0] differs from the expected values at 1 of 4 entries; first at [0, 1]: "
         "got True, expected False")
BUILDERS = {"gradescope": gradescope_results, "prairielearn": prairielearn_results}


def verdict(name, *, passed, points, public=False, description="", message=WRONG):
    return Verdict(name=name, exercise="compare", outcome="passed" if passed else "failed",
                   points=points if passed else 0.0, max_points=points, public=public,
                   description=description, message="" if passed else message)


def compare_verdicts(*, wrong_cases=("column",), message=WRONG):
    return [verdict("public/test_tensors.py::test_compare_book_example", passed=True, points=0.5, public=True,
                    description="compare(X, Y) on the book's X and Y."),
            *[verdict(f"hidden/test_tensors.py::test_compare_random_integers[{case}]", passed=case not in wrong_cases,
                      points=0.25, description="compare on random small integers.", message=message)
              for case in ("wide", "column", "vector")],
            verdict("hidden/test_tensors.py::test_compare_returns_booleans", passed=True, points=0.25),
            verdict("hidden/test_tensors.py::test_compare_broadcasts", passed=False, points=0.5,
                    description="compare(X, y) broadcasts.")]


def graded(verdicts=None, *, answer="Shapes align from the right.", cells=()):
    exercises = score_exercises(ASSIGNMENT, verdicts if verdicts is not None else compare_verdicts(),
                                answers={FREE.id: answer})
    score, max_score, pending = totals(exercises)
    return Graded(SubmissionResult(submission="submission", path="/autograder/submission/hw1.ipynb",
                                   assignment="hw1", assignment_version=ASSIGNMENT.version, score=score,
                                   max_score=max_score, pending_manual=pending, exercises=exercises,
                                   cells=tuple(cells), timing={"total": 12.6}), BUBBLEWRAP)


def rows_of(payload, exercise_title):
    return [t for t in payload["tests"] if t["name"].startswith(f"2.1 {exercise_title}")]


def test_gradescope_lists_each_check_by_section_title_and_description():
    payload = gradescope_results(graded(), ASSIGNMENT)
    check_results(payload, "gradescope")
    rows = rows_of(payload, COMPARE.title)
    assert [(t["name"], t["score"], t["max_score"], t["status"]) for t in rows] == [
        (f"2.1 {COMPARE.title}: compare(X, Y) on the book's X and Y.", 0.5, 0.5, "passed"),
        (f"2.1 {COMPARE.title}: compare on random small integers. (case 1 of 3)", 0.25, 0.25, "passed"),
        (f"2.1 {COMPARE.title}: compare on random small integers. (case 2 of 3)", 0.0, 0.25, "failed"),
        (f"2.1 {COMPARE.title}: compare on random small integers. (case 3 of 3)", 0.25, 0.25, "passed"),
        (f"2.1 {COMPARE.title}: hidden check 4", 0.25, 0.25, "passed"),
        (f"2.1 {COMPARE.title}: compare(X, y) broadcasts.", 0.0, 0.5, "failed")]
    assert rows[2]["output"] == WRONG
    assert payload["score"] == 1.25 and payload["execution_time"] == 13 and payload["output_format"] == "text"


def test_cases_of_a_parametrised_check_that_ended_alike_are_one_row():
    payload = gradescope_results(graded(compare_verdicts(wrong_cases=())), ASSIGNMENT)
    names = [t["name"] for t in rows_of(payload, COMPARE.title)]
    assert f"2.1 {COMPARE.title}: compare on random small integers (3 cases)" in names
    row = next(t for t in payload["tests"] if t["name"].endswith("(3 cases)"))
    assert (row["score"], row["max_score"]) == (0.75, 0.75)


@pytest.mark.parametrize("platform", ["gradescope", "prairielearn"])
def test_results_hold_no_hidden_test_source_reference_answer_or_rubric(platform):
    payload = BUILDERS[platform](graded(), ASSIGNMENT)
    text = json.dumps(payload)
    assert FREE.answer.strip()[:60] not in text
    assert not any(criterion[:60] in text for criterion in FREE.rubric)
    source_lines = [line.strip() for line in HIDDEN_SOURCE.splitlines() if len(line.strip()) > 25]
    assert source_lines and not any(line in text for line in source_lines)
    assert "hidden/test_tensors" not in text and "test_compare" not in text


def test_free_response_is_listed_at_0_of_0_graded_by_hand():
    payload = gradescope_results(graded(), ASSIGNMENT)
    free = next(t for t in payload["tests"] if t["name"] == f"{FREE.section} {FREE.title} (free response)")
    assert (free["score"], free["max_score"], free["status"]) == (0.0, 0.0, "passed")
    assert free["output"] == (f"graded by hand ({FREE.points:g} point{'' if FREE.points == 1 else 's'}, "
                              "added by the course staff); your answer was found")
    blank = gradescope_results(graded(answer="_write your answer here_"), ASSIGNMENT)
    assert next(t for t in blank["tests"] if t["name"] == free["name"])["output"].endswith(
        "no answer was found in the notebook")


def test_the_tests_max_scores_add_up_to_the_automatic_points_only():
    """Gradescope adds the tests' max_score: free response must not count, or a full
    automatic score would look short of the total."""
    every = [Verdict(name=f"hidden/test_x.py::test_{e.id}", exercise=e.id, outcome="passed", points=e.points,
                     max_points=e.points) for e in ASSIGNMENT.exercises if not e.manual]
    payload = gradescope_results(graded(every), ASSIGNMENT)
    assert sum(t["max_score"] for t in payload["tests"]) == pytest.approx(automatic_points(ASSIGNMENT))
    assert payload["score"] == pytest.approx(automatic_points(ASSIGNMENT))
    assert payload["output"].splitlines()[:2] == [
        f"{ASSIGNMENT.title}: {automatic_points(ASSIGNMENT):g} / {automatic_points(ASSIGNMENT):g} automatic points.",
        "Free-response answers (53 points) are graded by hand, separately."]


@pytest.mark.parametrize("public,hidden", [("visible", "after_published"), ("after_due_date", "hidden")])
def test_each_kind_of_check_takes_the_visibility_assignment_toml_sets(public, hidden):
    assignment = replace(ASSIGNMENT, gradescope=GradescopeSettings(public=public, hidden=hidden))
    payload = gradescope_results(graded(), assignment)
    rows = rows_of(payload, COMPARE.title)
    assert [t["visibility"] for t in rows] == [public, hidden, hidden, hidden, hidden, hidden]
    free = next(t for t in payload["tests"] if t["name"].endswith("(free response)"))
    assert free["visibility"] == public


def test_the_output_says_which_isolation_ran_the_notebook_and_which_cells_failed():
    cells = [CellResult(3, "ok"), CellResult(7, "error", error={"type": "NameError", "message": "name 'd2l' is not defined"})]
    for payload in (gradescope_results(graded(cells=cells), ASSIGNMENT)["output"],
                    prairielearn_results(graded(cells=cells), ASSIGNMENT)["output"]):
        assert "Cell 7 (error): NameError: name 'd2l' is not defined" in payload
        assert payload.splitlines()[-1] == f"Isolation: {BUBBLEWRAP.describe()}"


def test_prairielearn_scores_the_fraction_of_the_automatic_points():
    payload = prairielearn_results(graded(), ASSIGNMENT)
    check_results(payload, "prairielearn")
    assert payload["gradable"] is True
    assert payload["score"] == pytest.approx(1.25 / automatic_points(ASSIGNMENT))
    assert payload["message"] == f"{ASSIGNMENT.title}: 1.25 / {automatic_points(ASSIGNMENT):g} automatic points."
    wrong = next(t for t in payload["tests"] if t["name"].endswith("(case 2 of 3)"))
    assert (wrong["points"], wrong["max_points"], wrong["message"]) == (0.0, 0.25, WRONG)
    assert wrong["description"] == "compare: a hidden check"


@pytest.mark.parametrize("platform", ["gradescope", "prairielearn"])
def test_a_huge_message_is_shortened_to_keep_the_results_under_1_MB(platform):
    huge = "got tensor([" + "0.1234, " * 300_000 + "])"
    payload = BUILDERS[platform](graded(compare_verdicts(message=huge)), ASSIGNMENT)
    check_results(payload, platform, size=len(encoded(payload)))
    cut = next(t for t in payload["tests"] if t["name"].endswith("(case 2 of 3)"))
    assert cut["output" if platform == "gradescope" else "message"].endswith(CUT_MARK)
    said = payload["output"] if platform == "gradescope" else payload["message"]
    assert "Long messages were shortened to keep these results under 1 MB" in said
    assert payload["score"] == (1.25 if platform == "gradescope" else pytest.approx(1.25 / automatic_points(ASSIGNMENT)))


def test_when_shortening_is_not_enough_the_last_checks_are_left_out_and_that_is_said():
    many = [Verdict(name=f"hidden/test_x.py::test_{i}", exercise="compare", outcome="failed", points=0.0,
                    max_points=0.001, description=f"check {i} " + "x" * 300) for i in range(5000)]
    payload = gradescope_results(graded(many), ASSIGNMENT)
    check_results(payload, "gradescope", size=len(encoded(payload)))
    assert len(encoded(payload)) <= RESULTS_BYTES
    left_out = 5000 + len([e for e in ASSIGNMENT.exercises if e.manual]) - len(payload["tests"])
    assert left_out > 0
    assert f"and the last {left_out} checks left out" in payload["output"]


@pytest.mark.parametrize("platform,refusal", [("gradescope", gradescope_refusal),
                                               ("prairielearn", prairielearn_refusal)])
def test_a_refusal_is_valid_results_with_the_reason_in_one_line(platform, refusal):
    payload = refusal("the upload is empty; upload your notebook file (File > Download > .ipynb)")
    check_results(payload, platform)
    if platform == "gradescope":
        assert payload["score"] == 0 and payload["tests"] == []
        assert payload["output"] == "Not graded: the upload is empty; upload your notebook file (File > Download > .ipynb)"
    else:
        assert payload["gradable"] is False
        assert payload["message"] == "Not graded: the upload is empty; upload your notebook file (File > Download > .ipynb)"
