"""hw1-book grades notebooks that work through the book (tests/notebooks/hw1_book_*.ipynb,
written by make_book_hw1.py from the course catalogue) in real sandboxed kernels, with
sensible, ordered scores: the complete notebook earns every automatic point, the partial one
loses exactly what it lacks, and the one with exercise-variant redefinitions loses only what
its redefinitions really remove.

They rely on: ``optional`` and ``collect`` in exercise TOML; a call whose section binding does
not accept the book's arguments falling back to the student's other definition of the name,
with a note; a name bound to None (``@d2l.add_to_class``) counting as not defined.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from grader.assignment import load_assignment

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

BOOKS = Path(__file__).resolve().parent / "notebooks"
NOTEBOOKS = ("hw1_book_complete", "hw1_book_partial", "hw1_book_variants")
ASSIGNMENT = load_assignment("hw1-book")
# Read from the TOML files, so these tests do not depend on how the engine exposes the field.
OPTIONAL = {e["id"] for part in sorted((ASSIGNMENT.root / "exercises").glob("*.toml"))
            for e in tomllib.loads(part.read_text(encoding="utf-8")).get("exercises", []) if e.get("optional")}
AUTOMATIC = {e.id for e in ASSIGNMENT.exercises if not e.manual and e.id not in OPTIONAL}

# What the partial notebook lacks (4.4.5's prediction cells, all of 5.3), per exercise.
PARTIAL_LOSES = {"prediction": 1.0,     # wrong, preds and labels are never made
                 "backprop": 2.0}       # optional: 5.3's forward/backward functions are not written
# What the variants notebook's redefinitions remove: 5.3 written as a class whose forward and
# backward are attached with @d2l.add_to_class, so no function forward or backward exists.
VARIANTS_LOSE = {"backprop": 2.0}


@pytest.fixture(scope="module")
def graded(grade):
    results, _, _ = grade([BOOKS / f"{name}.ipynb" for name in NOTEBOOKS], assignment="hw1-book")
    return results


def scores(result) -> dict[str, float]:
    return {e.id: e.score for e in result.exercises if not e.manual}


def automatic(result) -> tuple[float, float]:
    mine = [e for e in result.exercises if e.id in AUTOMATIC]
    return sum(e.score for e in mine), sum(e.max_score for e in mine)


def checks_of(result, exercise: str):
    return [t for e in result.exercises if e.id == exercise for t in e.tests]


def test_the_complete_notebook_earns_the_automatic_points(graded):
    result = graded["hw1_book_complete"]
    assert result.errors == ()
    assert [c.index for c in result.cells if c.status != "ok"] == []
    earned, possible = automatic(result)
    assert possible == pytest.approx(37.5)
    assert earned >= 0.9 * possible
    failing = [(t.name, t.message) for e in result.exercises if e.id in AUTOMATIC for t in e.tests
               if t.outcome != "passed"]
    assert failing == []
    assert any("not run: `!pip install d2l==1.0.3`" in n for c in result.cells for n in c.notes)


def test_the_complete_notebook_earns_the_optional_exercises_it_did(graded):
    result = graded["hw1_book_complete"]
    failing = [(t.name, t.message) for e in result.exercises if e.id in OPTIONAL for t in e.tests
               if t.outcome != "passed"]
    assert failing == []
    assert {e.id for e in result.exercises if e.id in OPTIONAL and e.score == e.max_score} == OPTIONAL


def test_the_partial_notebook_loses_exactly_what_it_lacks(graded):
    complete, partial = scores(graded["hw1_book_complete"]), scores(graded["hw1_book_partial"])
    lost = {k: complete[k] - partial[k] for k in complete if complete[k] != partial[k]}
    assert lost == PARTIAL_LOSES
    assert [t.message for t in checks_of(graded["hw1_book_partial"], "prediction")] == [
        "`wrong` is not defined in the notebook"]
    earned, possible = automatic(graded["hw1_book_partial"])
    assert earned == pytest.approx(possible - PARTIAL_LOSES["prediction"])


def test_the_variants_notebook_loses_only_its_missing_functions(graded):
    complete, variants = scores(graded["hw1_book_complete"]), scores(graded["hw1_book_variants"])
    lost = {k: complete[k] - variants[k] for k in complete if complete[k] != variants[k]}
    assert lost == VARIANTS_LOSE
    assert automatic(graded["hw1_book_variants"]) == automatic(graded["hw1_book_complete"])


def test_lower_case_matrices_of_2_1_are_accepted(graded):
    """S4 named 2.1's matrices x and y: the state checks find them there."""
    assert [t.outcome for t in checks_of(graded["hw1_book_variants"], "saving_memory")] == ["passed", "passed"]


def test_the_books_MLP_is_graded_when_an_exercise_redefines_it(graded):
    """5.2's exercise redefines MLP(num_outputs, num_hiddens1, num_hiddens2, lr): the MLP checks
    use the book's earlier MLP and say so; the optional two-hidden-layer check uses the later one."""
    mlp = checks_of(graded["hw1_book_variants"], "mlp")
    assert [t.outcome for t in mlp] == ["passed", "passed"]
    assert all("MLP" in t.note and "cell" in t.note for t in mlp)          # the note says which MLP was used
    assert [t.outcome for t in checks_of(graded["hw1_book_variants"], "two_hidden_layers")] == ["passed"]


def test_a_forward_attached_with_add_to_class_is_not_defined(graded):
    forward = [t for t in checks_of(graded["hw1_book_variants"], "backprop") if t.name.endswith("test_forward")]
    assert len(forward) == 1 and forward[0].outcome == "failed"
    assert "not defined" in forward[0].message and "add_to_class" in forward[0].message


def test_scores_are_ordered(graded):
    total = {name: graded[name].score for name in NOTEBOOKS}
    assert total["hw1_book_complete"] > total["hw1_book_variants"] > total["hw1_book_partial"]


def test_each_sections_discussion_is_collected_for_hand_grading(graded):
    """Free response comes from the markdown under each section's discussion/exercise headings."""
    answered = {e.id: bool(e.answer) for e in graded["hw1_book_complete"].exercises if e.manual}
    assert answered and all(answered.values())
    partial = {e.id: bool(e.answer) for e in graded["hw1_book_partial"].exercises if e.manual}
    assert partial["backprop_notes"] is False and partial["softmax_scratch_notes"] is True
    assert all(e.manual for e in graded["hw1_book_complete"].exercises if e.kind == "F")
