"""Public checks for 3.2: run them with `grader check`."""
import pytest

from grader.testing import Mismatch, StudentError, assert_close, check


def run_hparams(student, code, label):
    """Run a HyperParameters check; the book's stub gets a message naming it."""
    try:
        return student.run(code, label=label)
    except StudentError as exc:
        if exc.traceback.type == "TypeError" and "derive from BaseException" in exc.traceback.message:
            raise Mismatch("save_hyperparameters is still the book's stub (`raise NotImplemented`, "
                           "which is not even an exception): give it a body that stores the "
                           "caller's arguments") from None
        raise

BOOK_A = """
class _A:
    def __init__(self):
        self.b = 1

_a = _A()

@add_to_class(_A)
def do(self):
    return self.b

_a.do()
"""

BOOK_B = """
class _B(HyperParameters):
    def __init__(self, a, b, c):
        self.save_hyperparameters(ignore=['c'])

_b = _B(a=1, b=2, c=3)
(getattr(_b, 'a', None), getattr(_b, 'b', None), hasattr(_b, 'c'))
"""


@pytest.mark.exercise("add_to_class")
@pytest.mark.points(0.5)
def test_add_to_class_book_example(student, tolerance):
    """The book's example: a method added to A after a = A() works on a."""
    got = student.run(BOOK_A, label="the book's add_to_class example")
    assert_close(got, 1, tolerance("exact"), name="a.do() after @add_to_class(A)")


@pytest.mark.exercise("save_hyperparameters")
@pytest.mark.points(0.5)
def test_save_hyperparameters_book_example(student, tolerance):
    """The book's B(a=1, b=2, c=3) with ignore=['c'] has a = 1, b = 2 and no c."""
    a, b, has_c = run_hparams(student, BOOK_B, label="the book's class B")
    assert_close((a, b), (1, 2), tolerance("exact"), name="(self.a, self.b) for B(a=1, b=2, c=3)")
    check(not has_c, "B(a=1, b=2, c=3) has an attribute c although it called "
          "save_hyperparameters(ignore=['c']); skip the names listed in ignore")
