"""Reference solutions for 4.3 The base classification model."""
from __future__ import annotations

import torch
from d2l import torch as d2l


class Classifier(d2l.Module):
    """The base class of classification models."""

    def validation_step(self, batch):
        Y_hat = self(*batch[:-1])
        self.plot('loss', self.loss(Y_hat, batch[-1]), train=False)
        self.plot('acc', self.accuracy(Y_hat, batch[-1]), train=False)

    def accuracy(self, Y_hat, Y, averaged=True):
        """The fraction (averaged) or per-example indicator of correct predictions."""
        Y_hat = Y_hat.reshape((-1, Y_hat.shape[-1]))
        preds = Y_hat.argmax(axis=1).type(Y.dtype)
        compare = (preds == Y.reshape(-1)).type(torch.float32)
        return compare.mean() if averaged else compare


def exact_val_loss(quick, last, n, batch_size):
    """The exact validation loss (mean over all n examples) from the quick estimate (the
    mean of the per-minibatch mean losses) and the mean loss of the last minibatch, which
    holds only the n - (k - 1) * batch_size examples left over (exercise 1 of 4.3)."""
    k = -(-n // batch_size)                 # number of minibatches, ceil(n / batch_size)
    last_size = n - (k - 1) * batch_size
    return (batch_size * (k * quick - last) + last_size * last) / n


def bayes_decision(loss_matrix, p):
    """For each row of p (p(y | x) over the true labels y), the choice y' that minimises the
    expected loss sum_y p(y | x) l(y, y'), where loss_matrix[y, y'] = l(y, y') (exercise 3
    of 4.3). The loss matrix may have more columns (choices) than rows (labels)."""
    expected_loss = p @ loss_matrix.type(p.dtype)
    return expected_loss.argmin(dim=1)
