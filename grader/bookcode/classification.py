"""Kernel code for chapter 4 (linear neural networks for classification): Fashion-MNIST
readers and loaders, and SoftmaxRegressionScratch driven with the grader's parameters.
Public, like all of ``grader.bookcode``; what comes back is compared in the grader's process."""
from __future__ import annotations

__all__ = ["FASHION_MNIST", "SPLIT_SIZES", "FIRST_EXAMPLES", "FIRST_TRAIN_MINIBATCH",
           "FIRST_VAL_MINIBATCH", "LOADER_SIZES", "BOOK_FASHION_MNIST", "TEXT_LABELS", "SOFTMAX_SHAPES",
           "SOFTMAX_INIT", "SOFTMAX_PARAMETERS", "SOFTMAX_LOSS", "SOFTMAX_FORWARD", "SOFTMAX_GRADIENTS"]


# ================================================================ 4.2 Fashion-MNIST

# The notebook's FashionMNIST(**options) (keep it). Binding: options.
FASHION_MNIST = "FashionMNIST(**options)"

# The sizes of a kept FashionMNIST's two splits. Binding: data.
SPLIT_SIZES = "len(data.train), len(data.val)"

# The first example of each split. Binding: data.
FIRST_EXAMPLES = "data.val[0], data.train[0]"

# The first minibatch of each loader, read in this process (no worker processes). Binding: data.
FIRST_TRAIN_MINIBATCH = "data.num_workers = 0\nnext(iter(data.train_dataloader()))"
FIRST_VAL_MINIBATCH = "data.num_workers = 0\nnext(iter(data.val_dataloader()))"

# The number of minibatches of each loader and the labels of the first validation minibatch.
LOADER_SIZES = ("data.num_workers = 0\n"
                "len(data.train_dataloader()), len(data.val_dataloader()), next(iter(data.val_dataloader()))[1]")

# The book's FashionMNIST(resize=(32, 32)): the sizes of its splits and its first image.
BOOK_FASHION_MNIST = "data = FashionMNIST(resize=(32, 32))\n(len(data.train), len(data.val)), data.train[0][0]"

# FashionMNIST(resize=(32, 32)).text_labels(labels). Binding: labels.
TEXT_LABELS = "FashionMNIST(resize=(32, 32)).text_labels(labels)"

# ================================================================ 4.4 softmax regression from scratch

# The shapes of W and b of SoftmaxRegressionScratch(n_in, n_out). Bindings: n_in, n_out.
SOFTMAX_SHAPES = """
model = SoftmaxRegressionScratch(num_inputs=n_in, num_outputs=n_out, lr=0.1)
[tuple(model.W.shape), tuple(model.b.shape)]
"""

# The initial W and b with sigma=0.5.
SOFTMAX_INIT = """
model = SoftmaxRegressionScratch(num_inputs=784, num_outputs=10, lr=0.1, sigma=0.5)
model.W, model.b
"""

# What parameters() gives, beside W and b, and whether each needs gradients.
SOFTMAX_PARAMETERS = """
model = SoftmaxRegressionScratch(num_inputs=8, num_outputs=3, lr=0.1)
params = list(model.parameters())
[p.detach() for p in params], [model.W.detach(), model.b.detach()], [p.requires_grad for p in params]
"""

# model.loss(y_hat, y) of a fresh model. Bindings: y_hat, y.
SOFTMAX_LOSS = "SoftmaxRegressionScratch(num_inputs=4, num_outputs=3, lr=0.1).loss(y_hat, y)"

SOFTMAX_FORWARD = """
import torch
model = SoftmaxRegressionScratch(num_inputs=W.shape[0], num_outputs=W.shape[1], lr=0.1)
with torch.no_grad():
    model.W.copy_(W)
    model.b.copy_(b)
    y_hat = model(X)
y_hat
"""

SOFTMAX_GRADIENTS = """
import torch
model = SoftmaxRegressionScratch(num_inputs=W.shape[0], num_outputs=W.shape[1], lr=0.1)
with torch.no_grad():
    model.W.copy_(W)
    model.b.copy_(b)
model.loss(model(X), y).backward()
model.W.grad, model.b.grad
"""
