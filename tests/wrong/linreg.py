"""Wrong versions of the 3.4 exercises that real students could write."""
import math

import torch
from d2l import torch as d2l

from reference.linreg import SGD, LinearRegressionScratch, Trainer
from tests.wrong import mistake


# ---------------------------------------------------------------- LinearRegressionScratch

class LRNoGrad(LinearRegressionScratch):
    def __init__(self, num_inputs, lr, sigma=0.01):
        super().__init__(num_inputs, lr, sigma)
        self.w = torch.normal(0, sigma, (num_inputs, 1))


class LRNonLeaf(LinearRegressionScratch):
    """requires_grad set before scaling: w is not a leaf and never gets a .grad."""

    def __init__(self, num_inputs, lr, sigma=0.01):
        super().__init__(num_inputs, lr, sigma)
        self.w = torch.randn(num_inputs, 1, requires_grad=True) * sigma


class LRSigmaIgnored(LinearRegressionScratch):
    def __init__(self, num_inputs, lr, sigma=0.01):
        super().__init__(num_inputs, lr, sigma)
        self.w = torch.normal(0, 0.01, (num_inputs, 1), requires_grad=True)


class LRUniform(LinearRegressionScratch):
    def __init__(self, num_inputs, lr, sigma=0.01):
        super().__init__(num_inputs, lr, sigma)
        self.w = (torch.rand(num_inputs, 1) * sigma).requires_grad_(True)


class LRMatrixBias(LinearRegressionScratch):
    def __init__(self, num_inputs, lr, sigma=0.01):
        super().__init__(num_inputs, lr, sigma)
        self.b = torch.zeros(1, 1, requires_grad=True)


class LRForwardNoBias(LinearRegressionScratch):
    def forward(self, X):
        return torch.matmul(X, self.w)


class LRForwardFlat(LinearRegressionScratch):
    def forward(self, X):
        return (X * self.w.T).sum(1) + self.b


class LRLossSum(LinearRegressionScratch):
    def loss(self, y_hat, y):
        return ((y_hat - y.reshape(y_hat.shape)) ** 2 / 2).sum()


class LRLossNoHalf(LinearRegressionScratch):
    def loss(self, y_hat, y):
        return ((y_hat - y.reshape(y_hat.shape)) ** 2).mean()


class LRBookLoss(LinearRegressionScratch):
    """The 1.0 book's loss, without the reshape that exercise 5 asks about."""

    def loss(self, y_hat, y):
        l = (y_hat - y) ** 2 / 2
        return l.mean()


class LRFixedLr(LinearRegressionScratch):
    def configure_optimizers(self):
        return SGD([self.w, self.b], 0.03)


# ---------------------------------------------------------------- SGD

class SGDRebinds(SGD):
    def step(self):
        for param in self.params:
            param = param - self.lr * param.grad


class SGDAscends(SGD):
    def step(self):
        for param in self.params:
            param += self.lr * param.grad


class SGDZeroGradNoop(SGD):
    def zero_grad(self):
        pass


class SGDZeroGradNoNoneCheck(SGD):
    def zero_grad(self):
        for param in self.params:
            param.grad.zero_()


class SGDDisablesGrad(SGD):
    """Works around the in-place error by switching requires_grad off for good."""

    def step(self):
        for param in self.params:
            param.requires_grad_(False)
            param -= self.lr * param.grad


# ---------------------------------------------------------------- Trainer.fit_epoch

class TrainerNoZeroGrad(Trainer):
    def fit_epoch(self):
        self.model.train()
        for batch in self.train_dataloader:
            loss = self.model.training_step(self.prepare_batch(batch))
            with torch.no_grad():
                loss.backward()
                self.optim.step()
            self.train_batch_idx += 1
        if self.val_dataloader is None:
            return
        self.model.eval()
        for batch in self.val_dataloader:
            with torch.no_grad():
                self.model.validation_step(self.prepare_batch(batch))
            self.val_batch_idx += 1


class TrainerStepOutsideNoGrad(Trainer):
    """S1's dump: the optimiser step outside the no_grad block."""

    def fit_epoch(self):
        self.model.train()
        for batch in self.train_dataloader:
            loss = self.model.training_step(self.prepare_batch(batch))
            self.optim.zero_grad()
            loss.backward()
            self.optim.step()
            self.train_batch_idx += 1
        if self.val_dataloader is None:
            return
        self.model.eval()
        for batch in self.val_dataloader:
            with torch.no_grad():
                self.model.validation_step(self.prepare_batch(batch))
            self.val_batch_idx += 1


class TrainerNoBatchCount(Trainer):
    def fit_epoch(self):
        self.model.train()
        for batch in self.train_dataloader:
            loss = self.model.training_step(self.prepare_batch(batch))
            self.optim.zero_grad()
            with torch.no_grad():
                loss.backward()
                self.optim.step()
        if self.val_dataloader is None:
            return
        self.model.eval()
        for batch in self.val_dataloader:
            with torch.no_grad():
                self.model.validation_step(self.prepare_batch(batch))
            self.val_batch_idx += 1


class TrainerValidationWithGrad(Trainer):
    def fit_epoch(self):
        self.model.train()
        for batch in self.train_dataloader:
            loss = self.model.training_step(self.prepare_batch(batch))
            self.optim.zero_grad()
            with torch.no_grad():
                loss.backward()
                self.optim.step()
            self.train_batch_idx += 1
        if self.val_dataloader is None:
            return
        self.model.eval()
        for batch in self.val_dataloader:
            self.model.validation_step(self.prepare_batch(batch))
            self.val_batch_idx += 1


class TrainerNoNoneCheck(Trainer):
    def fit_epoch(self):
        self.model.train()
        for batch in self.train_dataloader:
            loss = self.model.training_step(self.prepare_batch(batch))
            self.optim.zero_grad()
            with torch.no_grad():
                loss.backward()
                self.optim.step()
            self.train_batch_idx += 1
        self.model.eval()
        for batch in self.val_dataloader:
            with torch.no_grad():
                self.model.validation_step(self.prepare_batch(batch))
            self.val_batch_idx += 1


class TrainerZeroGradAfterBackward(Trainer):
    def fit_epoch(self):
        self.model.train()
        for batch in self.train_dataloader:
            loss = self.model.training_step(self.prepare_batch(batch))
            with torch.no_grad():
                loss.backward()
                self.optim.zero_grad()
                self.optim.step()
            self.train_batch_idx += 1
        if self.val_dataloader is None:
            return
        self.model.eval()
        for batch in self.val_dataloader:
            with torch.no_grad():
                self.model.validation_step(self.prepare_batch(batch))
            self.val_batch_idx += 1


class TrainerTrainsOnValidation(Trainer):
    def fit_epoch(self):
        self.model.train()
        batches = list(self.train_dataloader) + list(self.val_dataloader or [])
        for batch in batches:
            loss = self.model.training_step(self.prepare_batch(batch))
            self.optim.zero_grad()
            with torch.no_grad():
                loss.backward()
                self.optim.step()
            self.train_batch_idx += 1
        if self.val_dataloader is None:
            return
        self.model.eval()
        for batch in self.val_dataloader:
            with torch.no_grad():
                self.model.validation_step(self.prepare_batch(batch))
            self.val_batch_idx += 1


class TrainerStub(d2l.HyperParameters):
    """The book's 3.2 Trainer re-typed (as S1-S4 did), with d2l.Trainer left unpatched."""

    def __init__(self, max_epochs, num_gpus=0, gradient_clip_val=0):
        self.save_hyperparameters()
        assert num_gpus == 0, 'No GPU support yet'

    def prepare_data(self, data):
        self.train_dataloader = data.train_dataloader()
        self.val_dataloader = data.val_dataloader()
        self.num_train_batches = len(self.train_dataloader)
        self.num_val_batches = (len(self.val_dataloader) if self.val_dataloader is not None else 0)

    def prepare_model(self, model):
        model.trainer = self
        model.board.xlim = [0, self.max_epochs]
        self.model = model

    def fit(self, model, data):
        self.prepare_data(data)
        self.prepare_model(model)
        self.optim = model.configure_optimizers()
        self.epoch = 0
        self.train_batch_idx = 0
        self.val_batch_idx = 0
        for self.epoch in range(self.max_epochs):
            self.fit_epoch()

    def fit_epoch(self):
        raise NotImplementedError


# ---------------------------------------------------------------- fit_ohm, fit_planck_temperature

def fit_ohm_conductance(V, I):
    G = torch.zeros(1, dtype=torch.float64, requires_grad=True)   # fits I = G V instead
    V, I = V.double(), I.double()
    for _ in range(500):
        loss = ((G * V - I) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            G -= 0.25 / (V ** 2).mean() * G.grad
            G.grad.zero_()
    return G.item()


def fit_ohm_few_steps(V, I):
    R = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    for _ in range(100):
        loss = ((R * I.double() - V.double()) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            R -= 0.01 * R.grad
            R.grad.zero_()
    return R.item()


def fit_ohm_with_offset(V, I):
    """Fits V = R I + c; Ohm's law has no offset."""
    R = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    c = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([R, c], max_iter=200, line_search_fn="strong_wolfe")
    V, I = V.double(), I.double()

    def closure():
        opt.zero_grad()
        loss = ((R * I + c - V) ** 2).mean()
        loss.backward()
        return loss
    opt.step(closure)
    return R.item()


def _planck_fit(lam, B, log_model):
    lam, B = lam.double(), B.double()
    log_T = torch.tensor(math.log(5000.0), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([log_T], max_iter=200, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = ((log_model(lam, torch.exp(log_T)) - torch.log(B)) ** 2).mean()
        loss.backward()
        return loss
    opt.step(closure)
    return torch.exp(log_T).item()


H, C, K = 6.62607015e-34, 2.99792458e8, 1.380649e-23


def planck_wien(lam, B):
    return _planck_fit(lam, B, lambda l, T: math.log(2 * H * C ** 2) - 5 * torch.log(l) - H * C / (l * K * T))


def planck_plain_gd(lam, B):
    """Gradient descent on T in linear space with a guessed learning rate."""
    T = torch.tensor(5000.0, dtype=torch.float64, requires_grad=True)
    lam, B = lam.double(), B.double()
    for _ in range(200):
        model = 2 * H * C ** 2 / lam ** 5 / torch.expm1(H * C / (lam * K * T))
        loss = ((model - B) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            T -= 1e-3 * T.grad
            T.grad.zero_()
    return T.item()


# ---------------------------------------------------------------- num_batches, losses

def num_batches_plus_one(n, batch_size, drop_last=False):
    return n // batch_size + 1


def num_batches_ignores_drop_last(n, batch_size, drop_last=False):
    return math.ceil(n / batch_size)


def num_batches_rounds(n, batch_size, drop_last=False):
    return round(n / batch_size)


def last_batch_modulo(n, batch_size):
    return n % batch_size


def num_batches_floor(n, batch_size, drop_last=False):
    return n // batch_size


def last_batch_floor(n, batch_size):
    return n - (n // batch_size - 1) * batch_size


def last_batch_no_empty_case(n, batch_size):
    return n - (math.ceil(n / batch_size) - 1) * batch_size


def last_batch_full_unless_small(n, batch_size):
    return min(n, batch_size)


def abs_loss_sum(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)).abs().sum()


def abs_loss_no_reshape(y_hat, y):
    return (y_hat - y).abs().mean()


def huber_no_half(y_hat, y, delta=1.0):
    r = (y_hat - y.reshape(y_hat.shape)).abs()
    return torch.where(r <= delta, r ** 2, delta * (r - delta / 2)).mean()


def huber_linear_no_offset(y_hat, y, delta=1.0):
    r = (y_hat - y.reshape(y_hat.shape)).abs()
    return torch.where(r <= delta, r ** 2 / 2, delta * r).mean()


def huber_ignores_delta(y_hat, y, delta=1.0):
    r = (y_hat - y.reshape(y_hat.shape)).abs()
    return torch.where(r <= 1.0, r ** 2 / 2, r - 0.5).mean()


def huber_no_reshape(y_hat, y, delta=1.0):
    r = (y_hat - y).abs()
    return torch.where(r <= delta, r ** 2 / 2, delta * (r - delta / 2)).mean()


MISTAKES = [
    mistake("lr_no_grad", "linear_regression_scratch", {"LinearRegressionScratch": LRNoGrad}, {
        "public/test_linreg::test_linear_regression_scratch_parameters",
        "hidden/test_linreg::test_parameters[2]",
        "hidden/test_linreg::test_parameters[5]",
        "hidden/test_linreg::test_configure_optimizers_steps_w_and_b",
    }, message="create it with requires_grad=True"),
    mistake("lr_non_leaf_weights", "linear_regression_scratch", {"LinearRegressionScratch": LRNonLeaf}, {
        "hidden/test_linreg::test_configure_optimizers_steps_w_and_b",
    }, message="raised TypeError"),
    mistake("lr_sigma_ignored", "linear_regression_scratch", {"LinearRegressionScratch": LRSigmaIgnored}, {
        "hidden/test_linreg::test_weights_drawn_from_normal[sigma-0.5]",
    }, message="have standard deviation 0.00999; expected 0.5"),
    mistake("lr_uniform_init", "linear_regression_scratch", {"LinearRegressionScratch": LRUniform}, {
        "hidden/test_linreg::test_weights_drawn_from_normal[default-sigma]",
        "hidden/test_linreg::test_weights_drawn_from_normal[sigma-0.5]",
    }, message="draw them from a normal with mean 0"),
    mistake("lr_matrix_bias", "linear_regression_scratch", {"LinearRegressionScratch": LRMatrixBias}, {
        "public/test_linreg::test_linear_regression_scratch_parameters",
        "hidden/test_linreg::test_parameters[2]",
        "hidden/test_linreg::test_parameters[5]",
        "hidden/test_linreg::test_configure_optimizers_steps_w_and_b",
    }, message="model.b has shape (1, 1); expected shape (1,)"),
    mistake("lr_forward_no_bias", "linear_regression_scratch", {"LinearRegressionScratch": LRForwardNoBias}, {
        "hidden/test_linreg::test_forward[batch]",
        "hidden/test_linreg::test_forward[one-example]",
    }, message="model(X) differs"),
    mistake("lr_forward_flat", "linear_regression_scratch", {"LinearRegressionScratch": LRForwardFlat}, {
        "hidden/test_linreg::test_forward[batch]",
        "hidden/test_linreg::test_forward[one-example]",
    }, message="model(X) has shape (4,); expected shape (4, 1)"),
    mistake("lr_loss_sum", "linear_regression_scratch", {"LinearRegressionScratch": LRLossSum}, {
        "hidden/test_linreg::test_loss[batch]",
    }, message="model.loss(y_hat, y) is 15.5708"),
    mistake("lr_loss_no_half", "linear_regression_scratch", {"LinearRegressionScratch": LRLossNoHalf}, {
        "hidden/test_linreg::test_loss[batch]",
        "hidden/test_linreg::test_loss[one-example]",
    }, message="model.loss(y_hat, y) is 3.8927"),
    mistake("lr_fixed_lr", "linear_regression_scratch", {"LinearRegressionScratch": LRFixedLr}, {
        "hidden/test_linreg::test_configure_optimizers_steps_w_and_b",
    }, message="model.w after one optimiser step differs"),
    mistake("sgd_rebinds", "sgd", {"SGD": SGDRebinds}, {
        "public/test_linreg::test_sgd_one_step",
        "hidden/test_linreg::test_sgd_step_inside_no_grad[lr0.1]",
        "hidden/test_linreg::test_sgd_step_inside_no_grad[lr0.5-one-weight]",
        "hidden/test_linreg::test_sgd_two_steps_with_zero_grad",
        "hidden/test_linreg::test_sgd_step_outside_no_grad",
    }, message="w after SGD.step() differs"),
    mistake("sgd_ascends", "sgd", {"SGD": SGDAscends}, {
        "public/test_linreg::test_sgd_one_step",
        "hidden/test_linreg::test_sgd_step_inside_no_grad[lr0.1]",
        "hidden/test_linreg::test_sgd_step_inside_no_grad[lr0.5-one-weight]",
        "hidden/test_linreg::test_sgd_two_steps_with_zero_grad",
    }, message="w after two SGD steps differs"),
    mistake("sgd_zero_grad_noop", "sgd", {"SGD": SGDZeroGradNoop}, {
        "hidden/test_linreg::test_sgd_two_steps_with_zero_grad",
        "hidden/test_linreg::test_sgd_zero_grad_clears_gradients",
    }, message="the gradients keep accumulating"),
    mistake("sgd_zero_grad_no_none_check", "sgd", {"SGD": SGDZeroGradNoNoneCheck}, {
        "hidden/test_linreg::test_sgd_two_steps_with_zero_grad",
        "hidden/test_linreg::test_sgd_zero_grad_before_any_backward",
    }, message="'NoneType' object has no attribute 'zero_'"),
    mistake("sgd_disables_grad", "sgd", {"SGD": SGDDisablesGrad}, {
        "hidden/test_linreg::test_sgd_two_steps_with_zero_grad",
        "hidden/test_linreg::test_sgd_step_outside_no_grad",
    }, message="no longer require grad"),
    mistake("fit_epoch_not_written", "fit_epoch", {"Trainer": d2l.Trainer}, {
        "public/test_linreg::test_fit_epoch_one_step",
        "hidden/test_linreg::test_fit_epoch_matches_sgd_updates",
        "hidden/test_linreg::test_fit_epoch_counts_batches",
        "hidden/test_linreg::test_fit_epoch_validates_without_gradients",
        "hidden/test_linreg::test_fit_epoch_without_validation_data",
    }, message="does not define fit_epoch"),
    mistake("fit_epoch_stub", "fit_epoch", {"Trainer": TrainerStub}, {
        "public/test_linreg::test_fit_epoch_one_step",
        "hidden/test_linreg::test_fit_epoch_matches_sgd_updates",
        "hidden/test_linreg::test_fit_epoch_counts_batches",
        "hidden/test_linreg::test_fit_epoch_validates_without_gradients",
        "hidden/test_linreg::test_fit_epoch_without_validation_data",
    }, message="raised NotImplementedError"),
    mistake("fit_epoch_no_zero_grad", "fit_epoch", {"Trainer": TrainerNoZeroGrad}, {
        "hidden/test_linreg::test_fit_epoch_matches_sgd_updates",
        "hidden/test_linreg::test_fit_epoch_without_validation_data",
    }, message="model.w after two epochs differs"),
    mistake("fit_epoch_step_outside_no_grad", "fit_epoch", {"Trainer": TrainerStepOutsideNoGrad}, {
        "public/test_linreg::test_fit_epoch_one_step",
        "hidden/test_linreg::test_fit_epoch_matches_sgd_updates",
        "hidden/test_linreg::test_fit_epoch_counts_batches",
        "hidden/test_linreg::test_fit_epoch_validates_without_gradients",
        "hidden/test_linreg::test_fit_epoch_without_validation_data",
    }, message="a leaf Variable that requires grad is being used in an in-place operation"),
    mistake("fit_epoch_no_batch_count", "fit_epoch", {"Trainer": TrainerNoBatchCount}, {
        "hidden/test_linreg::test_fit_epoch_counts_batches",
    }, message="trainer.train_batch_idx after 2 epochs of 3 batches is 0; expected 6"),
    mistake("fit_epoch_validation_with_grad", "fit_epoch", {"Trainer": TrainerValidationWithGrad}, {
        "hidden/test_linreg::test_fit_epoch_validates_without_gradients",
    }, message="wrap it in `with torch.no_grad():`"),
    mistake("fit_epoch_no_none_check", "fit_epoch", {"Trainer": TrainerNoNoneCheck}, {
        "public/test_linreg::test_fit_epoch_one_step",
        "hidden/test_linreg::test_fit_epoch_without_validation_data",
    }, message="'NoneType' object is not iterable"),
    mistake("fit_epoch_zero_grad_after_backward", "fit_epoch", {"Trainer": TrainerZeroGradAfterBackward}, {
        "public/test_linreg::test_fit_epoch_one_step",
        "hidden/test_linreg::test_fit_epoch_matches_sgd_updates",
        "hidden/test_linreg::test_fit_epoch_without_validation_data",
    }, message="got 0, expected 1"),
    mistake("fit_epoch_trains_on_validation", "fit_epoch", {"Trainer": TrainerTrainsOnValidation}, {
        "hidden/test_linreg::test_fit_epoch_matches_sgd_updates",
        "hidden/test_linreg::test_fit_epoch_counts_batches",
    }, message="is 8; expected 6"),
    mistake("training_bias_never_used", "linreg_training", {"LinearRegressionScratch": LRForwardNoBias}, {
        "public/test_linreg::test_training_book_run",
        "hidden/test_linreg::test_training_recovers_w_and_b[1]",
        "hidden/test_linreg::test_training_recovers_w_and_b[2]",
    }, message="raised TypeError"),
    mistake("training_gradients_accumulate", "linreg_training", {"Trainer": TrainerNoZeroGrad}, {
        "public/test_linreg::test_training_book_run",
        "hidden/test_linreg::test_training_recovers_w_and_b[1]",
        "hidden/test_linreg::test_training_recovers_w_and_b[2]",
    }, message="model.w after training"),
    mistake("init_non_leaf_weights", "init_experiment", {"LinearRegressionScratch": LRNonLeaf}, {
        "public/test_linreg::test_zero_init",
        "hidden/test_linreg::test_zero_init_still_learns",
        "hidden/test_linreg::test_large_init_still_converges[4]",
    }, message="for 10 epochs"),
    mistake("fit_ohm_conductance", "fit_ohm", {"fit_ohm": fit_ohm_conductance}, {
        "public/test_linreg::test_fit_ohm_exact",
        "hidden/test_linreg::test_fit_ohm[noisy-4.7]",
        "hidden/test_linreg::test_fit_ohm[noisy-100]",
        "hidden/test_linreg::test_fit_ohm[float32]",
        "hidden/test_linreg::test_fit_ohm[one-measurement]",
    }, message="fit_ohm(V, I) is 0.2; expected 5"),
    mistake("fit_ohm_few_steps", "fit_ohm", {"fit_ohm": fit_ohm_few_steps}, {
        "public/test_linreg::test_fit_ohm_exact",
        "hidden/test_linreg::test_fit_ohm[noisy-4.7]",
        "hidden/test_linreg::test_fit_ohm[noisy-100]",
        "hidden/test_linreg::test_fit_ohm[float32]",
        "hidden/test_linreg::test_fit_ohm[one-measurement]",
        "hidden/test_linreg::test_fit_ohm[many]",
    }, message="fit_ohm(V, I) is 4.76322; expected 5"),
    mistake("fit_ohm_with_offset", "fit_ohm", {"fit_ohm": fit_ohm_with_offset}, {
        "hidden/test_linreg::test_fit_ohm[one-measurement]",
    }, message="expected 8.18617"),
    mistake("planck_wien", "fit_planck_temperature", {"fit_planck_temperature": planck_wien}, {
        "public/test_linreg::test_fit_planck_temperature_sun",
        "hidden/test_linreg::test_fit_planck_temperature[300K]",
        "hidden/test_linreg::test_fit_planck_temperature[3000K]",
        "hidden/test_linreg::test_fit_planck_temperature[sun-noisy]",
        "hidden/test_linreg::test_fit_planck_temperature[10000K-noisy]",
        "hidden/test_linreg::test_fit_planck_temperature[float32]",
    }, message="is 5878.94; expected 5778"),
    mistake("planck_plain_gd", "fit_planck_temperature", {"fit_planck_temperature": planck_plain_gd}, {
        "public/test_linreg::test_fit_planck_temperature_sun",
        "hidden/test_linreg::test_fit_planck_temperature[300K]",
        "hidden/test_linreg::test_fit_planck_temperature[3000K]",
        "hidden/test_linreg::test_fit_planck_temperature[sun-noisy]",
        "hidden/test_linreg::test_fit_planck_temperature[10000K-noisy]",
        "hidden/test_linreg::test_fit_planck_temperature[float32]",
    }, message="is nan"),
    mistake("loss_without_reshape", "loss_reshape", {"LinearRegressionScratch": LRBookLoss}, {
        "public/test_linreg::test_loss_with_flat_targets",
        "hidden/test_linreg::test_loss_reshapes_flat_targets",
    }, message="with y of shape (3,) is 2.66667; expected 1.33333"),
    mistake("lr_experiment_fixed_lr", "lr_experiment", {"LinearRegressionScratch": LRFixedLr}, {
        "public/test_linreg::test_larger_learning_rate_learns_faster",
        "hidden/test_linreg::test_larger_learning_rate_learns_faster_again",
        "hidden/test_linreg::test_too_large_learning_rate_diverges",
    }, message="does your optimiser use self.lr?"),
    mistake("lr_experiment_non_leaf_weights", "lr_experiment", {"LinearRegressionScratch": LRNonLeaf}, {
        "public/test_linreg::test_larger_learning_rate_learns_faster",
        "hidden/test_linreg::test_larger_learning_rate_learns_faster_again",
        "hidden/test_linreg::test_more_epochs_reduce_the_error",
        "hidden/test_linreg::test_too_large_learning_rate_diverges",
    }, message="raised TypeError"),
    mistake("num_batches_floor", "num_batches", {"num_batches": num_batches_floor}, {
        "public/test_linreg::test_num_batches_book_data",
        "hidden/test_linreg::test_num_batches[7-10]",
    }, message="num_batches(7, 10, drop_last=False) is 0; expected 1"),
    mistake("last_batch_floor", "num_batches", {"last_batch_size": last_batch_floor}, {
        "public/test_linreg::test_num_batches_book_data",
        "hidden/test_linreg::test_last_batch_size[7-10]",
        "hidden/test_linreg::test_last_batch_size[0-4]",
        "hidden/test_linreg::test_last_batch_size[33-32]",
    }, message="last_batch_size(7, 10) is 17; expected 7"),
    mistake("last_batch_no_empty_case", "num_batches", {"last_batch_size": last_batch_no_empty_case}, {
        "hidden/test_linreg::test_last_batch_size[0-4]",
    }, message="last_batch_size(0, 4) is 4; expected 0"),
    mistake("last_batch_full_unless_small", "num_batches", {"last_batch_size": last_batch_full_unless_small}, {
        "public/test_linreg::test_num_batches_book_data",
        "hidden/test_linreg::test_last_batch_size[33-32]",
    }, message="last_batch_size(33, 32) is 32; expected 1"),
    mistake("num_batches_plus_one", "num_batches", {"num_batches": num_batches_plus_one}, {
        "hidden/test_linreg::test_num_batches[10-5]",
        "hidden/test_linreg::test_num_batches[0-4]",
        "hidden/test_linreg::test_num_batches[1-1]",
        "hidden/test_linreg::test_num_batches[1000-32-drop]",
        "hidden/test_linreg::test_num_batches[7-10-drop]",
    }, message="num_batches(0, 4, drop_last=False) is 1; expected 0"),
    mistake("num_batches_ignores_drop_last", "num_batches", {"num_batches": num_batches_ignores_drop_last}, {
        "hidden/test_linreg::test_num_batches[1000-32-drop]",
        "hidden/test_linreg::test_num_batches[7-10-drop]",
    }, message="drop_last=True) is 32; expected 31"),
    mistake("num_batches_rounds", "num_batches", {"num_batches": num_batches_rounds}, {
        "public/test_linreg::test_num_batches_book_data",
        "hidden/test_linreg::test_num_batches[7-10-drop]",
    }, message="num_batches(1000, 32) is 31; expected 32"),
    mistake("last_batch_modulo", "num_batches", {"last_batch_size": last_batch_modulo}, {
        "hidden/test_linreg::test_last_batch_size[10-5]",
    }, message="last_batch_size(10, 5) is 0; expected 5"),
    mistake("abs_loss_sum", "abs_loss", {"abs_loss": abs_loss_sum}, {
        "public/test_linreg::test_abs_loss_small",
        "hidden/test_linreg::test_abs_loss[column]",
        "hidden/test_linreg::test_abs_loss[y-flat]",
        "hidden/test_linreg::test_abs_loss_gradient_with_outlier",
    }, message="abs_loss(y_hat, y) is 3; expected 1"),
    mistake("abs_loss_no_reshape", "abs_loss", {"abs_loss": abs_loss_no_reshape}, {
        "hidden/test_linreg::test_abs_loss[y-flat]",
    }, message="abs_loss(y_hat, y) is 1.84047"),
    mistake("huber_no_half", "huber_loss", {"huber_loss": huber_no_half}, {
        "public/test_linreg::test_huber_loss_small",
        "hidden/test_linreg::test_huber_loss",
        "hidden/test_linreg::test_huber_loss_delta[0.5]",
        "hidden/test_linreg::test_huber_loss_delta[2.0]",
        "hidden/test_linreg::test_huber_loss_at_delta",
        "hidden/test_linreg::test_huber_loss_flat_targets",
        "hidden/test_linreg::test_huber_loss_gradient_with_outlier",
    }, message="huber_loss(y_hat, y) is 1.375; expected 1.3125"),
    mistake("huber_linear_no_offset", "huber_loss", {"huber_loss": huber_linear_no_offset}, {
        "public/test_linreg::test_huber_loss_small",
        "hidden/test_linreg::test_huber_loss",
        "hidden/test_linreg::test_huber_loss_delta[0.5]",
        "hidden/test_linreg::test_huber_loss_delta[2.0]",
        "hidden/test_linreg::test_huber_loss_at_delta",
        "hidden/test_linreg::test_huber_loss_flat_targets",
    }, message="at residuals ±1, 0, 3 is 1; expected 0.875"),
    mistake("huber_ignores_delta", "huber_loss", {"huber_loss": huber_ignores_delta}, {
        "hidden/test_linreg::test_huber_loss_delta[0.5]",
        "hidden/test_linreg::test_huber_loss_delta[2.0]",
    }, message="delta=0.5) is 0.714674"),
    mistake("huber_no_reshape", "huber_loss", {"huber_loss": huber_no_reshape}, {
        "hidden/test_linreg::test_huber_loss_flat_targets",
    }, message="with y of shape (n,) is 2.26588"),
]
