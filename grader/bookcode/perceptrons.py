"""Kernel code for chapter 5 (multilayer perceptrons): parameters set and read, gradients
taken, models trained in the kernel. Public, like all of ``grader.bookcode``; what comes
back is compared in the grader's process."""
from __future__ import annotations

from grader.bookcode import MLP_SCRATCH_TRAINING

__all__ = ["ACTIVATION_GRAD", "PARAMETER_SHAPES", "SET_PARAMETERS", "LINEAR_SHAPES", "SET_LINEAR",
           "MLP_GRADIENTS", "MLP_TRAINING_AND_OUTPUT", "MLP_TRAINING_LOSSES", "PARAMETER",
           "PARAMETER_STD", "RELU_THEN_INPUT"]


# ================================================================ 5.1 multilayer perceptrons

# x.grad after activation(x, param).sum().backward(), for a kept ``activation`` of the
# notebook (None when the output does not reach x). Bindings: activation, x, param.
ACTIVATION_GRAD = """
import torch
x = x.clone().requires_grad_(True)
out = activation(x, param)
if isinstance(out, torch.Tensor) and out.requires_grad:
    out.sum().backward()
x.grad
"""

# ================================================================ 5.2 MLPs from scratch and concise

# Grader-written code run in the kernel. Models stay there; only data comes back.

PARAMETER_SHAPES = """
{name: tuple(p.shape) for name, p in model.named_parameters()}
"""

SET_PARAMETERS = """
import torch
with torch.no_grad():
    for name, value in values.items():
        getattr(model, name).copy_(value)
"""

LINEAR_SHAPES = """
import torch
from torch import nn
with torch.no_grad():
    model(X)   # the first call gives LazyLinear layers their shapes
[(tuple(m.weight.shape), None if m.bias is None else tuple(m.bias.shape))
 for m in model.modules() if isinstance(m, nn.Linear)]
"""

SET_LINEAR = """
import torch
from torch import nn
layers = [m for m in model.modules() if isinstance(m, nn.Linear)]
with torch.no_grad():
    for layer, (W, b) in zip(layers, weights):
        layer.weight.copy_(W)
        layer.bias.copy_(b)
    out = model(X)
out
"""

MLP_GRADIENTS = """
import torch
from torch.nn import functional as F
model.zero_grad()
F.cross_entropy(model(X), y).backward()
{name: p.grad for name, p in model.named_parameters()}
"""

# The book's sizes on the first TRAIN_SIZE offline images (see grader.bookcode), then the
# model's output on validation images the grader sends.
MLP_TRAINING_AND_OUTPUT = MLP_SCRATCH_TRAINING + """
with torch.no_grad():
    logits = model(X_val)
losses, logits
"""

MLP_TRAINING_LOSSES = MLP_SCRATCH_TRAINING + "losses\n"

# A kept model's parameter ``name`` (its standard deviation with STD). Bindings: model, name.
PARAMETER = "getattr(model, name)"
PARAMETER_STD = "float(getattr(model, name).detach().float().std())"

# relu(X), then X itself (to see whether relu changed it). Binding: X.
RELU_THEN_INPUT = "relu(X)\nX"
