"""Finding notebooks and naming submissions."""
import pytest

from grader.errors import UsageError
from grader.submissions import find_notebooks, make_submissions


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
    found = find_notebooks([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.ipynb", "alice/hw1.ipynb"]


def test_missing_paths_and_empty_folders_are_usage_errors(tmp_path):
    with pytest.raises(UsageError, match="no such file or folder"):
        find_notebooks([tmp_path / "nope"])
    with pytest.raises(UsageError, match=r"no notebooks \(\*.ipynb\) found"):
        find_notebooks([tmp_path])


def test_ids_are_unique_and_filesystem_safe(tmp_path):
    paths = [touch(tmp_path / "alice" / "hw1.ipynb"), touch(tmp_path / "bob" / "hw1.ipynb"),
             touch(tmp_path / "김철수 HW1 (final).ipynb"), touch(tmp_path / "../x" / "a b.ipynb")]
    ids = [s.id for s in make_submissions(paths)]
    assert ids[:2] == ["alice_hw1", "bob_hw1"]
    assert ids[2] == "김철수_HW1_final"
    assert ids[3] == "a_b"
    assert len(set(ids)) == 4 and all("/" not in i and " " not in i for i in ids)


def test_identical_names_get_numbers(tmp_path):
    paths = [touch(tmp_path / "x" / "hw1.ipynb"), touch(tmp_path / "y" / "x" / "hw1.ipynb")]
    assert [s.id for s in make_submissions(paths)] == ["x_hw1", "x_hw1-2"]
