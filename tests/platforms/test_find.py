"""Finding the assignment and the one notebook in a platform's container."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.errors import AssignmentError, NotebookError
from grader.platforms.find import GRADESCOPE, PRAIRIELEARN, find_assignment, find_notebook


def touch(path: Path, text: str = "{}") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_the_one_notebook_is_found_below_the_upload_whatever_its_name(tmp_path):
    notebook = touch(tmp_path / "submission" / "my work" / "Homework 1 (final).IPYNB")
    touch(tmp_path / "submission" / "notes.txt")
    assert find_notebook(tmp_path / "submission") == notebook


def test_autosaves_and_macos_zip_leftovers_are_not_notebooks(tmp_path):
    notebook = touch(tmp_path / "hw1.ipynb")
    touch(tmp_path / ".ipynb_checkpoints" / "hw1-checkpoint.ipynb")
    touch(tmp_path / "__MACOSX" / "._hw1.ipynb")
    touch(tmp_path / "._hw1.ipynb")
    assert find_notebook(tmp_path) == notebook


@pytest.mark.parametrize("files,message", [
    ((), "the upload is empty; upload your notebook file (File > Download > .ipynb)"),
    (("hw1.py", "data/penguins.csv"), "the upload holds no Jupyter notebook (.ipynb), only data/penguins.csv, "
                                      "hw1.py; upload your notebook file (File > Download > .ipynb)"),
    (("a.ipynb", "old/b.ipynb"), "the upload holds 2 notebooks (a.ipynb, old/b.ipynb); "
                                 "upload only the one notebook to grade"),
])
def test_no_notebook_or_several_is_one_line_saying_what_to_upload(tmp_path, files, message):
    (tmp_path / "up").mkdir()
    for name in files:
        touch(tmp_path / "up" / name)
    with pytest.raises(NotebookError) as caught:
        find_notebook(tmp_path / "up")
    assert str(caught.value) == message


def test_the_assignment_is_its_folder_or_the_one_folder_below(tmp_path):
    touch(tmp_path / "source" / "hw1" / "assignment.toml", "")
    touch(tmp_path / "source" / "setup.sh", "")
    assert find_assignment(tmp_path / "source") == tmp_path / "source" / "hw1"
    touch(tmp_path / "tests" / "assignment.toml", "")
    assert find_assignment(tmp_path / "tests") == tmp_path / "tests"


def test_no_assignment_or_several_is_one_line(tmp_path):
    with pytest.raises(AssignmentError) as caught:
        find_assignment(tmp_path)
    assert str(caught.value) == (f"no assignment.toml in {tmp_path} or a folder below it: "
                                 "the autograder bundle is not unpacked there")
    touch(tmp_path / "hw1" / "assignment.toml", "")
    touch(tmp_path / "hw2" / "assignment.toml", "")
    with pytest.raises(AssignmentError) as caught:
        find_assignment(tmp_path)
    assert str(caught.value) == f"2 assignments in {tmp_path} (hw1, hw2); the autograder bundle must hold one"


def test_each_platform_has_its_root_and_folders(monkeypatch, tmp_path):
    monkeypatch.delenv("GRADER_AUTOGRADER_ROOT", raising=False)
    monkeypatch.delenv("GRADER_PRAIRIELEARN_ROOT", raising=False)
    assert (GRADESCOPE.root(), GRADESCOPE.assignments, GRADESCOPE.uploads) == (Path("/autograder"), "source", "submission")
    assert (PRAIRIELEARN.root(), PRAIRIELEARN.assignments, PRAIRIELEARN.uploads) == (Path("/grade"), "tests", "student")
    monkeypatch.setenv("GRADER_AUTOGRADER_ROOT", str(tmp_path))
    assert GRADESCOPE.root() == tmp_path
