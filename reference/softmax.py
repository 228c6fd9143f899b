"""Reference solutions for 4.4 Softmax regression from scratch."""
from __future__ import annotations

import torch
from d2l import torch as d2l


def softmax(X: torch.Tensor) -> torch.Tensor:
    """Row-wise softmax. Subtracting each row's max changes nothing mathematically and keeps
    exp() from overflowing (exercise 1 of 4.4)."""
    X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)
    return X_exp / X_exp.sum(dim=1, keepdim=True)


def cross_entropy(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean negative log-probability of the true labels."""
    return -torch.log(y_hat[list(range(len(y_hat))), y]).mean()


def cross_entropy_onehot(y_hat: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
    """Cross-entropy by its definition, -sum_i Y_i log y_hat_i per example, averaged over
    examples, for one-hot or soft labels Y (exercise 2 of 4.4). Terms with Y_i = 0 count as
    0 even where y_hat_i = 0 (0 * log 0 would be NaN): xlogy only takes logs where Y_i > 0."""
    return -torch.xlogy(Y, y_hat).sum(dim=1).mean()


class SoftmaxRegressionScratch(d2l.Classifier):
    """Softmax regression with explicit parameters W (num_inputs x num_outputs) and b."""

    def __init__(self, num_inputs, num_outputs, lr, sigma=0.01):
        super().__init__()
        self.save_hyperparameters()
        self.W = torch.normal(0, sigma, size=(num_inputs, num_outputs), requires_grad=True)
        self.b = torch.zeros(num_outputs, requires_grad=True)

    def parameters(self):
        return [self.W, self.b]

    def forward(self, X):
        X = X.reshape((-1, self.W.shape[0]))
        return softmax(torch.matmul(X, self.W) + self.b)

    def loss(self, y_hat, y):
        return cross_entropy(y_hat, y)
