"""Finding notebooks in folders and naming submissions."""
import pytest

from grader.intake.archive import ZipLimits
from grader.errors import UsageError
from grader.gradebook import Gradebook
from grader.intake.survey import Attempt, survey
from grader.intake.names import safe_id


def touch(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{}")
    return path


def test_folders_are_searched_recursively_skipping_checkpoints(tmp_path):
    touch(tmp_path / "a.ipynb")
    touch(tmp_path / "alice" / "hw1.ipynb")
    touch(tmp_path / ".ipynb_checkpoints" / "a-checkpoint.ipynb")
    touch(tmp_path / "bob" / ".ipynb_checkpoints" / "hw1-checkpoint.ipynb")
    touch(tmp_path / "notes.txt")
    found = survey([tmp_path], limits=ZipLimits())
    assert [s.relative for s in found.sources] == ["a.ipynb", "alice/hw1.ipynb"]


def test_missing_paths_and_empty_folders_are_usage_errors(tmp_path):
    with pytest.raises(UsageError, match="no such file or folder"):
        survey([tmp_path / "nope"], limits=ZipLimits())
    with pytest.raises(UsageError, match=r"no notebooks \(\*.ipynb\) found"):
        survey([tmp_path], limits=ZipLimits())


def test_ids_are_filesystem_safe():
    assert safe_id("김철수 HW1 (final)") == "김철수_HW1_final"
    assert safe_id("../x/a b") == "x_a_b"
    assert safe_id("...") == "submission"


def test_students_whose_ids_clash_once_made_safe_get_numbers(tmp_path):
    from datetime import datetime, timezone
    def attempt(student, digest):
        return Attempt(student=student, matched=True, origin=student, path=tmp_path / "x.ipynb",
                       content_hash=digest, submitted_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
                       time_source="file")
    with Gradebook.in_folder(tmp_path) as book:
        book.record_attempts([attempt("kim lee", "1"), attempt("kim_lee", "2"), attempt("Kim Lee", "3")])
        book.record_attempts([attempt("kim_lee", "4")])
        assert {r.student: r.submission for r in book.attempts()} == {
            "kim lee": "kim_lee", "kim_lee": "kim_lee-2", "Kim Lee": "Kim_Lee-3"}
