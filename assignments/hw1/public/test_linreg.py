"""Public checks for 3.4: run them with `grader check`."""
import pytest
import torch

from grader.bookcode import (largest_error, require_trainer,
                             train_linreg_scratch as train)
from grader.bookcode.linear import FIT_ONE_STEP, SGD_BOOK_STEP
from grader.testing import assert_close, require, expect_tensor

TRUE_W = torch.tensor([2.0, -3.4])
TRUE_B = 4.2


@pytest.mark.exercise("linear_regression_scratch")
@pytest.mark.points(0.5)
def test_linear_regression_scratch_parameters(student):
    """LinearRegressionScratch(2, lr=0.03) has w of shape (2, 1) and b of shape (1,), both requiring grad."""
    model = student.LinearRegressionScratch(2, lr=0.03)
    w = expect_tensor(model.w, "model.w", shape=(2, 1))
    b = expect_tensor(model.b, "model.b", shape=(1,))
    require(w.requires_grad and b.requires_grad, "model.w and model.b must be created with requires_grad=True")


@pytest.mark.exercise("loss_reshape")
@pytest.mark.points(0.5)
def test_loss_with_flat_targets(student, tolerance):
    """loss(y_hat, y) for y_hat of shape (3, 1) and y of shape (3,)."""
    y_hat = torch.tensor([[1.0], [2.0], [3.0]])
    y = torch.tensor([1.0, 0.0, 5.0])
    model = student.LinearRegressionScratch(2, lr=0.03)
    assert_close(model.loss(y_hat, y), 4.0 / 3, tolerance("float32"), name="model.loss(y_hat, y) with y of shape (3,)")


@pytest.mark.exercise("sgd")
@pytest.mark.points(0.5)
def test_sgd_one_step(student, tolerance):
    """One step with lr 0.1 and all gradients 1 lowers every parameter by 0.1."""
    w, b = student.run(SGD_BOOK_STEP, label="SGD.step() under torch.no_grad()")
    assert_close(w, torch.tensor([[0.9], [1.9]]), tolerance("float32"), name="w after SGD.step()")
    assert_close(b, torch.tensor([0.4]), tolerance("float32"), name="b after SGD.step()")


@pytest.mark.exercise("fit_epoch")
@pytest.mark.points(0.5)
def test_fit_epoch_one_step(student, tolerance):
    """One epoch of one batch (x = 1, y = 2) from w = b = 0 with lr 0.5 gives w = b = 1."""
    require_trainer(student)
    w, b = student.run(FIT_ONE_STEP, label="one epoch with your fit_epoch")
    assert_close(w, torch.tensor([1.0]), tolerance("float32"), name="model.w after one epoch")
    assert_close(b, torch.tensor([1.0]), tolerance("float32"), name="model.b after one epoch")


@pytest.mark.exercise("linreg_training")
@pytest.mark.points(1)
def test_training_book_run(student, tolerance):
    """The book's run (lr 0.03, 3 epochs, seed 0) ends with w and b near [2, -3.4] and 4.2."""
    w, b = train(student, seed=0)
    assert_close(w, TRUE_W, tolerance("linreg_training"), name="model.w after training")
    assert_close(b, torch.tensor([TRUE_B]), tolerance("linreg_training"), name="model.b after training")


@pytest.mark.exercise("init_experiment")
@pytest.mark.points(0.5)
def test_zero_init(student, tolerance):
    """From w = 0 (sigma = 0) training works as well as from small random weights."""
    w, b = train(student, seed=0, sigma=0.0)
    assert_close(w, TRUE_W, tolerance("linreg_training"), name="model.w after training from zero")
    assert_close(b, torch.tensor([TRUE_B]), tolerance("linreg_training"), name="model.b after training from zero")


@pytest.mark.exercise("lr_experiment")
@pytest.mark.points(0.5)
def test_larger_learning_rate_learns_faster(student):
    """After 3 epochs lr = 0.03 is closer to the true weights than lr = 0.003."""
    slow = largest_error(*train(student, seed=5, lr=0.003), TRUE_W, TRUE_B)
    fast = largest_error(*train(student, seed=5, lr=0.03), TRUE_W, TRUE_B)
    require(fast < slow, f"after 3 epochs the error is {fast:.3g} with lr = 0.03 and {slow:.3g} with "
          "lr = 0.003; the larger (stable) learning rate should get closer: does your optimiser use self.lr?")


@pytest.mark.exercise("fit_ohm")
@pytest.mark.points(0.5)
def test_fit_ohm_exact(student, tolerance):
    """Noise-free measurements of a 5 Ω resistor give R = 5."""
    I = torch.tensor([0.1, 0.5, 1.0, 1.5, 2.0], dtype=torch.float64)
    assert_close(student.fit_ohm(5 * I, I), 5.0, tolerance("linreg_fit"), name="fit_ohm(V, I)")


@pytest.mark.exercise("fit_planck_temperature")
@pytest.mark.points(0.5)
def test_fit_planck_temperature_sun(student, tolerance):
    """A noise-free spectrum of 5778 K (the sun's surface) gives back 5778 K."""
    h, c, k, T = 6.62607015e-34, 2.99792458e8, 1.380649e-23, 5778.0
    lam = torch.linspace(250e-9, 2000e-9, 40, dtype=torch.float64)
    B = 2 * h * c ** 2 / lam ** 5 / torch.expm1(h * c / (lam * k * T))
    assert_close(student.fit_planck_temperature(lam, B), T, tolerance("linreg_planck"),
                 name="fit_planck_temperature(lam, B)")


@pytest.mark.exercise("num_batches")
@pytest.mark.points(0.5)
def test_num_batches_book_data(student, tolerance):
    """1000 examples in batches of 32: 32 batches, the last one of 8."""
    assert_close(student.num_batches(1000, 32), 32, tolerance("exact"), name="num_batches(1000, 32)")
    assert_close(student.last_batch_size(1000, 32), 8, tolerance("exact"), name="last_batch_size(1000, 32)")


@pytest.mark.exercise("abs_loss")
@pytest.mark.points(0.5)
def test_abs_loss_small(student, tolerance):
    """Residuals 1, -2 and 0 give a mean absolute error of 1."""
    y_hat = torch.tensor([[1.0], [0.0], [3.0]])
    y = torch.tensor([[0.0], [2.0], [3.0]])
    assert_close(student.abs_loss(y_hat, y), 1.0, tolerance("float32"), name="abs_loss(y_hat, y)")


@pytest.mark.exercise("huber_loss")
@pytest.mark.points(0.5)
def test_huber_loss_small(student, tolerance):
    """Residuals 0.5 and 3 with delta = 1: (0.125 + 2.5) / 2 = 1.3125."""
    y_hat = torch.tensor([[0.5], [3.0]])
    y = torch.zeros(2, 1)
    assert_close(student.huber_loss(y_hat, y), 1.3125, tolerance("float32"), name="huber_loss(y_hat, y)")
