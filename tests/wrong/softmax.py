"""Wrong versions of 4.4 softmax and cross_entropy that real students could write."""
import torch
from d2l import torch as d2l

from reference.softmax import SoftmaxRegressionScratch, softmax
from tests.wrong import mistake


def softmax_naive(X):
    X_exp = torch.exp(X)
    return X_exp / X_exp.sum(1, keepdims=True)


def softmax_wrong_axis(X):
    X_exp = torch.exp(X - X.max(dim=0, keepdim=True).values)
    return X_exp / X_exp.sum(0, keepdims=True)


def softmax_no_keepdims(X):
    X_exp = torch.exp(X - X.max())
    return X_exp / X_exp.sum()


def cross_entropy_sum(y_hat, y):
    return -torch.log(y_hat[list(range(len(y_hat))), y]).sum()


def cross_entropy_wrong_index(y_hat, y):
    return -torch.log(y_hat[:, y]).mean()


MISTAKES = [
    mistake("softmax_naive", "softmax", {"softmax": softmax_naive}, {
        "hidden/test_softmax::test_softmax_is_stable_for_large_inputs[hundred]",
        "hidden/test_softmax::test_softmax_is_stable_for_large_inputs[thousand]",
    }, message="NaN or inf"),
    mistake("softmax_wrong_axis", "softmax", {"softmax": softmax_wrong_axis}, {
        "public/test_softmax::test_softmax_rows_sum_to_one",
        "hidden/test_softmax::test_softmax_rows_sum_to_one[wide]",
        "hidden/test_softmax::test_softmax_rows_sum_to_one[tall]",
        "hidden/test_softmax::test_softmax_matches_reference[3x4-float32]",
        "hidden/test_softmax::test_softmax_matches_reference[3x4-float64]",
        "hidden/test_softmax::test_softmax_matches_reference[one-row-float32]",
        "hidden/test_softmax::test_softmax_matches_reference[one-row-float64]",
        "hidden/test_softmax::test_softmax_is_stable_for_large_inputs[hundred]",
        "hidden/test_softmax::test_softmax_is_stable_for_large_inputs[thousand]",
    }, message="row sums"),
    mistake("softmax_no_keepdims", "softmax", {"softmax": softmax_no_keepdims}, {
        "public/test_softmax::test_softmax_rows_sum_to_one",
        "hidden/test_softmax::test_softmax_rows_sum_to_one[wide]",
        "hidden/test_softmax::test_softmax_rows_sum_to_one[tall]",
        "hidden/test_softmax::test_softmax_matches_reference[3x4-float32]",
        "hidden/test_softmax::test_softmax_matches_reference[3x4-float64]",
        "hidden/test_softmax::test_softmax_is_stable_for_large_inputs[hundred]",
        "hidden/test_softmax::test_softmax_is_stable_for_large_inputs[thousand]",
    }, message="row sums"),
    mistake("cross_entropy_sum", "cross_entropy", {"cross_entropy": cross_entropy_sum}, {
        "public/test_softmax::test_cross_entropy_book_example",
        "hidden/test_softmax::test_cross_entropy_matches_reference[batch]",
    },
            message="expected"),
    mistake("cross_entropy_wrong_index", "cross_entropy", {"cross_entropy": cross_entropy_wrong_index},
            {
        "public/test_softmax::test_cross_entropy_book_example",
        "hidden/test_softmax::test_cross_entropy_matches_reference[batch]",
    }, message="expected"),
]


def cross_entropy_missing_minus(y_hat, y):
    return torch.log(y_hat[list(range(len(y_hat))), y]).mean()


MISTAKES += [
    mistake("cross_entropy_missing_minus", "cross_entropy", {"cross_entropy": cross_entropy_missing_minus}, {
        "public/test_softmax::test_cross_entropy_book_example",
        "hidden/test_softmax::test_cross_entropy_matches_reference[batch]",
        "hidden/test_softmax::test_cross_entropy_matches_reference[one-example]",
    }, message="expected 1.49787"),
]


def cross_entropy_onehot_naive(y_hat, Y):
    return -(Y * torch.log(y_hat)).sum(dim=1).mean()


def cross_entropy_onehot_total(y_hat, Y):
    return -torch.xlogy(Y, y_hat).sum()


def cross_entropy_onehot_wrong_axis(y_hat, Y):
    return -torch.xlogy(Y, y_hat).sum(dim=0).mean()


def cross_entropy_onehot_argmax(y_hat, Y):
    y = Y.argmax(dim=1)
    return -torch.log(y_hat[list(range(len(y_hat))), y]).mean()


class SoftmaxRegressionTransposed(SoftmaxRegressionScratch):
    """W stored as num_outputs x num_inputs, used transposed."""
    def __init__(self, num_inputs, num_outputs, lr, sigma=0.01):
        d2l.Classifier.__init__(self)
        self.save_hyperparameters()
        self.W = torch.normal(0, sigma, size=(num_outputs, num_inputs), requires_grad=True)
        self.b = torch.zeros(num_outputs, requires_grad=True)

    def forward(self, X):
        X = X.reshape((-1, self.W.shape[1]))
        return softmax(torch.matmul(X, self.W.T) + self.b)


class SoftmaxRegressionNoReshape(SoftmaxRegressionScratch):
    def forward(self, X):
        return softmax(torch.matmul(X, self.W) + self.b)


class SoftmaxRegressionFixedSigma(SoftmaxRegressionScratch):
    def __init__(self, num_inputs, num_outputs, lr, sigma=0.01):
        d2l.Classifier.__init__(self)
        self.save_hyperparameters()
        self.W = torch.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True)
        self.b = torch.zeros(num_outputs, requires_grad=True)


class SoftmaxRegressionNoParameters(SoftmaxRegressionScratch):
    """Forgets to override parameters(): nn.Module finds no parameters in plain tensors."""
    def parameters(self, recurse=True):
        return d2l.Classifier.parameters(self, recurse)


class SoftmaxRegressionLogits(SoftmaxRegressionScratch):
    def forward(self, X):
        X = X.reshape((-1, self.W.shape[0]))
        return torch.matmul(X, self.W) + self.b


class SoftmaxRegressionSummedLoss(SoftmaxRegressionScratch):
    def loss(self, y_hat, y):
        return -torch.log(y_hat[list(range(len(y_hat))), y]).sum()


class SoftmaxRegressionWNoGrad(SoftmaxRegressionScratch):
    """W created without requires_grad=True: only b is ever updated."""
    def __init__(self, num_inputs, num_outputs, lr, sigma=0.01):
        d2l.Classifier.__init__(self)
        self.save_hyperparameters()
        self.W = torch.normal(0, sigma, size=(num_inputs, num_outputs))
        self.b = torch.zeros(num_outputs, requires_grad=True)


class SoftmaxRegressionFixedLr(SoftmaxRegressionScratch):
    """configure_optimizers hard-codes the learning rate instead of using self.lr."""
    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


MISTAKES += [
    mistake("cross_entropy_onehot_naive", "cross_entropy_onehot", {"cross_entropy_onehot": cross_entropy_onehot_naive},
            {
        "hidden/test_softmax::test_cross_entropy_onehot_zero_probabilities",
    }, message="0 * log(0)"),
    mistake("cross_entropy_onehot_total", "cross_entropy_onehot", {"cross_entropy_onehot": cross_entropy_onehot_total},
            {
        "hidden/test_softmax::test_cross_entropy_onehot_agrees_with_cross_entropy",
        "hidden/test_softmax::test_cross_entropy_onehot_soft_labels",
        "hidden/test_softmax::test_cross_entropy_onehot_zero_probabilities",
        "public/test_softmax::test_cross_entropy_onehot_book_example",
    }),
    mistake("cross_entropy_onehot_wrong_axis", "cross_entropy_onehot",
            {"cross_entropy_onehot": cross_entropy_onehot_wrong_axis}, {
        "hidden/test_softmax::test_cross_entropy_onehot_agrees_with_cross_entropy",
        "hidden/test_softmax::test_cross_entropy_onehot_one_example",
        "hidden/test_softmax::test_cross_entropy_onehot_soft_labels",
        "hidden/test_softmax::test_cross_entropy_onehot_zero_probabilities",
        "public/test_softmax::test_cross_entropy_onehot_book_example",
    }),
    mistake("cross_entropy_onehot_argmax", "cross_entropy_onehot",
            {"cross_entropy_onehot": cross_entropy_onehot_argmax}, {
        "hidden/test_softmax::test_cross_entropy_onehot_soft_labels",
    }),
    mistake("softmax_regression_transposed", "softmax_regression_scratch",
            {"SoftmaxRegressionScratch": SoftmaxRegressionTransposed}, {
        "hidden/test_softmax::test_softmax_regression_forward",
        "hidden/test_softmax::test_softmax_regression_gradients",
        "hidden/test_softmax::test_softmax_regression_initialisation",
        "hidden/test_softmax::test_softmax_regression_parameter_shapes[book]",
        "hidden/test_softmax::test_softmax_regression_parameter_shapes[small]",
    }),
    mistake("softmax_regression_no_reshape", "softmax_regression_scratch",
            {"SoftmaxRegressionScratch": SoftmaxRegressionNoReshape}, {
        "hidden/test_softmax::test_softmax_regression_forward",
        "public/test_softmax::test_softmax_regression_output",
    }),
    mistake("softmax_regression_fixed_sigma", "softmax_regression_scratch",
            {"SoftmaxRegressionScratch": SoftmaxRegressionFixedSigma}, {
        "hidden/test_softmax::test_softmax_regression_initialisation",
    }, message="standard deviation"),
    mistake("softmax_regression_no_parameters", "softmax_regression_scratch",
            {"SoftmaxRegressionScratch": SoftmaxRegressionNoParameters}, {
        "hidden/test_softmax::test_softmax_regression_parameters",
    }, message="override parameters()"),
    mistake("softmax_regression_logits", "softmax_regression_scratch",
            {"SoftmaxRegressionScratch": SoftmaxRegressionLogits}, {
        "hidden/test_softmax::test_softmax_regression_forward",
        "hidden/test_softmax::test_softmax_regression_gradients",
        "public/test_softmax::test_softmax_regression_output",
    }),
    mistake("softmax_regression_summed_loss", "softmax_regression_scratch",
            {"SoftmaxRegressionScratch": SoftmaxRegressionSummedLoss}, {
        "hidden/test_softmax::test_softmax_regression_gradients",
        "hidden/test_softmax::test_softmax_regression_loss",
    }),
    mistake("softmax_regression_W_without_grad", "softmax_regression_scratch",
            {"SoftmaxRegressionScratch": SoftmaxRegressionWNoGrad}, {
        "hidden/test_softmax::test_softmax_regression_gradients",
        "hidden/test_softmax::test_softmax_regression_parameters",
    }, message="requires_grad=True"),
    mistake("training_W_without_grad", "softmax_training",
            {"SoftmaxRegressionScratch": SoftmaxRegressionWNoGrad}, {
        "hidden/test_softmax::test_training_reaches_accuracy_floor",
        "public/test_softmax::test_two_epochs_lower_the_loss",
    }, message="validation accuracy"),
    mistake("training_no_parameters", "softmax_training",
            {"SoftmaxRegressionScratch": SoftmaxRegressionNoParameters}, {
        "hidden/test_softmax::test_training_reaches_accuracy_floor",
        "public/test_softmax::test_two_epochs_lower_the_loss",
    }, message="empty parameter list"),
    mistake("hyperparameters_W_without_grad", "softmax_hyperparameters",
            {"SoftmaxRegressionScratch": SoftmaxRegressionWNoGrad}, {
        "hidden/test_softmax::test_smaller_minibatches_lower_the_loss",
        "hidden/test_softmax::test_validation_loss_falls_with_learning_rate",
        "public/test_softmax::test_larger_learning_rate_lowers_the_loss",
    }),
    mistake("hyperparameters_fixed_lr", "softmax_hyperparameters",
            {"SoftmaxRegressionScratch": SoftmaxRegressionFixedLr}, {
        "hidden/test_softmax::test_validation_loss_falls_with_learning_rate",
        "public/test_softmax::test_larger_learning_rate_lowers_the_loss",
    }, message="self.lr"),
]
