"""Hidden tests for 3.4 Linear regression from scratch.

The book's classes are driven directly in the kernel (a call there returns data, or a
reference to an object that stays there); the SGD steps and the true line are computed here.
"""
import math

import pytest
import torch

from grader.bookcode import WHICH_TRAINER, NO_FIT_EPOCH, as_number
from grader.testing import assert_close, describe, expect_tensor, generator, require

TRUE_W = torch.tensor([2.0, -3.4])
TRUE_B = 4.2
LR = 0.03


# ---------------------------------------------------------------- LinearRegressionScratch

@pytest.mark.exercise("linear_regression_scratch")
@pytest.mark.points(0.5)
def test_parameters(student, tolerance):
    """LinearRegressionScratch(2, lr=0.03): w (2 x 1) and b = zeros(1), float32, requiring grad; lr saved."""
    model = student.LinearRegressionScratch(2, lr=LR)
    w = expect_tensor(model.w, "model.w", shape=(2, 1))
    b = expect_tensor(model.b, "model.b", shape=(1,))
    for name, t in (("model.w", w), ("model.b", b)):
        require(t.dtype == torch.float32, f"{name} has dtype {str(t.dtype).replace('torch.', '')}; expected float32")
        require(t.requires_grad, f"{name} does not require grad; create it with requires_grad=True")
    assert_close(b, torch.zeros(1), tolerance("exact"), name="model.b")
    assert_close(model.lr, LR, tolerance("exact"), name="model.lr (saved by save_hyperparameters)")


@pytest.mark.exercise("linear_regression_scratch")
@pytest.mark.points(0.25)
def test_weights_drawn_from_normal(student):
    """20000 initial weights have mean about 0 and standard deviation sigma = 0.01."""
    w = expect_tensor(student.LinearRegressionScratch(20000, lr=LR).w, "model.w", shape=(20000, 1))
    # 8 (mean) and 10 (std) standard errors wide: a correct draw never fails.
    require(abs(float(w.std()) / 0.01 - 1) < 0.05,
            f"the weights of LinearRegressionScratch(20000, lr=0.03) have standard deviation "
            f"{float(w.std()):.3g}; expected sigma = 0.01 (torch.normal(0, sigma, (num_inputs, 1)))")
    require(abs(float(w.mean())) < 8 * 0.01 / math.sqrt(20000),
            f"the weights of LinearRegressionScratch(20000, lr=0.03) have mean {float(w.mean()):.3g}; "
            "draw them from a normal with mean 0")


@pytest.mark.exercise("linear_regression_scratch")
@pytest.mark.points(0.5)
def test_forward(student, tolerance):
    """model(X) is X w + b with shape (n, 1), here with b set to 0.7."""
    model = student.LinearRegressionScratch(3, lr=LR)
    model.b = torch.tensor([0.7], requires_grad=True)
    w = expect_tensor(model.w, "model.w", shape=(3, 1))
    X = torch.randn(5, 3, generator=generator("3.4 forward"))
    got = expect_tensor(model(X), "model(X)", shape=(5, 1))
    assert_close(got, X @ w.detach() + 0.7, tolerance("float32"), name="model(X) with b = 0.7")


@pytest.mark.exercise("linear_regression_scratch")
@pytest.mark.points(0.375)
@pytest.mark.parametrize("n", [8, 1], ids=["batch", "one-example"])
def test_loss(student, tolerance, n):
    """loss(y_hat, y) is the mean of (y_hat - y)^2 / 2 for y_hat and y of shape (n, 1)."""
    g = generator("3.4 loss", n)
    y_hat, y = torch.randn(n, 1, generator=g), torch.randn(n, 1, generator=g)
    model = student.LinearRegressionScratch(2, lr=LR)
    assert_close(model.loss(y_hat, y), float(((y_hat - y) ** 2 / 2).mean()), tolerance("float32"),
                 name="model.loss(y_hat, y)")


# ---------------------------------------------------------------- SGD and fit_epoch

def trainer_class(student):
    """The notebook's training loop: d2l.Trainer with its fit_epoch, or its own Trainer subclass."""
    which = student.run(WHICH_TRAINER, label="finding the notebook's Trainer")
    require(which is not None, NO_FIT_EPOCH)
    return student.d2l.Trainer if which == "d2l.Trainer" else student.Trainer


def train_on_one_minibatch(student, epochs):
    """A fresh LinearRegressionScratch(2, lr=0.03) trained by the notebook's Trainer for ``epochs``
    on SyntheticRegressionData with 32 training examples in minibatches of 32: each epoch is
    one step of the notebook's SGD. Returns (w0, b0, w, b, X, y) with X, y the training data."""
    Trainer = trainer_class(student)
    data = student.d2l.SyntheticRegressionData(w=TRUE_W, b=TRUE_B, num_train=32, num_val=32, batch_size=32)
    model = student.LinearRegressionScratch(2, lr=LR)
    model.board.display = False
    w0 = expect_tensor(model.w, "model.w", shape=(2, 1)).detach()
    b0 = expect_tensor(model.b, "model.b", shape=(1,)).detach()
    Trainer(max_epochs=epochs).fit(model, data)
    X = expect_tensor(data.X, "data.X", shape=(64, 2))[:32]
    y = expect_tensor(data.y, "data.y", shape=(64, 1))[:32]
    w = expect_tensor(model.w, "model.w after training", shape=(2, 1)).detach()
    b = expect_tensor(model.b, "model.b after training", shape=(1,)).detach()
    return w0, b0, w, b, X, y


def sgd_steps(w0, b0, X, y, steps):
    """Minibatch SGD on the squared loss over the whole (X, y), ``steps`` times, computed here."""
    w, b = w0.clone().requires_grad_(True), b0.clone().requires_grad_(True)
    for _ in range(steps):
        gw, gb = torch.autograd.grad(((X @ w + b - y) ** 2 / 2).mean(), (w, b))
        with torch.no_grad():
            w -= LR * gw
            b -= LR * gb
    return w.detach(), b.detach()


@pytest.mark.exercise("sgd")
@pytest.mark.points(0.5)
def test_fit_epoch_is_the_notebooks(student):
    """The notebook wrote prepare_batch and fit_epoch for d2l.Trainer (3.4.4)."""
    trainer_class(student)


@pytest.mark.exercise("sgd")
@pytest.mark.points(1)
def test_one_epoch_is_one_sgd_step(student, tolerance):
    """One epoch over one minibatch moves w and b by -lr times the gradient of the mean loss."""
    w0, b0, w, b, X, y = train_on_one_minibatch(student, 1)
    want_w, want_b = sgd_steps(w0, b0, X, y, 1)
    assert_close(w, want_w, tolerance("float32"), name="model.w after one SGD step (lr 0.03)")
    assert_close(b, want_b, tolerance("float32"), name="model.b after one SGD step (lr 0.03)")


@pytest.mark.exercise("sgd")
@pytest.mark.points(0.5)
def test_gradients_are_reset_between_steps(student, tolerance):
    """Two epochs are two SGD steps, each with the gradient at the current w and b (zero_grad in between)."""
    w0, b0, w, b, X, y = train_on_one_minibatch(student, 2)
    want_w, want_b = sgd_steps(w0, b0, X, y, 2)
    assert_close(w, want_w, tolerance("float32"),
                 name="model.w after two SGD steps (the second must not add the first step's gradient)")
    assert_close(b, want_b, tolerance("float32"), name="model.b after two SGD steps")


# ---------------------------------------------------------------- the section's trained model

def rmse_against_the_line(model):
    """Root mean squared difference between model(X) and 2 x1 - 3.4 x2 + 4.2 on 256 points drawn here."""
    X = torch.randn(256, 2, generator=generator("3.4 trained model"))
    got = expect_tensor(model(X), "model(X) for the trained model", shape=(256, 1))
    error = float(((got.detach() - (X @ TRUE_W.reshape(2, 1) + TRUE_B)) ** 2).mean().sqrt())
    return error if math.isfinite(error) else math.inf


def trained_model(student):
    model = student.value("model")
    require(getattr(model, "is_callable", False), f"model at the end of 3.4 is {describe(model)}; expected the "
            "trained LinearRegressionScratch (model = LinearRegressionScratch(2, lr=0.03); trainer.fit(model, data))")
    return model


@pytest.mark.exercise("linreg_training")
@pytest.mark.points(2)
def test_trained_model_fits_the_line(student, tolerance):
    """The model 3.4 ends with predicts y = 2 x1 - 3.4 x2 + 4.2 closely on new points."""
    bound = tolerance("linreg_training").atol
    error = rmse_against_the_line(trained_model(student))
    require(error <= bound, f"the trained model's predictions differ from the true line 2 x1 - 3.4 x2 + 4.2 "
            f"by {error:.3g} (root mean square over new points); a trained model stays below {bound:g} (the "
            "book's 3 epochs at lr 0.03: about 0.3). Check the loss, SGD.step and fit_epoch, and that "
            "trainer.fit(model, data) ran")


@pytest.mark.exercise("learning_rate_sweep")
@pytest.mark.points(1)
def test_other_learning_rate_tried(student, tolerance):
    """The section's last model was trained with another learning rate than 0.03 and fits the data."""
    model = trained_model(student)
    lr = as_number(model.lr, "model.lr")
    require(not math.isclose(lr, LR), "the model 3.4 ends with was trained with the book's lr = 0.03; "
            "for this exercise train models with other learning rates, e.g. "
            "for lr in [0.001, 0.01, 0.03, 0.1]: model = LinearRegressionScratch(2, lr=lr); ...")
    bound = tolerance("linreg_training").atol
    error = rmse_against_the_line(model)
    require(error <= bound, f"the model trained with lr = {lr:g} misses the true line by {error:.3g} "
            f"(root mean square); a trained model stays below {bound:g}")
