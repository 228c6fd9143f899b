"""The test helper that shows the fallback a platform's view of this machine must find every
copy of the hidden tests, or a hostile notebook's verdict would depend on what a session left
lying around (a clone in /tmp once earned reads_secrets its points in CI)."""
from __future__ import annotations

from pathlib import Path

from tests.open_root import _copies_below


def _copy(folder: Path) -> Path:
    (folder / "assignments" / "hw1" / "hidden").mkdir(parents=True)
    return folder


def test_copies_of_the_project_are_found_down_to_the_given_depth(tmp_path):
    shallow = _copy(tmp_path / "clone")
    deep = _copy(tmp_path / "a" / "b" / "clone")
    too_deep = _copy(tmp_path / "a" / "b" / "c" / "clone")
    (tmp_path / "results" / "assignments").mkdir(parents=True)   # no hidden tests in it
    found = _copies_below(tmp_path, 3)
    assert shallow in found and deep in found and too_deep not in found
    assert tmp_path / "results" not in found


def test_links_are_not_followed_and_a_missing_place_finds_nothing(tmp_path):
    (tmp_path / "link").symlink_to(_copy(tmp_path / "elsewhere" / "x" / "y" / "clone"))
    assert _copies_below(tmp_path, 1) == []
    assert _copies_below(tmp_path / "absent", 3) == []
