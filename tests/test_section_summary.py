"""Reports and the dashboard say, per book section, what a submission did: ran the cells,
matched the book's checks, trained to the band, wrote the discussion."""
from __future__ import annotations

from grader.publish.report import render_report
from grader.publish.sections import section_lines, tally
from grader.results import CellResult, ExerciseResult, SubmissionResult, Verdict


def verdict(exercise: str, outcome: str) -> Verdict:
    return Verdict(name=f"hidden/test::{exercise}-{outcome}", exercise=exercise, outcome=outcome,
                   points=1.0 if outcome == "passed" else 0.0, max_points=1.0)


def result(*, trained: bool, discussed: bool, cells_44: tuple[str, ...]) -> SubmissionResult:
    exercises = (
        ExerciseResult("softmax", "softmax", "4.4", "C", 1, 2, (verdict("softmax", "passed"),
                                                                 verdict("softmax", "failed"))),
        ExerciseResult("softmax_training", "training", "4.4", "T", 1 if trained else 0, 1,
                       (verdict("softmax_training", "passed" if trained else "failed"),)),
        ExerciseResult("discussion_4_4", "discussion", "4.4", "F", 0, 1, answer="why" if discussed else None,
                       manual=True),
        ExerciseResult("mlp", "mlp", "5.2", "C", 0, 1, (verdict("mlp", "failed"),)),
    )
    cells = tuple(CellResult(i, status, section="4.4") for i, status in enumerate(cells_44))
    return SubmissionResult(submission="s", path="s.ipynb", assignment="hw1-book", assignment_version="1",
                            score=2, max_score=5, pending_manual=1, exercises=exercises, cells=cells)


def test_each_section_says_what_was_done():
    lines = {line.section: line for line in section_lines(result(trained=True, discussed=False,
                                                                 cells_44=("ok", "error", "ok")))}
    four = lines["4.4"]
    assert (four.cells, four.failed_cells, four.checks_passed, four.checks) == (3, 1, 1, 2)
    assert four.trained is True and four.discussed is False and four.matched is False
    five = lines["5.2"]
    assert five.ran is False and five.trained is None and five.discussed is None


def test_the_class_shares_count_each_submission_once_per_section():
    shares = {s.section: s for s in tally([result(trained=True, discussed=True, cells_44=("ok",)),
                                          result(trained=False, discussed=True, cells_44=())])}
    four = shares["4.4"]
    assert (four.submissions, four.ran, four.trained, four.discussed) == (2, 1, 1, 2)
    assert four.asks_training and four.asks_discussion and not shares["5.2"].asks_training


def test_the_report_shows_the_sections_table():
    page = render_report(result(trained=False, discussed=True, cells_44=("ok", "died")))
    assert 'id="sections"' in page and "(1 failed)" in page
    assert page.index('id="sections"') < page.index("<h2>Exercises</h2>")
