"""Reference solutions for 5.2 Implementation of multilayer perceptrons."""
from __future__ import annotations

import torch
from d2l import torch as d2l
from torch import nn


def relu(X):
    a = torch.zeros_like(X)
    return torch.max(X, a)


class MLPScratch(d2l.Classifier):
    """One hidden layer of ReLUs, parameters made by hand (the book's 5.2.1)."""

    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        super().__init__()
        self.save_hyperparameters()
        self.W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens) * sigma)
        self.b1 = nn.Parameter(torch.zeros(num_hiddens))
        self.W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs) * sigma)
        self.b2 = nn.Parameter(torch.zeros(num_outputs))

    def forward(self, X):
        X = X.reshape((-1, self.num_inputs))
        H = relu(torch.matmul(X, self.W1) + self.b1)
        return torch.matmul(H, self.W2) + self.b2


class MLP(d2l.Classifier):
    """The same network from high-level layers (the book's 5.2.2)."""

    def __init__(self, num_outputs, num_hiddens, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Flatten(), nn.LazyLinear(num_hiddens),
                                 nn.ReLU(), nn.LazyLinear(num_outputs))


class MLP2(d2l.Classifier):
    """Two hidden layers of ReLUs (exercise 2 of 5.2)."""

    def __init__(self, num_outputs, num_hiddens1, num_hiddens2, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Flatten(), nn.LazyLinear(num_hiddens1), nn.ReLU(),
                                 nn.LazyLinear(num_hiddens2), nn.ReLU(),
                                 nn.LazyLinear(num_outputs))
