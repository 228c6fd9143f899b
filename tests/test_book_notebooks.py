"""Notebooks written the way real students followed the book (re-typed base classes,
`@d2l.add_to_class` patches, `!pip install d2l==1.0.3` cells, plots, training) grade
unchanged and earn every automatic point of the sections they cover."""
from __future__ import annotations

from pathlib import Path

import pytest

BOOKS = Path(__file__).resolve().parent / "notebooks"
CHAPTERS = {"book_ch3": "3.", "book_ch4": "4.", "book_ch5": "5."}


@pytest.fixture(scope="module")
def graded(grade):
    results, _, _ = grade([BOOKS / f"{name}.ipynb" for name in CHAPTERS])
    return results


@pytest.mark.parametrize("name", list(CHAPTERS))
def test_book_notebook_earns_every_automatic_point_of_its_chapter(graded, name):
    result = graded[name]
    assert result.errors == ()
    mine = [e for e in result.exercises if e.section.startswith(CHAPTERS[name]) and not e.manual]
    failing = [(t.name, t.message) for e in mine for t in e.tests if t.outcome != "passed"]
    assert failing == []
    assert sum(e.score for e in mine) == sum(e.max_score for e in mine) > 0
    assert any("not run: `!pip install d2l==1.0.3`" in n for c in result.cells for n in c.notes)


def test_free_response_answers_are_picked_up(graded):
    answered = [e for e in graded["book_ch3"].exercises if e.kind == "F" and e.answer]
    assert answered and all(e.manual for e in answered)
