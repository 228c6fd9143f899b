"""Hostile submissions, graded together with correct ones under the real sandbox.

For every attack: the batch completes, the attack earns nothing, the student sees what
happened, correct notebooks graded in the same batch get exactly the results they get
alone, nothing lands outside the scratch area and the output folder, and the grader's own
memory stays bounded.
"""
from __future__ import annotations

import json

import pytest

from tests.hostile.batches import FULL, PWNED, SECRET, scores
from tests.hostile.make_notebooks import HERE


def messages(result, exercise):
    return [t.message for e in result.exercises if e.id == exercise for t in e.tests if t.outcome != "passed"]


def test_every_submission_has_a_result(batch):
    results, out, _ = batch
    expected = {p.stem for p in HERE.glob("*.ipynb")} | {
        "symlink_passwd", "huge_base64_output", "nbformat_v3", "not_a_notebook", "non_utf8",
        "김_철수_HW1_final", "a", "b", "correct", "lone_surrogates",
        "ö__2024123456"}   # a/hw1.ipynb: a folder per student; the last: NOT_UTF8_NAME, read with U+FFFD
    assert set(results) == expected
    for sid in results:
        assert (out / sid / "result.json").is_file() and (out / sid / "report.html").is_file()


def test_correct_notebooks_are_unaffected_by_their_neighbours(batch):
    results, _, baseline = batch
    def outcomes(r):
        return [(t.name, t.outcome, t.message) for e in r.exercises for t in e.tests]
    assert outcomes(results["correct"]) == outcomes(baseline["correct"])
    assert scores(results["correct"]) == FULL
    for sid in ("a", "b", "김_철수_HW1_final"):
        assert scores(results[sid]) == FULL


def test_infinite_loop_in_a_cell_is_stopped_and_later_cells_count(batch):
    r = batch[0]["infinite_loop_cell"]
    assert [c.status for c in r.cells] == ["ok", "timeout", "ok", "ok"]
    assert scores(r) == FULL


def test_infinite_loop_in_a_tested_function_fails_that_test_only(batch):
    r = batch[0]["loop_in_tested_function"]
    assert scores(r) == dict(FULL, softmax=0)
    assert messages(r, "softmax")[0] == "`softmax` did not finish within 3 s and was stopped"


def test_memory_bomb_kills_only_its_cell(batch):
    r = batch[0]["memory_bomb"]
    assert r.cells[1].status == "died"
    assert r.cells[1].error["message"] == "the memory limit (1500 MB) was exceeded"
    assert scores(r) == FULL


def test_fork_bomb_is_stopped_by_the_process_limit(batch):
    r = batch[0]["fork_bomb"]
    assert r.cells[1].status == "died"
    assert r.cells[1].error["message"].startswith("the process limit (64) was reached")
    assert scores(r) == FULL


def test_huge_output_is_truncated_and_grading_goes_on(batch):
    r = batch[0]["huge_output"]
    assert r.cells[1].status == "ok"
    assert scores(r) == FULL


def test_exits_in_cells_cost_nothing_else(batch):
    r = batch[0]["exits_in_cells"]
    assert [c.status for c in r.cells] == ["ok", "error", "died", "died", "ok", "ok"]
    assert r.cells[1].error["type"] == "SystemExit"
    assert r.cells[2].error["message"] == "the kernel exited with status 0"
    assert r.cells[3].error["message"] == "the kernel was killed (SIGKILL)"
    assert scores(r) == FULL


def test_exit_inside_a_tested_function_fails_its_tests_and_the_kernel_comes_back(batch):
    r = batch[0]["exit_in_tested_function"]
    assert scores(r)["softmax"] == 0
    assert messages(r, "softmax")[0].startswith("the kernel died while running `softmax`")
    assert scores(r)["cross_entropy"] == FULL["cross_entropy"]


@pytest.mark.parametrize("attack", ["reads_secrets", "opens_network", "writes_outside", "detects_grading"])
def test_probing_attacks_learn_nothing(batch, attack):
    r = batch[0][attack]
    assert scores(r) == dict(FULL, softmax=0)
    assert all(c.status == "ok" for c in r.cells)


def test_nothing_was_written_outside_the_sandbox(batch):
    assert [p for p in PWNED if p.exists()] == []


def test_patched_comparisons_and_lying_values_score_nothing(batch):
    results = batch[0]
    assert scores(results["patches_everything"])["softmax"] == 0
    assert scores(results["patches_everything"])["cross_entropy"] == 0
    lying = results["lying_values"]
    assert scores(lying)["softmax"] == 0 and scores(lying)["cross_entropy"] == 0
    assert "a Anything object" in messages(lying, "cross_entropy")[0]


def test_huge_and_nan_results_are_refused_with_a_reason(batch):
    r = batch[0]["huge_and_nan_results"]
    assert scores(r)["softmax"] == 0 and scores(r)["cross_entropy"] == 0
    assert "over the 64.0 MB limit" in messages(r, "softmax")[0]
    assert messages(r, "cross_entropy")[0].startswith("cross_entropy(y_hat, y) is nan")


def test_fake_scores_and_forged_files_change_nothing(batch):
    results, out, _ = batch
    r = results["fake_scores_and_forged_files"]
    assert scores(r) == dict(FULL, softmax=0)
    saved = json.loads((out / "fake_scores_and_forged_files" / "result.json").read_text())
    assert saved["submission"] == "fake_scores_and_forged_files" and saved["score"] == r.score
    assert not (out / "result.pkl").exists() and not (out / "result.json").exists()


@pytest.mark.parametrize("name,message", [
    ("symlink_passwd", "symlink_passwd.ipynb is a symbolic link; submit the notebook file itself"),
    ("huge_base64_output", "huge_base64_output.ipynb is 500 MB, over the 50 MB limit for notebooks"),
    ("not_a_notebook", "not_a_notebook.ipynb is not UTF-8 text"),
    ("non_utf8", "non_utf8.ipynb is not UTF-8 text (bad byte at offset 41)"),
])
def test_bad_files_get_one_clear_line_and_zero(batch, name, message):
    r = batch[0][name]
    assert r.score == 0 and len(r.errors) == 1 and r.errors[0].startswith(message)


def test_nbformat_3_is_upgraded_and_graded(batch):
    r = batch[0]["nbformat_v3"]
    assert r.errors == ()
    assert scores(r) == dict(FULL, softmax=0, cross_entropy=0)


def test_the_graders_memory_stays_bounded(batch):
    peaks = [r.timing.get("grader_peak_memory_mb", 0) for r in batch[0].values()]
    assert max(peaks) < 1500


def test_links_planted_in_the_runtime_folder_reach_nothing_on_the_host(batch):
    results, out, _ = batch
    r = results["plants_links_in_its_runtime_folder"]
    assert [p for p in PWNED if p.exists()] == []
    assert [c.status for c in r.cells] == ["ok", "ok", "died", "ok", "ok"]
    assert r.errors == () and not r.grader_fault
    assert scores(r) == FULL


def test_no_result_or_page_shows_the_graders_own_environment(batch):
    _, out, _ = batch
    leaks = [str(p) for p in out.rglob("*") if p.is_file() and p.suffix in (".json", ".html", ".csv")
             and SECRET in p.read_text(errors="replace")]
    assert leaks == []


def test_what_a_submission_leaves_in_data_costs_it_nothing_else(batch):
    r = batch[0]["plants_fifo_in_data"]
    assert all(c.status == "ok" for c in r.cells) and scores(r) == FULL


def test_huge_strings_from_the_student_are_capped(batch):
    results, out, _ = batch
    r = results["huge_strings"]
    assert scores(r) == dict(FULL, compare=0, softmax=0, cross_entropy=0)
    assert (out / "huge_strings" / "result.json").stat().st_size < 5 * 1024 * 1024
    assert (out / "huge_strings" / "report.html").stat().st_size < 5 * 1024 * 1024
    for exercise in ("compare", "softmax", "cross_entropy"):
        assert messages(r, exercise) and all(len(m) <= 2000 for m in messages(r, exercise))
    assert all(v is None or len(v) <= 40 for v in r.environment["kernel"].values())


def test_text_that_is_not_unicode_is_read_as_replacement_characters(batch):
    """Lone surrogates, which no page, export or SQLite text can hold, once stopped the whole
    batch with a traceback: from a JSON escape in a notebook, from a string the student's code
    built in the kernel, and from a file name in a legacy encoding."""
    results, out, _ = batch
    r = results["lone_surrogates"]
    assert scores(r) == dict(FULL, cross_entropy=0)
    assert "cells 0, 2 held characters that are not Unicode text" in " ".join(r.warnings)
    assert messages(r, "cross_entropy") and all(m.endswith("ValueError: bad \ufffd")
                                                for m in messages(r, "cross_entropy"))
    assert scores(results["ö__2024123456"]) == FULL
    dashboard = (out / "index.html").read_text(encoding="utf-8")   # lists it as unmatched, by its name
    assert "\ufffd\ufffdö\ufffd\ufffd_2024123456.ipynb" in dashboard


def test_floods_of_output_metadata_widget_state_and_display_updates_are_dropped(batch):
    r = batch[0]["floods_output_metadata"]
    assert all(c.status == "ok" for c in r.cells) and scores(r) == FULL
    assert r.timing["grader_peak_memory_mb"] < 1500


def test_malformed_kernel_messages_are_the_notebooks_fault_not_the_graders(batch):
    r = batch[0]["malformed_iopub_messages"]
    assert r.errors == () and not r.grader_fault
    assert r.cells[2].status == "error" and r.cells[2].error["type"] == "KernelProtocolError"
    assert scores(r) == FULL
