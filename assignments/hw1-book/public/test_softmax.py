"""Public checks for 4.4 (students can run them with `grader check`): the book's own examples."""
import math

import pytest
import torch

from grader.testing import assert_close


@pytest.mark.exercise("cross_entropy")
@pytest.mark.points(0.75)
def test_cross_entropy_book_example(student, tolerance):
    """The book's example: y = [0, 2], y_hat = [[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]] gives 1.4979."""
    y = torch.tensor([0, 2])
    y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    assert_close(student.cross_entropy(y_hat, y), -(math.log(0.1) + math.log(0.5)) / 2, tolerance("float32"),
                 name="cross_entropy(y_hat, y) for the book's example")

