"""Kernel code for chapter 3 (linear neural networks for regression): the grader's own
classes and training runs that drive the notebook's add_to_class, HyperParameters,
LinearRegressionScratch, SGD and fit_epoch. Public, like all of ``grader.bookcode``; what
comes back is compared in the grader's process."""
from __future__ import annotations

from grader.bookcode import SCRATCH_SGD, TRAINER_FINDER

__all__ = ["TWO_METHODS", "SUBCLASS", "REPLACE", "DEFAULTS", "NO_IGNORE", "IGNORE_SEVERAL", "CHAIN",
           "WITH_AND_WITHOUT", "BOOK_ADD_TO_CLASS", "BOOK_HYPERPARAMETERS", "SET_BIAS", "LINREG_INIT",
           "OPTIMIZER_STEP", "SGD_STEP", "SGD_TWO_STEPS", "SGD_ZERO_GRAD", "SGD_FRESH_ZERO_GRAD",
           "SGD_OUTSIDE", "FIT_TWO_SETS", "LOSS_GRAD", "SGD_BOOK_STEP", "FIT_ONE_STEP"]


# ================================================================ 3.2 add_to_class and HyperParameters

TWO_METHODS = """
class _A:
    def __init__(self):
        self.b = 10

_a = _A()

@add_to_class(_A)
def first(self):
    return self.b + 1

@add_to_class(_A)
def second(self, x):
    return self.b * x

(_a.first(), _a.second(5), _A().first())
"""

SUBCLASS = """
class _Parent:
    pass

class _Child(_Parent):
    pass

@add_to_class(_Child)
def extra(self):
    return 'child'

(_Child().extra(), hasattr(_Parent, 'extra'))
"""

REPLACE = """
class _Net:
    def forward(self, X):
        return 1

_net = _Net()

@add_to_class(_Net)
def forward(self, X):
    return 2

_net.forward(None)
"""

DEFAULTS = """
class _C(HyperParameters):
    def __init__(self, x, y=5, z='s'):
        self.save_hyperparameters()

_c = _C(1, z='t')
(getattr(_c, 'x', None), getattr(_c, 'y', None), getattr(_c, 'z', None))
"""

NO_IGNORE = """
class _D(HyperParameters):
    def __init__(self, p, q):
        self.save_hyperparameters()

_d = _D([1, 2], q=0.5)
(getattr(_d, 'p', None), getattr(_d, 'q', None), hasattr(_d, 'self'))
"""

IGNORE_SEVERAL = """
class _E(HyperParameters):
    def __init__(self, a, b, c):
        self.save_hyperparameters(ignore=['a', 'c'])

_e = _E(1, 2, 3)
(hasattr(_e, 'a'), getattr(_e, 'b', None), hasattr(_e, 'c'))
"""

CHAIN = """
class _P(HyperParameters):
    def __init__(self, p=1):
        self.save_hyperparameters()

class _Q(_P):
    def __init__(self, q, r):
        _P.__init__(self)
        self.save_hyperparameters()

_q = _Q(q=7, r=8)
(getattr(_q, 'p', None), getattr(_q, 'q', None), getattr(_q, 'r', None))
"""

WITH_AND_WITHOUT = """
class _B(HyperParameters):
    def __init__(self, a, b, c):
        self.save_hyperparameters(ignore=['c'])

class _BWithout(HyperParameters):
    def __init__(self, a, b, c):
        pass

(getattr(_B(a=1, b=2, c=3), 'a', None), _BWithout(a=1, b=2, c=3))
"""

BOOK_ADD_TO_CLASS = """
class _A:
    def __init__(self):
        self.b = 1

_a = _A()

@add_to_class(_A)
def do(self):
    return self.b

_a.do()
"""

BOOK_HYPERPARAMETERS = """
class _B(HyperParameters):
    def __init__(self, a, b, c):
        self.save_hyperparameters(ignore=['c'])

_b = _B(a=1, b=2, c=3)
(getattr(_b, 'a', None), getattr(_b, 'b', None), hasattr(_b, 'c'))
"""


# ================================================================ 3.4 linear regression from scratch

# A kept model's bias set to ``value`` without autograd recording it. Bindings: model, value.
SET_BIAS = """
import torch
with torch.no_grad():
    model.b.fill_(value)
"""

LINREG_INIT = """
import torch
torch.manual_seed(0)
m = LinearRegressionScratch(20000, lr=0.1) if sigma is None else LinearRegressionScratch(20000, lr=0.1, sigma=sigma)
m.w.detach().reshape(-1)
"""

OPTIMIZER_STEP = """
import torch
torch.manual_seed(0)
m = LinearRegressionScratch(3, lr=0.05)
w0, b0 = m.w.detach().clone(), m.b.detach().clone()
opt = m.configure_optimizers()
opt.zero_grad()
((X @ m.w + m.b - y) ** 2 / 2).mean().backward()
with torch.no_grad():
    opt.step()
(w0, b0, m.w.detach().clone(), m.b.detach().clone())
"""

SGD_STEP = """
import torch
w = w0.clone().requires_grad_(True)
b = b0.clone().requires_grad_(True)
opt = SGD([w, b], lr)
((X @ w + b - y) ** 2 / 2).mean().backward()
with torch.no_grad():
    opt.step()
(w.detach().clone(), b.detach().clone())
"""

SGD_TWO_STEPS = """
import torch
w = w0.clone().requires_grad_(True)
b = b0.clone().requires_grad_(True)
opt = SGD([w, b], lr)
for X, y in batches:
    opt.zero_grad()
    ((X @ w + b - y) ** 2 / 2).mean().backward()
    with torch.no_grad():
        opt.step()
(w.detach().clone(), b.detach().clone())
"""

SGD_ZERO_GRAD = """
import torch
w = w0.clone().requires_grad_(True)
b = b0.clone().requires_grad_(True)
opt = SGD([w, b], 0.1)
((X @ w + b - y) ** 2 / 2).mean().backward()
opt.zero_grad()
(w.grad, b.grad)
"""

SGD_FRESH_ZERO_GRAD = """
import torch
opt = SGD([torch.ones(2, 1, requires_grad=True), torch.zeros(1, requires_grad=True)], 0.1)
opt.zero_grad()
True
"""

SGD_OUTSIDE = """
import torch
w = w0.clone().requires_grad_(True)
b = b0.clone().requires_grad_(True)
opt = SGD([w, b], lr)
((X @ w + b - y) ** 2 / 2).mean().backward()
try:
    opt.step()
    outcome = "stepped"
except NotImplementedError:
    raise
except RuntimeError:   # the book's SGD: in-place update of a leaf that requires grad
    outcome = "RuntimeError"
(outcome, w.detach().clone(), b.detach().clone(), [w.requires_grad, b.requires_grad], [w.grad_fn, b.grad_fn])
"""

# A model and optimiser of the grader's own, trained with the notebook's loop. The optimiser
# is the book's scratch SGD, so a step outside no_grad raises as it would in the notebook.
FIT_TWO_SETS = TRAINER_FINDER + SCRATCH_SGD + '''
class _Model(d2l.Module):
    def __init__(self, w, b, lr):
        super().__init__()
        self.w = w.clone().requires_grad_(True)
        self.b = b.clone().requires_grad_(True)
        self.lr = lr
        self.board.display = False
        self.val_grad_enabled = []

    def forward(self, X):
        return X @ self.w + self.b

    def loss(self, y_hat, y):
        return ((y_hat - y) ** 2 / 2).mean()

    def validation_step(self, batch):
        self.val_grad_enabled.append(torch.is_grad_enabled())
        return super().validation_step(batch)

    def configure_optimizers(self):
        return _SGD([self.w, self.b], self.lr)


class _Data(d2l.DataModule):
    def __init__(self, train, val):
        super().__init__()
        self.train, self.val = train, val

    def train_dataloader(self):
        return self.train

    def val_dataloader(self):
        return self.val


model = _Model(w0, b0, lr)
trainer = _trainer_class()(max_epochs=max_epochs)
trainer.fit(model, _Data(train, val))
(model.w.detach().clone(), model.b.detach().clone(), trainer.train_batch_idx, trainer.val_batch_idx,
 model.val_grad_enabled)
'''

LOSS_GRAD = """
import torch
y_hat = y_hat0.clone().requires_grad_(True)
loss(y_hat, y).backward()
y_hat.grad
"""

SGD_BOOK_STEP = """
import torch
w = torch.tensor([[1.0], [2.0]], requires_grad=True)
b = torch.tensor([0.5], requires_grad=True)
opt = SGD([w, b], 0.1)
(torch.tensor([[1.0, 1.0]]) @ w + b).sum().backward()
with torch.no_grad():
    opt.step()
(w.detach().clone(), b.detach().clone())
"""

FIT_ONE_STEP = TRAINER_FINDER + SCRATCH_SGD + '''
class _Model(d2l.Module):
    def __init__(self):
        super().__init__()
        self.w = torch.zeros(1, 1, requires_grad=True)
        self.b = torch.zeros(1, requires_grad=True)
        self.lr = 0.5
        self.board.display = False

    def forward(self, X):
        return X @ self.w + self.b

    def loss(self, y_hat, y):
        return ((y_hat - y) ** 2 / 2).mean()

    def configure_optimizers(self):
        return _SGD([self.w, self.b], self.lr)


class _Data(d2l.DataModule):
    def train_dataloader(self):
        return [(torch.tensor([[1.0]]), torch.tensor([[2.0]]))]

    def val_dataloader(self):
        return None


model = _Model()
trainer = _trainer_class()(max_epochs=1)
trainer.fit(model, _Data())
(model.w.detach().reshape(-1).clone(), model.b.detach().clone())
'''
