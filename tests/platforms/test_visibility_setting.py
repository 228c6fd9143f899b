"""``[platforms.gradescope]`` in assignment.toml: when Gradescope shows public and hidden checks."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.assignment import ASSIGNMENTS_DIR, GradescopeSettings, parse_assignment
from grader.errors import AssignmentError

HW1 = ASSIGNMENTS_DIR / "hw1"


def with_table(tmp_path: Path, table: str) -> Path:
    """hw1's assignment.toml with its [platforms.gradescope] table replaced by ``table``."""
    folder = tmp_path / "hw1"
    shutil.copytree(HW1, folder, ignore=shutil.ignore_patterns("hidden", "public", "book", "data"))
    text = (folder / "assignment.toml").read_text()
    start = text.index("[platforms.gradescope]")
    end = text.index("\n[", start + 1)
    (folder / "assignment.toml").write_text(text[:start] + table + text[end:])
    return folder / "assignment.toml"


def test_hw1_shows_public_checks_at_once_and_hidden_ones_when_published():
    assert parse_assignment(HW1 / "assignment.toml").gradescope == GradescopeSettings("visible", "after_published")


def test_without_the_table_public_checks_are_visible_and_hidden_ones_after_published(tmp_path):
    assert parse_assignment(with_table(tmp_path, "")).gradescope == GradescopeSettings("visible", "after_published")


def test_the_table_sets_each_kind(tmp_path):
    path = with_table(tmp_path, '[platforms.gradescope]\npublic = "after_due_date"\nhidden = "hidden"\n')
    assert parse_assignment(path).gradescope == GradescopeSettings("after_due_date", "hidden")


@pytest.mark.parametrize("table,message", [
    ('[platforms.gradescope]\nhidden = "later"\n',
     "[platforms.gradescope] hidden = 'later' is not one of visible, after_due_date, after_published, hidden"),
    ('[platforms.gradescope]\nfree = "visible"\n',
     "[platforms.gradescope] has no setting free (only public and hidden)"),
    ('[platforms.moodle]\npublic = "visible"\n', "[platforms] may hold only a [platforms.gradescope] table"),
])
def test_a_bad_setting_is_one_line_naming_the_file(tmp_path, table, message):
    path = with_table(tmp_path, table)
    with pytest.raises(AssignmentError) as caught:
        parse_assignment(path)
    assert str(caught.value) == f"{path}: {message}"
