"""Public checks for 2.1: run them with `grader check`."""
import pytest
import torch

from grader.testing import assert_close, expect_tensor

BOOK_X = torch.arange(12, dtype=torch.float32).reshape(3, 4)
BOOK_Y = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])


@pytest.mark.exercise("compare")
@pytest.mark.points(0.5)
def test_compare_book_example(student, reference, tolerance):
    """compare(X, Y) on the book's X and Y."""
    got = student.compare(BOOK_X, BOOK_Y)
    assert_close(got, reference.compare(BOOK_X, BOOK_Y), tolerance("exact"), name="compare(X, Y)")


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
    Z = student.run("import torch\ntorch.zeros(3, 4)", keep=True)
    student.add_into(Z, BOOK_X, BOOK_Y)
    after = expect_tensor(student.run("Z", Z=Z), "Z after add_into")
    assert_close(after, BOOK_X + BOOK_Y, tolerance("float32"), name="Z after add_into(Z, X, Y)")
