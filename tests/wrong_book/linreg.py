"""Wrong versions of 3.4 Linear regression from scratch (the reference classes with one thing
changed, as a student's notebook would define them)."""
import torch
from d2l import torch as d2l

from reference.linreg import SGD, LinearRegressionScratch, Trainer
from tests.wrong_book import library_fit_epoch, mistake


class BiasWithoutGrad(LinearRegressionScratch):
    def __init__(self, num_inputs, lr, sigma=0.01):
        super().__init__(num_inputs, lr, sigma)
        self.b = torch.zeros(1)


class SigmaIgnored(LinearRegressionScratch):
    def __init__(self, num_inputs, lr, sigma=0.01):
        super().__init__(num_inputs, lr, sigma)
        self.w = torch.normal(0, 1, (num_inputs, 1), requires_grad=True)


class ForwardWithoutBias(LinearRegressionScratch):
    def forward(self, X):
        return torch.matmul(X, self.w)


class LossWithoutHalf(LinearRegressionScratch):
    def loss(self, y_hat, y):
        return ((y_hat - y) ** 2).mean()


class LossSummed(LinearRegressionScratch):
    def loss(self, y_hat, y):
        return ((y_hat - y) ** 2 / 2).sum()


class SGDSignError(SGD):
    def step(self):
        for param in self.params:
            param += self.lr * param.grad


class SGDNoZeroGrad(SGD):
    def zero_grad(self):
        pass


class WithSGD(LinearRegressionScratch):
    optimizer = SGD

    def configure_optimizers(self):
        return self.optimizer([self.w, self.b], self.lr)


class WithSGDSignError(WithSGD):
    optimizer = SGDSignError


class WithSGDNoZeroGrad(WithSGD):
    optimizer = SGDNoZeroGrad


class TrainerWithoutFitEpoch(d2l.Trainer):
    """A re-typed `class Trainer(d2l.Trainer)` that never got its own fit_epoch (3.4.4 skipped)."""
    fit_epoch = library_fit_epoch()


TrainerWithoutFitEpoch.__name__ = "Trainer"

def trained_at_the_books_rate():
    """The book's 3.4.4 run (lr 0.03, 3 epochs), seeded."""
    torch.manual_seed(0)
    model = LinearRegressionScratch(2, lr=0.03)
    model.board.display = False
    Trainer(max_epochs=3).fit(model, d2l.SyntheticRegressionData(w=torch.tensor([2, -3.4]), b=4.2))
    return model


SGD_TESTS = {"hidden/test_linreg::test_one_epoch_is_one_sgd_step",
             "hidden/test_linreg::test_gradients_are_reset_between_steps"}

MISTAKES = [
    mistake("bias_without_grad", "linear_regression_scratch", {"LinearRegressionScratch": BiasWithoutGrad},
            {"hidden/test_linreg::test_parameters", *SGD_TESTS}, message="requires_grad=True"),
    mistake("sigma_ignored", "linear_regression_scratch", {"LinearRegressionScratch": SigmaIgnored},
            {"hidden/test_linreg::test_weights_drawn_from_normal"}, message="standard deviation"),
    mistake("forward_without_bias", "linear_regression_scratch", {"LinearRegressionScratch": ForwardWithoutBias},
            {"hidden/test_linreg::test_forward", *SGD_TESTS}, message="model(X)"),
    mistake("loss_without_half", "linear_regression_scratch", {"LinearRegressionScratch": LossWithoutHalf},
            {"hidden/test_linreg::test_loss[batch]", "hidden/test_linreg::test_loss[one-example]", *SGD_TESTS},
            message="model.loss(y_hat, y)"),
    mistake("loss_summed", "linear_regression_scratch", {"LinearRegressionScratch": LossSummed},
            {"hidden/test_linreg::test_loss[batch]", *SGD_TESTS}, message="model.loss(y_hat, y)"),
    mistake("sgd_sign_error", "sgd", {"SGD": SGDSignError, "LinearRegressionScratch": WithSGDSignError},
            SGD_TESTS, message="after one SGD step"),
    mistake("sgd_without_zero_grad", "sgd", {"SGD": SGDNoZeroGrad, "LinearRegressionScratch": WithSGDNoZeroGrad},
            {"hidden/test_linreg::test_gradients_are_reset_between_steps"}, message="two SGD steps"),
    mistake("fit_epoch_not_written", "sgd", {"Trainer": TrainerWithoutFitEpoch},
            {"hidden/test_linreg::test_fit_epoch_is_the_notebooks", *SGD_TESTS}, message="fit_epoch"),
    # trainer.fit never ran: the section ends with a fresh model.
    mistake("model_not_trained", "linreg_training", {"model": LinearRegressionScratch(2, lr=0.03)}, {
        "hidden/test_linreg::test_trained_model_fits_the_line",
        "hidden/test_linreg::test_other_learning_rate_tried",
    }, message="true line"),
    # The learning-rate exercise not done: the book's model (lr 0.03) is the last one.
    mistake("only_the_books_learning_rate", "learning_rate_sweep", {"model": trained_at_the_books_rate()},
            {"hidden/test_linreg::test_other_learning_rate_tried"}, message="lr = 0.03"),
]
