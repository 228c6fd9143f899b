"""Hidden tests for 3.4 Linear regression from scratch.

Objects stay in the student's kernel; grader-written code drives them there and only data
comes back. Expected values are computed here, from closed forms or autograd in this process.
"""
import math

import pytest
import torch

from grader.bookcode import (largest_error, require_trainer,
                             train_linreg_scratch as train)
from grader.bookcode.linear import (FIT_TWO_SETS, LINREG_INIT, LOSS_GRAD, OPTIMIZER_STEP,
                                    SET_BIAS, SGD_FRESH_ZERO_GRAD, SGD_OUTSIDE, SGD_STEP, SGD_TWO_STEPS,
                                    SGD_ZERO_GRAD)
from grader.testing import assert_close, require, expect_tensor, generator

TRUE_W = torch.tensor([2.0, -3.4])
TRUE_B = 4.2


def error(w, b):
    """The largest estimation error of w and b (inf when training diverged to inf or NaN)."""
    return largest_error(w, b, TRUE_W, TRUE_B)


# ---------------------------------------------------------------- LinearRegressionScratch

@pytest.mark.exercise("linear_regression_scratch")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("num_inputs", [2, 5])
def test_parameters(student, tolerance, num_inputs):
    """w has shape (num_inputs, 1), b is zeros(1); both float32 leaves with requires_grad; lr is saved."""
    model = student.LinearRegressionScratch(num_inputs, lr=0.1)
    w = expect_tensor(model.w, "model.w", shape=(num_inputs, 1))
    b = expect_tensor(model.b, "model.b", shape=(1,))
    for name, t in (("model.w", w), ("model.b", b)):
        require(t.dtype == torch.float32, f"{name} has dtype {str(t.dtype).replace('torch.', '')}; expected float32")
        require(t.requires_grad, f"{name} does not require grad; create it with requires_grad=True")
    assert_close(b, torch.zeros(1), tolerance("exact"), name="model.b")
    assert_close(model.lr, 0.1, tolerance("exact"), name="model.lr (saved by save_hyperparameters)")


@pytest.mark.exercise("linear_regression_scratch")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("sigma", [None, 0.5], ids=["default-sigma", "sigma-0.5"])
def test_weights_drawn_from_normal(student, sigma):
    """20000 initial weights have mean about 0 and standard deviation sigma (0.01 by default)."""
    w = expect_tensor(student.run(LINREG_INIT, label="drawing 20000 initial weights", sigma=sigma), "model.w")
    std = 0.01 if sigma is None else sigma
    call = "LinearRegressionScratch(20000, lr=0.1" + ("" if sigma is None else f", sigma={sigma}") + ")"
    # Both statistics are seeded; the bounds are 8 (mean) and 10 (std) standard errors wide.
    require(abs(float(w.mean())) < 8 * std / math.sqrt(len(w)),
          f"the weights of {call} have mean {float(w.mean()):.3g}; draw them from a normal with mean 0")
    require(abs(float(w.std()) / std - 1) < 0.05,
          f"the weights of {call} have standard deviation {float(w.std()):.3g}; expected {std:g} "
          "(use torch.normal(0, sigma, (num_inputs, 1)))")


@pytest.mark.exercise("linear_regression_scratch")
@pytest.mark.points(0.5)
@pytest.mark.parametrize("n", [4, 1], ids=["batch", "one-example"])
def test_forward(student, tolerance, n):
    """model(X) is X w + b with shape (n, 1), here with b set to 0.7."""
    model = student.LinearRegressionScratch(3, lr=0.1)
    student.run(SET_BIAS, model=model, value=0.7, label="setting model.b")
    w, b = expect_tensor(model.w, "model.w"), expect_tensor(model.b, "model.b")
    X = torch.randn(n, 3, generator=generator("forward", n))
    got = expect_tensor(model(X), "model(X)", shape=(n, 1))
    assert_close(got, X @ w.detach() + b.detach(), tolerance("float32"), name="model(X)")


@pytest.mark.exercise("linear_regression_scratch")
@pytest.mark.points(0.375)
@pytest.mark.parametrize("n", [8, 1], ids=["batch", "one-example"])
def test_loss(student, tolerance, n):
    """loss(y_hat, y) is the mean of (y_hat - y)^2 / 2 for y_hat and y of shape (n, 1)."""
    g = generator("loss", n)
    y_hat, y = torch.randn(n, 1, generator=g), torch.randn(n, 1, generator=g)
    model = student.LinearRegressionScratch(2, lr=0.1)
    assert_close(model.loss(y_hat, y), float(((y_hat - y) ** 2 / 2).mean()),
                 tolerance("float32"), name="model.loss(y_hat, y)")


def sgd_steps(w0, b0, lr, batches):
    """Plain minibatch SGD on the squared loss, computed here."""
    w, b = w0.clone().requires_grad_(True), b0.clone().requires_grad_(True)
    for X, y in batches:
        gw, gb = torch.autograd.grad(((X @ w + b - y) ** 2 / 2).mean(), (w, b))
        with torch.no_grad():
            w -= lr * gw
            b -= lr * gb
    return w.detach(), b.detach()


@pytest.mark.exercise("linear_regression_scratch")
@pytest.mark.points(0.75)
def test_configure_optimizers_steps_w_and_b(student, tolerance):
    """configure_optimizers() returns an optimiser whose step moves w and b by -lr * grad, lr = 0.05."""
    g = generator("configure_optimizers")
    X, y = torch.randn(6, 3, generator=g), torch.randn(6, 1, generator=g)
    w0, b0, w1, b1 = student.run(OPTIMIZER_STEP, X=X, y=y, label="one step of configure_optimizers()")
    w0, b0 = expect_tensor(w0, "model.w", shape=(3, 1)), expect_tensor(b0, "model.b", shape=(1,))
    w, b = sgd_steps(w0, b0, 0.05, [(X, y)])
    assert_close(w1, w, tolerance("float32"), name="model.w after one optimiser step")
    assert_close(b1, b, tolerance("float32"), name="model.b after one optimiser step")


# ---------------------------------------------------------------- loss_reshape

@pytest.mark.exercise("loss_reshape")
@pytest.mark.points(0.5)
def test_loss_reshapes_flat_targets(student, tolerance):
    """y of shape (6,) against y_hat of shape (6, 1) gives the elementwise loss, not an (6, 6) one."""
    g = generator("loss_reshape")
    y_hat, y = torch.randn(6, 1, generator=g), torch.randn(6, generator=g)
    model = student.LinearRegressionScratch(2, lr=0.1)
    assert_close(model.loss(y_hat, y), float(((y_hat - y.reshape(6, 1)) ** 2 / 2).mean()),
                 tolerance("float32"), name="model.loss(y_hat, y) with y of shape (6,)")


# ---------------------------------------------------------------- SGD


def sgd_problem(key, d=3, n=5):
    g = generator("sgd", key)
    return (torch.randn(d, 1, generator=g), torch.randn(1, generator=g),
            torch.randn(n, d, generator=g), torch.randn(n, 1, generator=g))


@pytest.mark.exercise("sgd")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("lr,d", [(0.1, 3), (0.5, 1)], ids=["lr0.1", "lr0.5-one-weight"])
def test_sgd_step_inside_no_grad(student, tolerance, lr, d):
    """Under torch.no_grad(), step() moves each parameter by -lr * grad, in place."""
    w0, b0, X, y = sgd_problem(("step", lr), d=d)
    w1, b1 = student.run(SGD_STEP, w0=w0, b0=b0, X=X, y=y, lr=lr, label="SGD.step() under torch.no_grad()")
    w, b = sgd_steps(w0, b0, lr, [(X, y)])
    assert_close(w1, w, tolerance("float32"), name="w after SGD.step()")
    assert_close(b1, b, tolerance("float32"), name="b after SGD.step()")


@pytest.mark.exercise("sgd")
@pytest.mark.points(0.5)
def test_sgd_two_steps_with_zero_grad(student, tolerance):
    """Two minibatches with zero_grad() between them: each step uses only its own gradient."""
    w0, b0, X, y = sgd_problem("two", n=8)
    batches = [(X[:4], y[:4]), (X[4:], y[4:])]
    w1, b1 = student.run(SGD_TWO_STEPS, w0=w0, b0=b0, batches=batches, lr=0.2,
                         label="two SGD steps with zero_grad()")
    w, b = sgd_steps(w0, b0, 0.2, batches)
    assert_close(w1, w, tolerance("float32"), name="w after two SGD steps")
    assert_close(b1, b, tolerance("float32"), name="b after two SGD steps")


@pytest.mark.exercise("sgd")
@pytest.mark.points(0.5)
def test_sgd_zero_grad_clears_gradients(student):
    """After backward(), zero_grad() leaves every gradient zero (or None)."""
    w0, b0, X, y = sgd_problem("zero")
    grads = student.run(SGD_ZERO_GRAD, w0=w0, b0=b0, X=X, y=y, label="SGD.zero_grad() after backward()")
    for name, grad in zip(("w.grad", "b.grad"), grads):
        if grad is not None:
            grad = expect_tensor(grad, name)
            require(bool((grad == 0).all()), f"{name} after zero_grad() is {grad.reshape(-1).tolist()}; "
                  "expected zeros, or the gradients keep accumulating across minibatches")


@pytest.mark.exercise("sgd")
@pytest.mark.points(0.5)
def test_sgd_zero_grad_before_any_backward(student):
    """zero_grad() works on parameters that have no gradient yet (grad is None)."""
    student.run(SGD_FRESH_ZERO_GRAD, label="SGD.zero_grad() before any backward()")


@pytest.mark.exercise("sgd")
@pytest.mark.points(0.5)
def test_sgd_step_outside_no_grad(student, tolerance):
    """Outside no_grad, step() either raises RuntimeError (the book's SGD, which the loop calls
    under no_grad) or does the right in-place update; the parameters stay leaves that need grad."""
    w0, b0, X, y = sgd_problem("outside")
    outcome, w1, b1, need_grad, grad_fns = student.run(SGD_OUTSIDE, w0=w0, b0=b0, X=X, y=y, lr=0.1,
                                                       label="SGD.step() outside torch.no_grad()")
    need_grad, leaves = all(need_grad), all(fn is None for fn in grad_fns)
    require(need_grad, "after SGD.step() the parameters no longer require grad; update them in place "
          "(param -= lr * param.grad under torch.no_grad()) without turning requires_grad off")
    if outcome == "RuntimeError":
        return
    require(leaves, "after SGD.step() outside no_grad the parameters have a grad_fn: the update was "
          "recorded by autograd; do it under torch.no_grad()")
    w, b = sgd_steps(w0, b0, 0.1, [(X, y)])
    assert_close(w1, w, tolerance("float32"), name="w after SGD.step() outside no_grad")
    assert_close(b1, b, tolerance("float32"), name="b after SGD.step() outside no_grad")


# ---------------------------------------------------------------- fit_epoch


def fit_problem(key, train_sizes, val_size):
    g = generator("fit", key)
    w0, b0 = torch.randn(2, 1, generator=g), torch.randn(1, generator=g)
    make = lambda n: (torch.randn(n, 2, generator=g), torch.randn(n, 1, generator=g))
    return w0, b0, [make(n) for n in train_sizes], (None if val_size is None else [make(val_size)])


def fit(student, key, *, train_sizes=(4, 4, 3), val_size=5, max_epochs=2, lr=0.1):
    require_trainer(student)
    w0, b0, train, val = fit_problem(key, train_sizes, val_size)
    got = student.run(FIT_TWO_SETS, w0=w0, b0=b0, train=train, val=val, lr=lr, max_epochs=max_epochs,
                      label=f"trainer.fit with your fit_epoch for {max_epochs} epochs")
    return got, sgd_steps(w0, b0, lr, train * max_epochs)


@pytest.mark.exercise("fit_epoch")
@pytest.mark.points(1)
def test_fit_epoch_matches_sgd_updates(student, tolerance):
    """Two epochs of three minibatches: six SGD steps, each with only its own gradient; the
    validation batch changes nothing."""
    (w1, b1, *_), (w, b) = fit(student, "updates")
    assert_close(w1, w, tolerance("float32"), name="model.w after two epochs")
    assert_close(b1, b, tolerance("float32"), name="model.b after two epochs")


@pytest.mark.exercise("fit_epoch")
@pytest.mark.points(0.5)
def test_fit_epoch_counts_batches(student, tolerance):
    """train_batch_idx counts 3 batches x 2 epochs and val_batch_idx 1 batch x 2 epochs."""
    (_, _, train_idx, val_idx, _), _ = fit(student, "counts")
    assert_close(train_idx, 6, tolerance("exact"), name="trainer.train_batch_idx after 2 epochs of 3 batches")
    assert_close(val_idx, 2, tolerance("exact"), name="trainer.val_batch_idx after 2 epochs of 1 batch")


@pytest.mark.exercise("fit_epoch")
@pytest.mark.points(0.5)
def test_fit_epoch_validates_without_gradients(student):
    """validation_step runs once per epoch, with gradient tracking off."""
    (*_, grad_enabled), _ = fit(student, "validation")
    require(len(grad_enabled) == 2, f"validation_step ran {len(grad_enabled)} times in 2 epochs with one "
          "validation batch; expected 2")
    require(not any(grad_enabled), "validation_step ran with gradient tracking on; wrap it in "
          "`with torch.no_grad():`")


@pytest.mark.exercise("fit_epoch")
@pytest.mark.points(0.5)
def test_fit_epoch_without_validation_data(student, tolerance):
    """With no validation data (val_dataloader() is None) the epoch just trains."""
    (w1, b1, *_), (w, b) = fit(student, "no-validation", train_sizes=(5, 5), val_size=None)
    assert_close(w1, w, tolerance("float32"), name="model.w after two epochs without validation data")
    assert_close(b1, b, tolerance("float32"), name="model.b after two epochs without validation data")


# ---------------------------------------------------------------- training (T)

def expect_recovered(w, b, tolerance, after):
    """w and b within the calibrated bound of the true parameters."""
    assert_close(w, TRUE_W, tolerance("linreg_training"), name=f"model.w after {after}")
    assert_close(b, torch.tensor([TRUE_B]), tolerance("linreg_training"), name=f"model.b after {after}")


@pytest.mark.exercise("linreg_training")
@pytest.mark.points(1)
@pytest.mark.parametrize("seed", [1, 2])
def test_training_recovers_w_and_b(student, tolerance, seed):
    """The book's run (lr 0.03, 3 epochs) from another seed ends within the calibrated bound."""
    w, b = train(student, seed=seed)
    expect_recovered(w, b, tolerance, f"training (seed {seed})")


# ---------------------------------------------------------------- init_experiment (T)

@pytest.mark.exercise("init_experiment")
@pytest.mark.points(0.5)
def test_zero_init_still_learns(student, tolerance):
    """From w = 0 (sigma = 0) three epochs reach the usual accuracy: a linear model has no symmetry to break."""
    w, b = train(student, seed=3, sigma=0.0)
    expect_recovered(w, b, tolerance, "training from zero")


@pytest.mark.exercise("init_experiment")
@pytest.mark.points(1)
@pytest.mark.parametrize("seed", [4])
def test_large_init_still_converges(student, tolerance, seed):
    """From variance 1000 (sigma = sqrt(1000)) the model starts far away yet converges in 10 epochs."""
    w, b = train(student, seed=seed, sigma=math.sqrt(1000), max_epochs=10)
    expect_recovered(w, b, tolerance, "10 epochs from variance 1000")


# ---------------------------------------------------------------- lr_experiment (T)

@pytest.mark.exercise("lr_experiment")
@pytest.mark.points(0.5)
def test_larger_learning_rate_learns_faster_again(student):
    """Same comparison as the public check, from another seed."""
    slow, fast = error(*train(student, seed=6, lr=0.003)), error(*train(student, seed=6, lr=0.03))
    require(fast < slow, f"after 3 epochs the error is {fast:.3g} with lr = 0.03 and {slow:.3g} with "
          "lr = 0.003; the larger (stable) learning rate should get closer: does your optimiser use self.lr?")


@pytest.mark.exercise("lr_experiment")
@pytest.mark.points(0.5)
def test_more_epochs_reduce_the_error(student):
    """At lr = 0.03, 6 epochs end closer to the true weights than 3."""
    three, six = error(*train(student, seed=7)), error(*train(student, seed=7, max_epochs=6))
    require(six < three, f"the error is {three:.3g} after 3 epochs and {six:.3g} after 6; more epochs "
          "should reduce it")


@pytest.mark.exercise("lr_experiment")
@pytest.mark.points(0.5)
def test_too_large_learning_rate_diverges(student):
    """lr = 3 overshoots (|1 - 3 lambda| > 1 for the data's curvature lambda near 1): the error grows."""
    e = error(*train(student, seed=8, lr=3.0))
    require(e > 10, f"with lr = 3 the error after 3 epochs is {e:.3g}; plain SGD on this data should diverge "
          "(error > 10 or inf): does your optimiser use self.lr?")


# ---------------------------------------------------------------- fit_ohm

def ohm_data(key, R, n, noise=0.01, dtype=torch.float64):
    g = generator("ohm", key)
    I = 0.1 + 1.9 * torch.rand(n, generator=g, dtype=torch.float64)
    V = R * I + noise * torch.randn(n, generator=g, dtype=torch.float64)
    return V.to(dtype), I.to(dtype)


def least_squares_R(V, I):
    V, I = V.double(), I.double()
    return float((V * I).sum() / (I * I).sum())


OHM = {"noisy-4.7": (4.7, 30, torch.float64), "noisy-100": (100.0, 30, torch.float64),
       "float32": (22.0, 50, torch.float32), "one-measurement": (8.2, 1, torch.float64),
       "many": (1.0, 200, torch.float64)}


@pytest.mark.exercise("fit_ohm")
@pytest.mark.points(0.3)
@pytest.mark.parametrize("case", list(OHM), ids=list(OHM))
def test_fit_ohm(student, tolerance, case):
    """R equals the least-squares Σ V I / Σ I² for noisy measurements."""
    R, n, dtype = OHM[case]
    V, I = ohm_data(case, R, n, dtype=dtype)
    assert_close(student.fit_ohm(V, I), least_squares_R(V, I), tolerance("linreg_fit"), name="fit_ohm(V, I)")


# ---------------------------------------------------------------- fit_planck_temperature

H, C, K = 6.62607015e-34, 2.99792458e8, 1.380649e-23


def planck(lam, T):
    return 2 * H * C ** 2 / lam ** 5 / torch.expm1(H * C / (lam * K * T))


def planck_data(key, T, noise, n=40, dtype=torch.float64):
    peak = 2.897771955e-3 / T   # Wien's displacement law
    lam = torch.linspace(0.5 * peak, 4 * peak, n, dtype=torch.float64)
    B = planck(lam, T) * (1 + noise * torch.randn(n, generator=generator("planck", key), dtype=torch.float64))
    return lam.to(dtype), B.to(dtype)


PLANCK = {"300K": (300.0, 0.0, torch.float64), "3000K": (3000.0, 0.0, torch.float64),
          "sun-noisy": (5778.0, 0.01, torch.float64), "10000K-noisy": (10000.0, 0.01, torch.float64),
          "float32": (1500.0, 0.005, torch.float32)}


@pytest.mark.exercise("fit_planck_temperature")
@pytest.mark.points(0.5)
@pytest.mark.parametrize("case", list(PLANCK), ids=list(PLANCK))
def test_fit_planck_temperature(student, tolerance, case):
    """The fitted temperature is within 0.5 % of the one that generated the spectrum."""
    T, noise, dtype = PLANCK[case]
    lam, B = planck_data(case, T, noise, dtype=dtype)
    assert_close(student.fit_planck_temperature(lam, B), T, tolerance("linreg_planck"),
                 name="fit_planck_temperature(lam, B)")


# ---------------------------------------------------------------- num_batches

NUM = [(10, 5, False), (7, 10, False), (0, 4, False), (1, 1, False), (1000, 32, True), (7, 10, True)]


@pytest.mark.exercise("num_batches")
@pytest.mark.points(0.125)
@pytest.mark.parametrize("n,batch_size,drop_last", NUM, ids=[f"{n}-{bs}{'-drop' if d else ''}" for n, bs, d in NUM])
def test_num_batches(student, tolerance, n, batch_size, drop_last):
    """As many minibatches as a DataLoader over n examples yields."""
    expected = len(torch.utils.data.DataLoader(range(n), batch_size, drop_last=drop_last))
    got = student.num_batches(n, batch_size, drop_last=drop_last)
    assert_close(got, expected, tolerance("exact"), name=f"num_batches({n}, {batch_size}, drop_last={drop_last})")


LAST = [(10, 5), (7, 10), (0, 4), (33, 32)]


@pytest.mark.exercise("num_batches")
@pytest.mark.points(0.1875)
@pytest.mark.parametrize("n,batch_size", LAST, ids=[f"{n}-{bs}" for n, bs in LAST])
def test_last_batch_size(student, tolerance, n, batch_size):
    """The size of the last minibatch a DataLoader yields (0 for no examples)."""
    batches = list(torch.utils.data.DataLoader(range(n), batch_size))
    expected = len(batches[-1]) if batches else 0
    assert_close(student.last_batch_size(n, batch_size), expected, tolerance("exact"),
                 name=f"last_batch_size({n}, {batch_size})")


# ---------------------------------------------------------------- abs_loss and huber_loss


def outlier_data():
    g = generator("outlier")
    y_hat = torch.randn(10, 1, generator=g)
    y = y_hat + 0.3 * torch.randn(10, 1, generator=g)
    y[4] = 10000.0   # the book's y5 = 10000
    return y_hat, y


# Expected values come from torch.nn.functional (l1_loss, huber_loss), an implementation
# independent of the reference module (which would import d2l into the grader).
def l1(y_hat, y):
    return torch.nn.functional.l1_loss(y_hat, y.reshape(y_hat.shape))


def huber(y_hat, y, delta=1.0):
    return torch.nn.functional.huber_loss(y_hat, y.reshape(y_hat.shape), delta=delta)


def expected_grad(fn, y_hat, y):
    y_hat = y_hat.clone().requires_grad_(True)
    fn(y_hat, y).backward()
    return y_hat.grad


def residual_pair(key, n=12, flat=False):
    g = generator("robust", key)
    y_hat = 2 * torch.randn(n, 1, generator=g)
    y = y_hat + 1.5 * torch.randn(n, 1, generator=g)   # residuals on both sides of delta = 1
    return y_hat, (y.reshape(-1) if flat else y)


@pytest.mark.exercise("abs_loss")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("flat", [False, True], ids=["column", "y-flat"])
def test_abs_loss(student, tolerance, flat):
    """Mean |y_hat - y|, with y of shape (n, 1) or (n,)."""
    y_hat, y = residual_pair(("abs", flat), flat=flat)
    assert_close(student.abs_loss(y_hat, y), float(l1(y_hat, y)), tolerance("float32"),
                 name="abs_loss(y_hat, y)")


@pytest.mark.exercise("abs_loss")
@pytest.mark.points(0.5)
def test_abs_loss_gradient_with_outlier(student, tolerance):
    """With y5 = 10000 every gradient entry is ±1/n: the outlier does not dominate."""
    y_hat, y = outlier_data()
    got = student.run(LOSS_GRAD, y_hat0=y_hat, y=y, loss=student.value("abs_loss"),
                      label="abs_loss(y_hat, y).backward()")
    assert_close(got, expected_grad(l1, y_hat, y), tolerance("float32"),
                 name="the gradient of abs_loss with respect to y_hat")


@pytest.mark.exercise("huber_loss")
@pytest.mark.points(0.5)
def test_huber_loss(student, tolerance):
    """Mean Huber loss with delta = 1 on residuals both below and above delta."""
    y_hat, y = residual_pair("huber")
    assert_close(student.huber_loss(y_hat, y), float(huber(y_hat, y)), tolerance("float32"),
                 name="huber_loss(y_hat, y)")


@pytest.mark.exercise("huber_loss")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("delta", [0.5, 2.0])
def test_huber_loss_delta(student, tolerance, delta):
    """Other deltas agree with torch.nn.functional.huber_loss."""
    y_hat, y = residual_pair(("huber", delta))
    assert_close(student.huber_loss(y_hat, y, delta=delta), float(huber(y_hat, y, delta)), tolerance("float32"),
                 name=f"huber_loss(y_hat, y, delta={delta})")


@pytest.mark.exercise("huber_loss")
@pytest.mark.points(0.25)
def test_huber_loss_at_delta(student, tolerance):
    """Residuals of exactly ±delta, where the two branches meet."""
    y_hat = torch.tensor([[1.0], [-1.0], [0.0], [3.0]])
    y = torch.zeros(4, 1)
    assert_close(student.huber_loss(y_hat, y), float(huber(y_hat, y)), tolerance("float32"),
                 name="huber_loss(y_hat, y) at residuals ±1, 0, 3")


@pytest.mark.exercise("huber_loss")
@pytest.mark.points(0.25)
def test_huber_loss_flat_targets(student, tolerance):
    """y of shape (n,) is reshaped to y_hat's (n, 1)."""
    y_hat, y = residual_pair("huber-flat", flat=True)
    assert_close(student.huber_loss(y_hat, y), float(huber(y_hat, y)), tolerance("float32"),
                 name="huber_loss(y_hat, y) with y of shape (n,)")


@pytest.mark.exercise("huber_loss")
@pytest.mark.points(0.5)
def test_huber_loss_gradient_with_outlier(student, tolerance):
    """With y5 = 10000 the outlier's gradient is capped at delta / n = 0.1."""
    y_hat, y = outlier_data()
    got = student.run(LOSS_GRAD, y_hat0=y_hat, y=y, loss=student.value("huber_loss"),
                      label="huber_loss(y_hat, y).backward()")
    assert_close(got, expected_grad(huber, y_hat, y), tolerance("float32"),
                 name="the gradient of huber_loss with respect to y_hat")
