"""Public checks for 4.4: run them with `grader check`."""
import math

import pytest
import torch

from grader.bookcode import train_softmax_scratch
from grader.testing import assert_close, require, expect_tensor, generator


@pytest.mark.exercise("softmax")
@pytest.mark.points(0.5)
def test_softmax_rows_sum_to_one(student, tolerance):
    """Each row of softmax(X) sums to 1 for a 2 x 5 X."""
    X = torch.rand((2, 5), generator=generator("public softmax"))
    probs = expect_tensor(student.softmax(X), "softmax(X)", shape=(2, 5))
    assert_close(probs.sum(dim=1), torch.ones(2), tolerance("float32"), name="the row sums of softmax(X)")


@pytest.mark.exercise("cross_entropy")
@pytest.mark.points(1)
def test_cross_entropy_book_example(student, tolerance):
    """The book's example: y = [0, 2], y_hat = [[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]] gives 1.4979."""
    y = torch.tensor([0, 2])
    y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    assert_close(student.cross_entropy(y_hat, y), -(math.log(0.1) + math.log(0.5)) / 2,
                 tolerance("float32"), name="cross_entropy(y_hat, y)")


@pytest.mark.exercise("cross_entropy_onehot")
@pytest.mark.points(0.5)
def test_cross_entropy_onehot_book_example(student, tolerance):
    """The book's example with one-hot labels: the same 1.4979 as cross_entropy."""
    y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    Y = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    assert_close(student.cross_entropy_onehot(y_hat, Y), -(math.log(0.1) + math.log(0.5)) / 2,
                 tolerance("float32"), name="cross_entropy_onehot(y_hat, Y)")


@pytest.mark.exercise("softmax_regression_scratch")
@pytest.mark.points(0.5)
def test_softmax_regression_output(student, tolerance):
    """SoftmaxRegressionScratch(784, 10, lr=0.1) maps 4 images of 1 x 28 x 28 to 4 probability rows."""
    model = student.SoftmaxRegressionScratch(num_inputs=784, num_outputs=10, lr=0.1)
    X = torch.rand(4, 1, 28, 28, generator=generator("public softmax regression"))
    y_hat = expect_tensor(model(X), "model(X) for X of shape (4, 1, 28, 28)", shape=(4, 10))
    assert_close(y_hat.sum(dim=1), torch.ones(4), tolerance("float32"), name="the row sums of model(X)")


# The book's d2l.Trainer trains the model on the offline files in the kernel (see
# grader.bookcode); the loss is computed here from the labels in the files.
def validation_loss(student, files, **settings):
    """Train in the kernel; the mean -log y_hat[true label] over the validation files."""
    y_hat, y = train_softmax_scratch(student, files, **settings)
    return float(-torch.log(y_hat.double()[torch.arange(len(y)), y]).mean())


@pytest.mark.exercise("softmax_training")
@pytest.mark.points(0.5)
def test_two_epochs_lower_the_loss(student, offline_data):
    """Two epochs (lr 0.1, batch 256) bring the validation loss well below log(10), the loss of uniform guesses."""
    loss = validation_loss(student, offline_data, seed=0, lr=0.1, batch_size=256, max_epochs=2)
    require(loss < math.log(10) - 0.5,
          f"after two epochs the validation loss is {loss:.3f}; uniform guessing gives log(10) = 2.303 and "
          "the reference about 1.33. Does the optimizer update W and b (parameters() returns them, "
          "forward uses them without .detach())?")


@pytest.mark.exercise("softmax_hyperparameters")
@pytest.mark.points(0.5)
def test_larger_learning_rate_lowers_the_loss(student, tolerance, offline_data):
    """Three epochs with lr 0.1 end with a lower validation loss than with lr 0.001."""
    small, large = (validation_loss(student, offline_data, seed=0, lr=lr, batch_size=256, max_epochs=3)
                    for lr in (0.001, 0.1))
    require(large < small - tolerance("softmax_loss_drop").atol,
          f"the validation loss after 3 epochs is {small:.3f} with lr 0.001 and {large:.3f} with lr 0.1; "
          "a larger learning rate should lower it here. Does configure_optimizers use self.lr?")
