"""Public checks for 4.4: run them with `grader check`."""
import pytest
import torch

from grader.testing import assert_close, expect_tensor, generator



@pytest.mark.exercise("softmax")
@pytest.mark.points(0.5)
def test_softmax_rows_sum_to_one(student, tolerance):
    """Each row of softmax(X) sums to 1 for a 2 x 5 X."""
    X = torch.rand((2, 5), generator=generator("public softmax"))
    probs = expect_tensor(student.softmax(X), "softmax(X)", shape=(2, 5))
    assert_close(probs.sum(dim=1), torch.ones(2), tolerance("float32"), name="the row sums of softmax(X)")


@pytest.mark.exercise("cross_entropy")
@pytest.mark.points(1)
def test_cross_entropy_book_example(student, reference, tolerance):
    """The book's example: y = [0, 2], y_hat = [[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]] gives 1.4979."""
    y = torch.tensor([0, 2])
    y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    assert_close(student.cross_entropy(y_hat, y), reference.cross_entropy(y_hat, y),
                 tolerance("float32"), name="cross_entropy(y_hat, y)")
