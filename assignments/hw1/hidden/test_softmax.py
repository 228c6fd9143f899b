"""Hidden tests for 4.4 softmax and cross-entropy."""
import math

import pytest
import torch

from grader.bookcode import train_softmax_scratch
from grader.bookcode.classification import (SOFTMAX_FORWARD, SOFTMAX_GRADIENTS, SOFTMAX_INIT,
                                            SOFTMAX_LOSS, SOFTMAX_PARAMETERS, SOFTMAX_SHAPES)
from grader.testing import assert_close, require, expect_tensor, generator

SHAPES = {"wide": (2, 5), "tall": (7, 3)}


@pytest.mark.exercise("softmax")
@pytest.mark.points(0.5)
@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_softmax_rows_sum_to_one(student, tolerance, shape):
    """Every row of softmax(X) sums to 1 (non-square X catches a wrong axis)."""
    X = torch.randn(shape, generator=generator("rows", shape))
    probs = expect_tensor(student.softmax(X), "softmax(X)", shape=shape)
    assert_close(probs.sum(dim=1), torch.ones(shape[0]), tolerance("float32"),
                 name="the row sums of softmax(X)")


@pytest.mark.exercise("softmax")
@pytest.mark.points(0.375)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("shape", [(3, 4), (1, 10)], ids=["3x4", "one-row"])
def test_softmax_matches_reference(student, reference, tolerance, shape, dtype):
    """softmax(X) equals the reference on random inputs."""
    X = (3 * torch.randn(shape, generator=generator("match", shape))).to(dtype)
    probs = expect_tensor(student.softmax(X), "softmax(X)", shape=shape)
    assert_close(probs, reference.softmax(X), tolerance("float32"), name="softmax(X)")


@pytest.mark.exercise("softmax")
@pytest.mark.points(1)
@pytest.mark.parametrize("scale", [100.0, 1000.0], ids=["hundred", "thousand"])
def test_softmax_is_stable_for_large_inputs(student, reference, tolerance, scale):
    """Exercise 1 of 4.4: inputs like 100 or -1000 must not give NaN or inf."""
    X = torch.tensor([[scale, 0.0, -scale], [-scale, -scale - 1.0, -scale - 2.0]])
    probs = expect_tensor(student.softmax(X), f"softmax(X) with entries of ±{scale:g}", shape=(2, 3))
    require(torch.isfinite(probs).all(),
          f"softmax(X) with entries of ±{scale:g} contains NaN or inf: exp() overflowed or every "
          "exp() underflowed to 0; subtract each row's max before exp()")
    assert_close(probs, reference.softmax(X), tolerance("float32"), name=f"softmax(X) with entries of ±{scale:g}")


@pytest.mark.exercise("cross_entropy")
@pytest.mark.points(1)
@pytest.mark.parametrize("shape", [(7, 5), (1, 3)], ids=["batch", "one-example"])
def test_cross_entropy_matches_reference(student, reference, tolerance, shape):
    """cross_entropy on random probabilities and labels."""
    g = generator("ce", shape)
    y_hat = torch.softmax(torch.randn(shape, generator=g), dim=1)
    y = torch.randint(0, shape[1], (shape[0],), generator=g)
    assert_close(student.cross_entropy(y_hat, y), reference.cross_entropy(y_hat, y),
                 tolerance("float32"), name="cross_entropy(y_hat, y)")


# ---------------------------------------------------------------- cross_entropy_onehot

@pytest.mark.exercise("cross_entropy_onehot")
@pytest.mark.points(0.5)
def test_cross_entropy_onehot_soft_labels(student, reference, tolerance):
    """Soft labels (every Y_i non-zero): the full sum -sum_i Y_i log y_hat_i is needed."""
    g = generator("ce soft")
    y_hat = torch.softmax(torch.randn(6, 4, generator=g), dim=1)
    Y = torch.softmax(torch.randn(6, 4, generator=g), dim=1)
    assert_close(student.cross_entropy_onehot(y_hat, Y), reference.cross_entropy_onehot(y_hat, Y),
                 tolerance("float32"), name="cross_entropy_onehot(y_hat, Y) with soft labels")


@pytest.mark.exercise("cross_entropy_onehot")
@pytest.mark.points(0.5)
def test_cross_entropy_onehot_zero_probabilities(student, tolerance):
    """y_hat = 0 where Y = 0 contributes nothing (0 * log 0 must not become NaN)."""
    y_hat = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.5, 0.5]])
    Y = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    got = student.cross_entropy_onehot(y_hat, Y)
    require(bool(torch.isfinite(torch.as_tensor(got)).all()),
          f"cross_entropy_onehot(y_hat, Y) is {float(got)} when y_hat has zeros where Y is 0: 0 * log(0) "
          "is NaN in floating point; skip the terms with Y_i = 0 (e.g. torch.where or torch.xlogy)")
    assert_close(got, math.log(2) / 2, tolerance("float32"),
                 name="cross_entropy_onehot(y_hat, Y) with zero probabilities")


@pytest.mark.exercise("cross_entropy_onehot")
@pytest.mark.points(0.25)
def test_cross_entropy_onehot_agrees_with_cross_entropy(student, reference, tolerance):
    """One-hot labels for 5 examples of 7 classes (float64): the same value as cross_entropy."""
    g = generator("ce onehot 64")
    y_hat = torch.softmax(torch.randn(5, 7, generator=g, dtype=torch.float64), dim=1)
    y = torch.randint(0, 7, (5,), generator=g)
    Y = torch.nn.functional.one_hot(y, 7).double()
    assert_close(student.cross_entropy_onehot(y_hat, Y), reference.cross_entropy(y_hat, y),
                 tolerance("float32"), name="cross_entropy_onehot(y_hat, Y)")


@pytest.mark.exercise("cross_entropy_onehot")
@pytest.mark.points(0.25)
def test_cross_entropy_onehot_one_example(student, tolerance):
    """A single example: -log of the true class's probability."""
    y_hat = torch.tensor([[0.25, 0.7, 0.05]])
    Y = torch.tensor([[0.0, 1.0, 0.0]])
    assert_close(student.cross_entropy_onehot(y_hat, Y), -math.log(0.7), tolerance("float32"),
                 name="cross_entropy_onehot(y_hat, Y) for one example")


# ---------------------------------------------------------------- SoftmaxRegressionScratch

SIZES = {"book": (784, 10), "small": (6, 4)}


@pytest.mark.exercise("softmax_regression_scratch")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("case", list(SIZES), ids=list(SIZES))
def test_softmax_regression_parameter_shapes(student, case):
    """W is num_inputs x num_outputs and b has num_outputs entries."""
    num_inputs, num_outputs = SIZES[case]
    shapes = student.run(SOFTMAX_SHAPES, n_in=num_inputs, n_out=num_outputs,
                         label=f"SoftmaxRegressionScratch({num_inputs}, {num_outputs}, lr=0.1)")
    require([tuple(s) for s in shapes] == [(num_inputs, num_outputs), (num_outputs,)],
          f"SoftmaxRegressionScratch({num_inputs}, {num_outputs}, lr=0.1) has W of shape {tuple(shapes[0])} "
          f"and b of shape {tuple(shapes[1])}; expected {(num_inputs, num_outputs)} and {(num_outputs,)}")


@pytest.mark.exercise("softmax_regression_scratch")
@pytest.mark.points(0.5)
def test_softmax_regression_initialisation(student, tolerance):
    """W ~ N(0, sigma^2) with the given sigma (here 0.5) and b = 0."""
    W, b = student.run(SOFTMAX_INIT, label="SoftmaxRegressionScratch(784, 10, lr=0.1, sigma=0.5)")
    W = expect_tensor(W, "model.W", shape=(784, 10))
    b = expect_tensor(b, "model.b", shape=(10,))
    assert_close(float(W.std()), 0.5, tolerance("softmax_init_std"), name="the standard deviation of W for sigma=0.5")
    require(abs(float(W.mean())) < 0.05, f"the mean of W is {float(W.mean()):.3g}; expected about 0")
    assert_close(b, torch.zeros(10), tolerance("exact"), name="the initial b")


@pytest.mark.exercise("softmax_regression_scratch")
@pytest.mark.points(0.5)
def test_softmax_regression_parameters(student):
    """parameters() returns [W, b], both requiring gradients."""
    params, own, grads = student.run(SOFTMAX_PARAMETERS, label="SoftmaxRegressionScratch(8, 3, lr=0.1).parameters()")
    count = len(params)
    same = [isinstance(p, torch.Tensor) and p.shape == q.shape and torch.equal(p, q) for p, q in zip(params, own)]
    require(count == 2 and all(same), f"model.parameters() gives {count} tensors; expected [model.W, model.b] "
          "(W and b are plain tensors, so nn.Module does not find them: override parameters())")
    require(all(grads), "model.W and model.b must be created with requires_grad=True")


@pytest.mark.exercise("softmax_regression_scratch")
@pytest.mark.points(0.75)
def test_softmax_regression_forward(student, tolerance):
    """With W and b set, forward(X) is softmax(X W + b) for X of shape (7, 3, 2, 2) flattened to rows of 12."""
    g = generator("softmax regression forward")
    W, b = torch.randn(12, 5, generator=g), torch.randn(5, generator=g)
    X = torch.rand(7, 3, 2, 2, generator=g)
    y_hat = expect_tensor(student.run(SOFTMAX_FORWARD, W=W, b=b, X=X, label="model(X)"), "model(X)", shape=(7, 5))
    assert_close(y_hat, torch.softmax(X.reshape(7, 12) @ W + b, dim=1), tolerance("float32"), name="model(X)")


@pytest.mark.exercise("softmax_regression_scratch")
@pytest.mark.points(0.75)
def test_softmax_regression_gradients(student, tolerance):
    """loss(forward(X), y).backward() fills W.grad and b.grad: X^T (y_hat - Y) / n and the mean of y_hat - Y."""
    g = generator("softmax regression grad")
    W, b = 0.5 * torch.randn(6, 4, generator=g), torch.randn(4, generator=g)
    X, y = torch.randn(9, 6, generator=g), torch.randint(0, 4, (9,), generator=g)
    grad_W, grad_b = student.run(SOFTMAX_GRADIENTS, W=W, b=b, X=X, y=y, label="model.loss(model(X), y).backward()")
    require(grad_W is not None and grad_b is not None,
          "after model.loss(model(X), y).backward() a gradient is None: W and b must require gradients and "
          "forward must use them (no .detach() or .data)")
    delta = (torch.softmax(X @ W + b, dim=1) - torch.nn.functional.one_hot(y, 4)) / len(y)
    assert_close(grad_W, X.T @ delta, tolerance("float32"), name="model.W.grad")
    assert_close(grad_b, delta.sum(dim=0), tolerance("float32"), name="model.b.grad")


@pytest.mark.exercise("softmax_regression_scratch")
@pytest.mark.points(0.5)
def test_softmax_regression_loss(student, reference, tolerance):
    """model.loss(y_hat, y) is the mean cross-entropy."""
    g = generator("softmax regression loss")
    y_hat = torch.softmax(torch.randn(6, 3, generator=g), dim=1)
    y = torch.randint(0, 3, (6,), generator=g)
    got = student.run(SOFTMAX_LOSS, y_hat=y_hat, y=y, label="model.loss(y_hat, y)")
    assert_close(got, reference.cross_entropy(y_hat, y), tolerance("float32"), name="model.loss(y_hat, y)")


# ---------------------------------------------------------------- training (T)

# Measured by tests/calibration/softmax_training.py (the reference over seeds 0-19).
REFERENCE_ACCURACY = 0.94
SEED, EPOCHS, SWEEP_EPOCHS = 474, 10, 5


# The book's d2l.Trainer trains the model on the offline files in the kernel (see
# grader.bookcode). Accuracy and loss are computed here, from the labels in the files,
# never in the kernel.
def train(student, files, **settings):
    """Train in the kernel; (validation accuracy, validation loss) from the labels in the files."""
    y_hat, y = train_softmax_scratch(student, files, **settings)
    y_hat = y_hat.double()
    accuracy = float((y_hat.argmax(dim=1) == y).double().mean())
    return accuracy, float(-torch.log(y_hat[torch.arange(len(y)), y]).mean())


@pytest.mark.exercise("softmax_training")
@pytest.mark.points(2.5)
def test_training_reaches_accuracy_floor(student, tolerance, offline_data):
    """The book's run (lr 0.1, batch 256, 10 epochs, fixed seed) clears the validation-accuracy floor."""
    accuracy, loss = train(student, offline_data, seed=SEED, lr=0.1, batch_size=256, max_epochs=EPOCHS)
    floor = REFERENCE_ACCURACY - tolerance("softmax_val_accuracy").atol
    require(accuracy >= floor,
          f"after {EPOCHS} epochs (lr 0.1, minibatches of 256) the validation accuracy is {accuracy:.3f} "
          f"(loss {loss:.3f}); the reference reaches about {REFERENCE_ACCURACY:.2f} and at least {floor:.2f} "
          "is expected. Does the optimizer update W and b, and does forward use them?")


@pytest.mark.exercise("softmax_hyperparameters")
@pytest.mark.points(0.75)
def test_validation_loss_falls_with_learning_rate(student, tolerance, offline_data):
    """With lr 0.001, 0.01 and 0.1 (same seed and epochs) the validation loss falls at each step."""
    drop = tolerance("softmax_loss_drop").atol
    losses = [train(student, offline_data, seed=SEED, lr=lr, batch_size=256, max_epochs=SWEEP_EPOCHS)[1]
              for lr in (0.001, 0.01, 0.1)]
    require(losses[1] < losses[0] - drop and losses[2] < losses[1] - drop,
          f"after {SWEEP_EPOCHS} epochs the validation losses with lr 0.001, 0.01 and 0.1 are "
          f"{', '.join(f'{l:.3f}' for l in losses)}; each larger learning rate should lower it by more than "
          f"{drop}. Does configure_optimizers use self.lr?")


@pytest.mark.exercise("softmax_hyperparameters")
@pytest.mark.points(0.75)
def test_smaller_minibatches_lower_the_loss(student, tolerance, offline_data):
    """For the same epochs, minibatches of 32 (more updates) end with a lower validation loss than of 1000."""
    drop = tolerance("softmax_loss_drop").atol
    small, large = (train(student, offline_data, seed=SEED, lr=0.1, batch_size=bs, max_epochs=SWEEP_EPOCHS)[1]
                    for bs in (32, 1000))
    require(small < large - drop,
          f"after {SWEEP_EPOCHS} epochs the validation loss is {small:.3f} with minibatches of 32 and "
          f"{large:.3f} with minibatches of 1000; smaller minibatches make more updates per epoch and "
          "should end lower")
