"""Names in notebooks that follow the book: a section's checks use the definition that
section left, fall back to another definition of the same name whose signature fits the
book's call (and say so), and a name left bound to None counts as not defined."""
from __future__ import annotations

import pytest

from grader.errors import MissingNameError
from grader.judge.bridge import Student
from grader.judge.local import NamespaceLink


class MLP:
    """The book's 5.2 MLP(num_outputs, num_hiddens, lr)."""

    def __init__(self, num_outputs, num_hiddens, lr):
        self.shape = (num_outputs, num_hiddens, lr)


class MLPTwoLayers:
    """An exercise's MLP(num_outputs, num_hiddens1, num_hiddens2, lr), defined later."""

    def __init__(self, num_outputs, num_hiddens1, num_hiddens2, lr):
        self.shape = (num_outputs, num_hiddens1, num_hiddens2, lr)


def notebook(*cells: dict) -> tuple[NamespaceLink, dict]:
    """Run ``cells`` (globals to bind) in order, recording definitions after each as the
    grader does."""
    namespace: dict = {}
    link = NamespaceLink(namespace)
    for index, cell in enumerate(cells):
        namespace.update(cell)
        link.request({"op": "record", "cell": index, "section": "5.2"}, timeout=5)
    return link, namespace


def test_a_call_that_fits_the_name_in_force_uses_it():
    link, _ = notebook({"MLP": MLP})
    student = Student(link, timeout=5)
    assert student.MLP(num_outputs=10, num_hiddens=256, lr=0.1).shape == (10, 256, 0.1)
    assert student.notes == []


def test_a_redefinition_with_other_arguments_falls_back_to_the_definition_that_fits():
    link, _ = notebook({"MLP": MLP}, {"MLP": MLPTwoLayers})
    student = Student(link, timeout=5)
    assert student.MLP(num_outputs=10, num_hiddens=256, lr=0.1).shape == (10, 256, 0.1)
    assert student.notes == ["used your definition of MLP from cell 0 (section 5.2): the one in force does "
                             "not take these arguments"]
    assert student.MLP(num_outputs=10, num_hiddens1=4, num_hiddens2=8, lr=0.1).shape == (10, 4, 8, 0.1)


def test_when_no_definition_fits_the_name_in_force_is_called_and_its_error_reported():
    link, _ = notebook({"MLP": MLPTwoLayers})
    with pytest.raises(Exception, match="num_hiddens"):
        Student(link, timeout=5).MLP(num_outputs=10, num_hiddens=256, lr=0.1)


def test_a_name_bound_to_none_by_add_to_class_counts_as_not_defined():
    link, _ = notebook({"forward": None})
    student = Student(link, timeout=5)
    with pytest.raises(MissingNameError) as info:
        student.forward(1)
    assert "is None in the notebook" in str(info.value) and "@d2l.add_to_class" in str(info.value)
    assert not student.defines("forward")
