"""Public checks for 3.2: run them with `grader check`."""
import pytest

from grader.bookcode import run_hparams
from grader.bookcode.linear import BOOK_ADD_TO_CLASS, BOOK_HYPERPARAMETERS
from grader.testing import assert_close, require


@pytest.mark.exercise("add_to_class")
@pytest.mark.points(0.5)
def test_add_to_class_book_example(student, tolerance):
    """The book's example: a method added to A after a = A() works on a."""
    got = student.run(BOOK_ADD_TO_CLASS, label="the book's add_to_class example")
    assert_close(got, 1, tolerance("exact"), name="a.do() after @add_to_class(A)")


@pytest.mark.exercise("save_hyperparameters")
@pytest.mark.points(0.5)
def test_save_hyperparameters_book_example(student, tolerance):
    """The book's B(a=1, b=2, c=3) with ignore=['c'] has a = 1, b = 2 and no c."""
    a, b, has_c = run_hparams(student, BOOK_HYPERPARAMETERS, label="the book's class B")
    assert_close((a, b), (1, 2), tolerance("exact"), name="(self.a, self.b) for B(a=1, b=2, c=3)")
    require(not has_c, "B(a=1, b=2, c=3) has an attribute c although it called "
          "save_hyperparameters(ignore=['c']); skip the names listed in ignore")
