"""Wrong versions of 4.4 Softmax regression from scratch. The book's own naive softmax is one
of them: it loses only the optional stability exercise."""
import torch

from reference.softmax import SoftmaxRegressionScratch, cross_entropy
from tests.wrong_book import mistake


def softmax_naive(X):   # the book's code, exactly
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdims=True)
    return X_exp / partition


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


class SigmaIgnored(SoftmaxRegressionScratch):
    def __init__(self, num_inputs, num_outputs, lr, sigma=0.01):
        super().__init__(num_inputs, num_outputs, lr, sigma)
        self.W = torch.normal(0, 1, size=(num_inputs, num_outputs), requires_grad=True)


class OnlyW(SoftmaxRegressionScratch):
    def parameters(self):
        return [self.W]


class ForwardWithoutReshape(SoftmaxRegressionScratch):
    def forward(self, X):
        return torch.softmax(torch.matmul(X, self.W) + self.b, dim=1)


class ForwardWithoutSoftmax(SoftmaxRegressionScratch):
    def forward(self, X):
        return torch.matmul(X.reshape((-1, self.W.shape[0])), self.W) + self.b


class LossSummed(SoftmaxRegressionScratch):
    def loss(self, y_hat, y):
        return cross_entropy_sum(y_hat, y)


ROWS = {"hidden/test_softmax::test_softmax_rows_sum_to_one[wide]",
        "hidden/test_softmax::test_softmax_rows_sum_to_one[tall]",
        "hidden/test_softmax::test_softmax_matches_reference"}
STABLE = {"hidden/test_softmax::test_softmax_is_stable_for_large_inputs[hundred]",
          "hidden/test_softmax::test_softmax_is_stable_for_large_inputs[thousand]"}

MISTAKES = [
    mistake("softmax_naive_of_the_book", "stable_softmax", {"softmax": softmax_naive}, STABLE, message="NaN or inf"),
    mistake("softmax_wrong_axis", "softmax", {"softmax": softmax_wrong_axis}, ROWS | STABLE, message="row sums"),
    mistake("softmax_no_keepdims", "softmax", {"softmax": softmax_no_keepdims}, ROWS | STABLE, message="row sums"),
    mistake("X_prob_not_normalised", "softmax", {"X_prob": torch.exp(torch.rand((2, 5)))},
            {"hidden/test_softmax::test_X_prob_of_the_section"}, message="row sums of X_prob"),
    mistake("cross_entropy_sum", "cross_entropy", {"cross_entropy": cross_entropy_sum}, {
        "public/test_softmax::test_cross_entropy_book_example",
        "hidden/test_softmax::test_cross_entropy_matches_reference",
    }, message="cross_entropy(y_hat, y)"),
    mistake("cross_entropy_wrong_index", "cross_entropy", {"cross_entropy": cross_entropy_wrong_index}, {
        "public/test_softmax::test_cross_entropy_book_example",
        "hidden/test_softmax::test_cross_entropy_matches_reference",
    }, message="cross_entropy(y_hat, y)"),
    mistake("sigma_ignored", "softmax_regression_scratch", {"SoftmaxRegressionScratch": SigmaIgnored},
            {"hidden/test_softmax::test_initialisation"}, message="standard deviation of W"),
    mistake("parameters_only_W", "softmax_regression_scratch", {"SoftmaxRegressionScratch": OnlyW},
            {"hidden/test_softmax::test_parameters"}, message="parameters()"),
    mistake("forward_without_reshape", "softmax_regression_scratch",
            {"SoftmaxRegressionScratch": ForwardWithoutReshape},
            {"hidden/test_softmax::test_forward"}, message="raised RuntimeError"),
    mistake("forward_without_softmax", "softmax_regression_scratch",
            {"SoftmaxRegressionScratch": ForwardWithoutSoftmax},
            {"hidden/test_softmax::test_forward"}, message="model(X)"),
    mistake("loss_summed", "softmax_regression_scratch", {"SoftmaxRegressionScratch": LossSummed},
            {"hidden/test_softmax::test_loss_is_cross_entropy"}, message="model.loss"),
    mistake("model_not_trained", "softmax_training",
            {"model": SoftmaxRegressionScratch(num_inputs=784, num_outputs=10, lr=0.1)},
            {"hidden/test_softmax::test_trained_model_accuracy"}, message="validation accuracy"),
    # X, y, preds = X[wrong], ... never ran: y is still the whole first minibatch's labels.
    mistake("predictions_not_filtered", "prediction", {"y": torch.zeros(256, dtype=torch.int64)},
            {"hidden/test_softmax::test_misclassified_examples"}, message="y at the end of 4.4"),
]
