"""Hidden tests for 4.3 The base classification model: the book's Classifier, driven
directly (accuracy) or through the shared probe (validation_step)."""
import pytest
import torch

from grader.bookcode import validation_probe
from grader.testing import assert_close, expect_tensor, generator, require


def scores(key, shape, q):
    g = generator("4.3 accuracy", key)
    return torch.randn(*shape, q, generator=g), torch.randint(0, q, shape, generator=g)


@pytest.mark.exercise("accuracy")
@pytest.mark.points(0.5)
def test_accuracy_averaged(student, reference, tolerance):
    """Classifier().accuracy(Y_hat, Y): the fraction of rows whose argmax is the label."""
    Y_hat, Y = scores("averaged", (9,), 4)
    expected = reference.Classifier.accuracy(None, Y_hat, Y)
    assert_close(student.Classifier().accuracy(Y_hat, Y), expected, tolerance("float32"),
                 name="accuracy(Y_hat, Y)")


@pytest.mark.exercise("accuracy")
@pytest.mark.points(0.25)
def test_accuracy_per_example(student, reference, tolerance):
    """averaged=False gives one 1 or 0 per example."""
    Y_hat, Y = scores("per example", (7,), 5)
    got = expect_tensor(student.Classifier().accuracy(Y_hat, Y, averaged=False),
                        "accuracy(Y_hat, Y, averaged=False)", shape=(7,))
    assert_close(got, reference.Classifier.accuracy(None, Y_hat, Y, averaged=False), tolerance("exact"),
                 name="accuracy(Y_hat, Y, averaged=False)")


@pytest.mark.exercise("accuracy")
@pytest.mark.points(0.25)
def test_accuracy_three_axes(student, reference, tolerance):
    """Logits of shape (2, 3, 4) with labels (2, 3): reshaped to one row per example."""
    Y_hat, Y = scores("3-d", (2, 3), 4)
    assert_close(student.Classifier().accuracy(Y_hat, Y), reference.Classifier.accuracy(None, Y_hat, Y),
                 tolerance("float32"), name="accuracy(Y_hat, Y) for logits of shape (2, 3, 4)")


@pytest.mark.exercise("validation_step")
@pytest.mark.points(0.5)
def test_validation_step_plots_loss_and_accuracy(student, tolerance):
    """validation_step((X, Y)) plots the loss and the accuracy of the model on X, with train=False."""
    g = generator("4.3 validation step")
    X, Y = torch.randn(6, 4, generator=g), torch.randint(0, 4, (6,), generator=g)
    plotted = student.run(validation_probe("X"), batch=(X, Y), label="Classifier.validation_step((X, Y))")
    got = {key: (value, train) for key, value, train in plotted}
    require(set(got) == {"loss", "acc"}, f"validation_step plotted {sorted(got)}; expected 'loss' and 'acc'")
    assert_close(got["loss"][0], torch.nn.functional.cross_entropy(X, Y), tolerance("float32"),
                 name="the plotted 'loss'")
    assert_close(got["acc"][0], (X.argmax(dim=1) == Y).float().mean(), tolerance("float32"),
                 name="the plotted 'acc'")
    require(not got["loss"][1] and not got["acc"][1], "validation_step must plot with train=False")
