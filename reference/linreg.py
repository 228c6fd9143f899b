"""Reference solutions for 3.4 Linear regression implementation from scratch."""
from __future__ import annotations

import math

import torch
from d2l import torch as d2l


class LinearRegressionScratch(d2l.Module):
    """The linear regression model implemented from scratch (3.4.1-3.4.3)."""

    def __init__(self, num_inputs, lr, sigma=0.01):
        super().__init__()
        self.save_hyperparameters()
        self.w = torch.normal(0, sigma, (num_inputs, 1), requires_grad=True)
        self.b = torch.zeros(1, requires_grad=True)

    def forward(self, X):
        return torch.matmul(X, self.w) + self.b

    def loss(self, y_hat, y):
        # y may come as (n,) or (n, 1): without the reshape, (n, 1) - (n,) broadcasts to (n, n)
        l = (y_hat - y.reshape(y_hat.shape)) ** 2 / 2
        return l.mean()

    def configure_optimizers(self):
        return SGD([self.w, self.b], self.lr)


class SGD(d2l.HyperParameters):
    """Minibatch stochastic gradient descent (3.4.3)."""

    def __init__(self, params, lr):
        self.save_hyperparameters()

    def step(self):
        for param in self.params:
            param -= self.lr * param.grad

    def zero_grad(self):
        for param in self.params:
            if param.grad is not None:
                param.grad.zero_()


class Trainer(d2l.Trainer):
    """d2l's Trainer with the 3.4.4 training loop (the book attaches these two methods to
    d2l.Trainer with @d2l.add_to_class; a subclass keeps the library untouched)."""

    def prepare_batch(self, batch):
        return batch

    def fit_epoch(self):
        self.model.train()
        for batch in self.train_dataloader:
            loss = self.model.training_step(self.prepare_batch(batch))
            self.optim.zero_grad()
            with torch.no_grad():
                loss.backward()
                if self.gradient_clip_val > 0:
                    self.clip_gradients(self.gradient_clip_val, self.model)
                self.optim.step()
            self.train_batch_idx += 1
        if self.val_dataloader is None:
            return
        self.model.eval()
        for batch in self.val_dataloader:
            with torch.no_grad():
                self.model.validation_step(self.prepare_batch(batch))
            self.val_batch_idx += 1


def fit_ohm(V, I):
    """Resistance R of Ohm's law V = R I, fitted by gradient descent with autograd on the
    mean squared error (exercise 2 of 3.4)."""
    V = V.detach().double().reshape(-1)
    I = I.detach().double().reshape(-1)
    R = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    lr = 0.25 / (I ** 2).mean()   # the loss's curvature is 2 mean(I^2): halves the error per step
    for _ in range(200):
        loss = ((R * I - V) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            R -= lr * R.grad
            R.grad.zero_()
    return R.item()


def fit_planck_temperature(lam, B):
    """Temperature T (kelvin) whose black-body spectrum B(lam, T) best fits the measured
    spectral radiance B at wavelengths lam (metres), by autograd (exercise 3 of 3.4)."""
    h, c, k = 6.62607015e-34, 2.99792458e8, 1.380649e-23
    lam = lam.detach().double().reshape(-1)
    B = B.detach().double().reshape(-1)
    # Each measurement alone determines T: start from the median of those, fit in log space.
    T_each = h * c / (lam * k * torch.log1p(2 * h * c ** 2 / (lam ** 5 * B)))
    log_T = torch.log(T_each.median()).detach().requires_grad_(True)
    optimizer = torch.optim.LBFGS([log_T], max_iter=100, line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        log_model = (math.log(2 * h * c ** 2) - 5 * torch.log(lam)
                     - torch.log(torch.expm1(h * c / (lam * k * torch.exp(log_T)))))
        loss = ((log_model - torch.log(B)) ** 2).mean()
        loss.backward()
        return loss

    optimizer.step(closure)
    return torch.exp(log_T).item()


def num_batches(n, batch_size, drop_last=False):
    """How many minibatches an epoch over n examples has (exercise 7 of 3.4)."""
    return n // batch_size if drop_last else (n + batch_size - 1) // batch_size


def last_batch_size(n, batch_size):
    """The size of the last minibatch when the partial batch is kept (exercise 7 of 3.4)."""
    if n == 0:
        return 0
    return n - (num_batches(n, batch_size) - 1) * batch_size


def abs_loss(y_hat, y):
    """Mean absolute error |y_hat - y| (exercise 8 of 3.4)."""
    return (y_hat - y.reshape(y_hat.shape)).abs().mean()


def huber_loss(y_hat, y, delta=1.0):
    """Mean Huber loss: squared near 0, absolute beyond delta, so no gradient is larger
    than delta (exercise 8 of 3.4)."""
    r = (y_hat - y.reshape(y_hat.shape)).abs()
    return torch.where(r <= delta, r ** 2 / 2, delta * (r - delta / 2)).mean()
