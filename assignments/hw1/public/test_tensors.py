"""Public checks for 2.1: run them with `grader check`."""
import pytest
import torch

from grader.bookcode import VALUE
from grader.bookcode.preliminaries import ZEROS
from grader.testing import assert_close, expect_tensor

BOOK_X = torch.arange(12, dtype=torch.float32).reshape(3, 4)
BOOK_Y = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])


@pytest.mark.exercise("compare")
@pytest.mark.points(0.5)
def test_compare_book_example(student, tolerance):
    """compare(X, Y) on the book's X and Y: one equal pair in row 0, X < Y there too, X > Y below."""
    F, T = False, True
    expected = (torch.tensor([[F, T, F, T], [F, F, F, F], [F, F, F, F]]),
                torch.tensor([[T, F, T, F], [F, F, F, F], [F, F, F, F]]),
                torch.tensor([[F, F, F, F], [T, T, T, T], [T, T, T, T]]))
    got = student.compare(BOOK_X, BOOK_Y)
    assert_close(got, expected, tolerance("exact"), name="compare(X, Y)")


@pytest.mark.exercise("broadcast_shape")
@pytest.mark.points(0.5)
def test_broadcast_shape_book_example(student, tolerance):
    """The book's (3, 1) + (1, 2) example broadcasts to (3, 2)."""
    got = student.broadcast_shape((3, 1), (1, 2))
    assert_close(got, (3, 2), tolerance("exact"), name="broadcast_shape((3, 1), (1, 2))")


@pytest.mark.exercise("add_into")
@pytest.mark.points(0.5)
def test_add_into_writes_sum(student, tolerance):
    """add_into(Z, X, Y) leaves X + Y in Z."""
    student.needs("add_into")
    Z = student.run(ZEROS, shape=(3, 4), keep=True, label="Z = torch.zeros(3, 4)")
    student.add_into(Z, BOOK_X, BOOK_Y)
    after = expect_tensor(student.run(VALUE, value=Z, label="Z"), "Z after add_into")
    assert_close(after, BOOK_X + BOOK_Y, tolerance("float32"), name="Z after add_into(Z, X, Y)")


@pytest.mark.exercise("broadcast_add")
@pytest.mark.points(0.5)
def test_broadcast_add_book_3d_example(student, tolerance):
    """The 3-D example: (2, 3, 1) + (1, 1, 2) gives [[[0, 1], [1, 2], [2, 3]], [[3, 4], [4, 5], [5, 6]]]."""
    a = torch.arange(6).reshape((2, 3, 1))
    b = torch.arange(2).reshape((1, 1, 2))
    got = expect_tensor(student.broadcast_add(a, b), "broadcast_add(a, b)", shape=(2, 3, 2))
    expected = torch.tensor([[[0, 1], [1, 2], [2, 3]], [[3, 4], [4, 5], [5, 6]]])
    assert_close(got, expected, tolerance("exact"), name="broadcast_add(a, b)")
