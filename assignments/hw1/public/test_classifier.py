"""Public checks for 4.3: run them with `grader check`."""
import pytest
import torch

from grader.bookcode import CLASSIFIER_ACCURACY, validation_probe
from grader.testing import assert_close, require

# A Classifier whose forward returns its input X: the plotted values come from the batch.


@pytest.mark.exercise("accuracy")
@pytest.mark.points(0.5)
def test_accuracy_book_example(student, tolerance):
    """The book's y_hat = [[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]] with y = [0, 2]: one of two right."""
    Y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    Y = torch.tensor([0, 2])
    got = student.run(CLASSIFIER_ACCURACY, Y_hat=Y_hat, Y=Y, averaged=True,
                      label="Classifier().accuracy(y_hat, y)")
    assert_close(got, 0.5, tolerance("float32"), name="accuracy(y_hat, y)")


@pytest.mark.exercise("validation_step")
@pytest.mark.points(0.5)
def test_validation_step_plots_loss_and_accuracy(student, tolerance):
    """validation_step plots the batch's loss and accuracy, both with train=False."""
    Y_hat = torch.tensor([[2.0, 0.5, 0.1], [0.2, 0.1, 1.5], [1.0, 3.0, 0.0]])
    Y = torch.tensor([0, 1, 1])
    plotted = student.run(validation_probe("X"), batch=(Y_hat, Y), label="Classifier.validation_step(batch)")
    got = {key: (value, train) for key, value, train in plotted}
    require(set(got) == {"loss", "acc"}, f"validation_step plotted {sorted(got)}; expected 'loss' and 'acc'")
    assert_close(got["acc"][0], 2 / 3, tolerance("float32"), name="the plotted 'acc'")
    assert_close(got["loss"][0], torch.nn.functional.cross_entropy(Y_hat, Y), tolerance("float32"),
                 name="the plotted 'loss'")
    require(not got["loss"][1] and not got["acc"][1], "validation_step must plot with train=False")


@pytest.mark.exercise("exact_val_loss")
@pytest.mark.points(0.5)
def test_exact_val_loss_small_example(student, tolerance):
    """10 examples in minibatches of 4, 4 and 2 with mean losses 1, 2 and 4: the exact loss is 2."""
    quick, last = (1 + 2 + 4) / 3, 4.0
    assert_close(student.exact_val_loss(quick, last, 10, 4), (4 * 1 + 4 * 2 + 2 * 4) / 10,
                 tolerance("classifier_float64"), name="exact_val_loss(7/3, 4.0, 10, 4)")


@pytest.mark.exercise("bayes_decision")
@pytest.mark.points(0.5)
def test_bayes_decision_zero_one_loss(student, tolerance):
    """With the 0-1 loss the best choice is the most likely label."""
    p = torch.tensor([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]])
    loss_matrix = 1 - torch.eye(3)
    assert_close(student.bayes_decision(loss_matrix, p), torch.tensor([1, 0]), tolerance("exact"),
                 name="bayes_decision(0-1 loss, p)")
