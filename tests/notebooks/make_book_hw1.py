"""Write the hw1-book fixture notebooks: `python -m tests.notebooks.make_book_hw1`.

Three notebooks that work through the book's sections 2.1-5.3 the way the five real
COSE474 HW1 notebooks did (../shared/course/hw1_catalog.md): the book's code section by
section under headings like the students' (`# 2.1 Data Manipulation`, `## 2.1.1 ...`),
`!pip install d2l==1.0.3` cells, Korean comments, re-typed base classes in 3.2, S4's
`# import torch` that relies on the kernel's state, and a "Discussion & Exercises" part
per section with the students' kind of prose and exercise code.

- ``hw1_book_complete.ipynb``: every section, with the exercises the catalog shows students
  doing (2.1 3-D broadcasting, 3.4 learning-rate sweep, 4.4 stable softmax, 5.1 pReLU and
  Swish, 5.2 a second hidden layer as ``MLP2``, 5.3 the derivation in code).
- ``hw1_book_partial.ipynb``: the same without 4.4's prediction cells and without 5.3.
- ``hw1_book_variants.ipynb``: the same as complete, with the redefinitions real students
  made: lower-case ``x``, ``y`` for 2.1's matrices (S4), the two-hidden-layer model of 5.2's
  exercise defined again as ``MLP(num_outputs, num_hiddens1, num_hiddens2, lr)`` (S3), and
  5.3's network as a class whose ``forward``/``backward`` are attached with
  ``@d2l.add_to_class``, so the globals ``forward`` and ``backward`` are ``None``.

The notebooks are committed; run this again after changing it.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
VARIANTS = ("complete", "partial", "variants")
PIP = "!pip install d2l==1.0.3"


def md(text: str) -> tuple[str, str]:
    return ("markdown", text.strip("\n"))


def code(text: str) -> tuple[str, str]:
    return ("code", text.strip("\n"))


# ================================================================ chapter 2

def s2_1(v: str) -> list:
    lower = v == "variants"   # S4: lower-case x, y for the matrices (the vectors are overwritten)
    M, N = ("x", "y") if lower else ("X", "Y")
    return [
        md("# COSE474-2024F: Deep Learning HW1\n\n# 2.1 Data Manipulation"),
        code(PIP),
        md("## 2.1.1 Getting Started"),
        code("import torch"),
        code("x = torch.arange(12, dtype=torch.float32)\nx"),
        code("x.numel()"),
        code("x.shape"),
        code("X = x.reshape(3, 4)\nX"),
        code("torch.zeros((2, 3, 4))"),
        code("torch.ones((2, 3, 4))"),
        code("torch.randn(3, 4)"),
        code("torch.tensor([[2, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])"),
        md("## 2.1.2 Indexing and Slicing"),
        code("X[-1], X[1:3]"),
        code("X[1, 2] = 17\nX"),
        code("X[:2, :] = 12\nX"),
        md("## 2.1.3 Operations"),
        code("torch.exp(x)  # X는 x의 view라서 x도 바뀌어 있다 (e^12가 8개)"),
        code("x = torch.tensor([1.0, 2, 4, 8])\ny = torch.tensor([2, 2, 2, 2])\nx + y, x - y, x * y, x / y, x ** y"),
        code(f"{M} = torch.arange(12, dtype=torch.float32).reshape((3, 4))\n"
             f"{N} = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])\n"
             + (f"torch.cat(({M}, {N}), dim=0),\ntorch.cat(({M}, {N}), dim=1)" if lower else
                f"torch.cat(({M}, {N}), dim=0), torch.cat(({M}, {N}), dim=1)")),
        code(f"{M} == {N}"),
        code(f"{M}.sum()"),
        md("## 2.1.4 Broadcasting"),
        code("a = torch.arange(3).reshape((3, 1))\nb = torch.arange(2).reshape((1, 2))\na, b"),
        code("a + b"),
        md("## 2.1.5 Saving Memory"),
        code(f"before = id({N})\n{N} = {N} + {M}\nid({N}) == before"),
        code(f"Z = torch.zeros_like({N})\nprint('id(Z):', id(Z))\nZ[:] = {M} + {N}\nprint('id(Z):', id(Z))"),
        code(f"before = id({M})\n{M} += {N}\nid({M}) == before  # in-place: 같은 메모리"),
        md("## 2.1.6 Conversion to Other Python Objects"),
        code(f"A = {M}.numpy()\nB = torch.from_numpy(A)\ntype(A), type(B)"),
        code("a = torch.tensor([3.5])\na, a.item(), float(a), int(a)"),
        md("### Discussion & Exercises (2.1)\n\n"
           "Tensors are like NumPy's ndarray but they run on GPUs and support automatic "
           "differentiation. Slicing gives a *view*: after `X[:2, :] = 12` the vector `x` changed "
           "too, which is why `torch.exp(x)` printed e^12 eight times. `X += Y` and `Z[:] = ...` keep "
           "the same memory, `Y = Y + X` allocates a new tensor.\n\n"
           "**Exercise 1.** `X < Y` and `X > Y` give boolean tensors of the same shape."),
        code(f"{M} < {N}, {M} > {N}"),
        md("**Exercise 2.** Broadcasting with 3-D tensors: shapes (2, 3, 1) and (1, 1, 2) give "
           "(2, 3, 2); axes of length 1 are copied along the other operand's axis."),
        code("a = torch.arange(6).reshape((2, 3, 1))\nb = torch.arange(2).reshape((1, 1, 2))\na + b, (a + b).shape"),
    ]


HOUSE = '''NumRooms,RoofType,Price
NA,NA,127500
2,NA,106000
4,Slate,178100
NA,NA,140000'''


def s2_2(v: str) -> list:
    return [
        md("# 2.2 Data Preprocessing"),
        md("## 2.2.1 Reading the Dataset"),
        code("import os\n\nos.makedirs(os.path.join('..', 'data'), exist_ok=True)\n"
             "data_file = os.path.join('..', 'data', 'house_tiny.csv')\n"
             f"with open(data_file, 'w') as f:\n    f.write('''{HOUSE}''')"),
        code("import pandas as pd\n\ndata = pd.read_csv(data_file)\nprint(data)"),
        md("## 2.2.2 Data Preparation"),
        code("inputs, targets = data.iloc[:, 0:2], data.iloc[:, 2]\n"
             "inputs = pd.get_dummies(inputs, dummy_na=True)\nprint(inputs)"),
        code("inputs = inputs.fillna(inputs.mean())  # 결측치를 평균으로 채움\nprint(inputs)"),
        md("## 2.2.3 Conversion to the Tensor Format"),
        code("import torch\n\nX = torch.tensor(inputs.to_numpy(dtype=float))\n"
             "y = torch.tensor(targets.to_numpy(dtype=float))\nX, y"),
        md("### Discussion\n\n"
           "Mean imputation assumes the values are missing at random; for categories the NaN "
           "gets its own column (`RoofType_nan`), so 'missing' becomes information. With pandas 2 "
           "`get_dummies` returns bool columns, so `to_numpy(dtype=float)` is needed before "
           "`torch.tensor`. For very large datasets, or columns with many unique values (IDs), "
           "one-hot encoding explodes; drop them or use embeddings."),
    ]


def s2_3(v: str) -> list:
    return [
        md("# 2.3 Linear Algebra"),
        code("import torch"),
        md("## 2.3.1 Scalars"),
        code("x = torch.tensor(3.0)\ny = torch.tensor(2.0)\n\nx + y, x * y, x / y, x**y"),
        md("## 2.3.2 Vectors"),
        code("x = torch.arange(3)\nx"),
        code("x[2]"),
        code("len(x)"),
        code("x.shape"),
        md("## 2.3.3 Matrices"),
        code("A = torch.arange(6).reshape(3, 2)\nA"),
        code("A.T"),
        code("A = torch.tensor([[1, 2, 3], [2, 0, 4], [3, 4, 5]])\nA == A.T"),
        md("## 2.3.4 Tensors"),
        code("torch.arange(24).reshape(2, 3, 4)"),
        md("## 2.3.5 Basic Properties of Tensor Arithmetic"),
        code("A = torch.arange(6, dtype=torch.float32).reshape(2, 3)\n"
             "B = A.clone()  # Assign a copy of A to B by allocating new memory\nA, A + B"),
        code("A * B"),
        code("a = 2\nX = torch.arange(24).reshape(2, 3, 4)\na + X, (a * X).shape"),
        md("## 2.3.6 Reduction"),
        code("x = torch.arange(3, dtype=torch.float32)\nx, x.sum()"),
        code("A.shape, A.sum()"),
        code("A.shape, A.sum(axis=0).shape"),
        code("A.shape, A.sum(axis=1).shape"),
        code("A.sum(axis=[0, 1]) == A.sum()  # Same as A.sum()"),
        code("A.mean(), A.sum() / A.numel()"),
        code("A.mean(axis=0), A.sum(axis=0) / A.shape[0]"),
        md("## 2.3.7 Non-Reduction Sum"),
        code("sum_A = A.sum(axis=1, keepdims=True)\nsum_A, sum_A.shape"),
        code("A / sum_A"),
        code("A.cumsum(axis=0)"),
        md("## 2.3.8 Dot Products"),
        code("y = torch.ones(3, dtype = torch.float32)\nx, y, torch.dot(x, y)"),
        code("torch.sum(x * y)"),
        md("## 2.3.9 Matrix-Vector Products"),
        code("A.shape, x.shape, torch.mv(A, x), A@x"),
        md("## 2.3.10 Matrix-Matrix Multiplication"),
        code("B = torch.ones(3, 4)\ntorch.mm(A, B), A@B"),
        md("## 2.3.11 Norms"),
        code("u = torch.tensor([3.0, -4.0])\ntorch.norm(u)"),
        code("torch.abs(u).sum()"),
        code("torch.norm(torch.ones((4, 9)))"),
        md("### Discussions/Takeaways/Exercises (2.3)\n\n"
           "Reductions remove the summed axis unless `keepdims=True`, which is what makes "
           "`A / sum_A` broadcast row by row. (A^T)^T = A because transposing swaps the indices "
           "twice: entry (i, j) goes to (j, i) and back. A^T + B^T = (A + B)^T entry by entry, "
           "since both sides have a_ji + b_ji at (i, j). `len(X)` of a (2, 3, 4) tensor is 2, the "
           "length of axis 0."),
    ]


def s2_4(v: str) -> list:
    return [
        md("# 2.4 Calculus"),
        md("### Notes (2.4 메모)\n\n"
           "- 도함수 정의: f'(x) = lim_{h->0} (f(x+h) - f(x)) / h\n"
           "- constant, power (x^n -> n x^(n-1)), exp, log 규칙과 sum/product/quotient rule\n"
           "- gradient 공식: ∇_x Ax = A^T, ∇_x x^T A = A, ∇_x x^T A x = (A + A^T) x, "
           "∇_x ||x||^2 = 2x, ∇_X ||X||_F^2 = 2X\n"
           "- chain rule: y = f(u), u = g(x) 이면 dy/dx = dy/du du/dx; 다변수에서는 ∇_x y = A ∇_u y\n\n"
           "**Exercise.** f(x) = x^3 - 1/x 의 x = 1 에서 접선: f(1) = 0, f'(x) = 3x^2 + 1/x^2 = 4 "
           "이므로 y = 4x - 4."),
    ]


def s2_5(v: str) -> list:
    return [
        md("# 2.5 Automatic Differentiation"),
        code("import torch"),
        md("## 2.5.1 A Simple Function"),
        code("x = torch.arange(4.0)\nx"),
        code("# Can also create x = torch.arange(4.0, requires_grad=True)\n"
             "x.requires_grad_(True)\nx.grad  # The gradient is None by default"),
        code("y = 2 * torch.dot(x, x)\ny"),
        code("y.backward()\nx.grad"),
        code("x.grad == 4 * x"),
        code("x.grad.zero_()  # Reset the gradient\ny = x.sum()\ny.backward()\nx.grad"),
        md("## 2.5.2 Backward for Non-Scalar Variables"),
        code("x.grad.zero_()\ny = x * x\ny.backward(gradient=torch.ones(len(y)))  # Faster: y.sum().backward()\nx.grad"),
        md("## 2.5.3 Detaching Computation"),
        code("x.grad.zero_()\ny = x * x\nu = y.detach()\nz = u * x\n\nz.sum().backward()\nx.grad == u"),
        code("x.grad.zero_()\ny.sum().backward()\nx.grad == 2 * x"),
        md("## 2.5.4 Gradients and Python Control Flow"),
        code("def f(a):\n    b = a * 2\n    while b.norm() < 1000:\n        b = b * 2\n"
             "    if b.sum() > 0:\n        c = b\n    else:\n        c = 100 * b\n    return c"),
        code("a = torch.randn(size=(), requires_grad=True)\nd = f(a)\nd.backward()"),
        code("a.grad == d / a  # == 는 float 오차 때문에 False가 나올 수도 있다 (isclose 권장)"),
        md("### Discussion & Exercises (2.5)\n\n"
           "Gradients accumulate in `.grad` until they are reset with `x.grad.zero_()`; running "
           "`backward` twice without `retain_graph=True` fails because the graph was freed. "
           "Second derivatives cost more because the backward pass itself has to be "
           "differentiated. `f(a)` is linear in `a` piece by piece, so `a.grad == d / a`; "
           "reverse mode is efficient for one scalar loss and many parameters, forward mode for "
           "few inputs and many outputs."),
    ]


# ================================================================ chapter 3

def s3_1(v: str) -> list:
    return [
        md("# 3.1 Linear Regression"),
        code(PIP),
        code("%matplotlib inline\nimport math\nimport time\nimport numpy as np\n"
             "# import torch  (위에서 이미 import 함)\nfrom d2l import torch as d2l"),
        md("## 3.1.2 Vectorization for Speed"),
        code("n = 10000\na = torch.ones(n)\nb = torch.ones(n)"),
        code("c = torch.zeros(n)\nt = time.time()\nfor i in range(n):\n    c[i] = a[i] + b[i]\n"
             "f'{time.time() - t:.5f} sec'"),
        code("t = time.time()\nd = a + b\nf'{time.time() - t:.5f} sec'"),
        md("## 3.1.3 The Normal Distribution and Squared Loss"),
        code("def normal(x, mu, sigma):\n    p = 1 / math.sqrt(2 * math.pi * sigma**2)\n"
             "    return p * np.exp(-0.5 * (x - mu)**2 / sigma**2)"),
        code("# Use NumPy again for visualization\nx = np.arange(-7, 7, 0.01)\n\n"
             "# Mean and standard deviation pairs\nparams = [(0, 1), (0, 2), (3, 1)]\n"
             "d2l.plot(x, [normal(x, mu, sigma) for mu, sigma in params], xlabel='x',\n"
             "         ylabel='p(x)', figsize=(4.5, 2.5),\n"
             "         legend=[f'mean {mu}, std {sigma}' for mu, sigma in params])"),
        md("### Discussions/Takeaways/Exercises (3.1)\n\n"
           "Squared loss l = (y_hat - y)^2 / 2 is the negative log-likelihood under Gaussian noise, "
           "and w* = (X^T X)^{-1} X^T y solves it in closed form. The vectorised sum was about a "
           "thousand times faster than the Python loop. Linear regression is easy to interpret "
           "(each weight is the effect of one feature) but cannot fit non-linear patterns like "
           "trees or neural networks can."),
    ]


def s3_2(v: str) -> list:
    return [
        md("# 3.2 Object-Oriented Design for Implementation"),
        code("import time\nimport numpy as np\nimport torch\nfrom torch import nn\nfrom d2l import torch as d2l"),
        md("## 3.2.1 Utilities"),
        code('def add_to_class(Class):  #@save\n    """Register functions as methods in created class."""\n'
             "    def wrapper(obj):\n        setattr(Class, obj.__name__, obj)\n    return wrapper"),
        code("class A:\n    def __init__(self):\n        self.b = 1\n\n\na = A()"),
        code("@add_to_class(A)\ndef do(self):\n    print('Class attribute \"b\" is', self.b)\n\n\na.do()"),
        code('class HyperParameters:  #@save\n    """The base class of hyperparameters."""\n'
             "    def save_hyperparameters(self, ignore=[]):\n        raise NotImplemented"),
        code("# Call the fully implemented HyperParameters class saved in d2l\n"
             "class B(d2l.HyperParameters):\n    def __init__(self, a, b, c):\n"
             "        self.save_hyperparameters(ignore=['c'])\n"
             "        print('self.a =', self.a, 'self.b =', self.b)\n"
             "        print('There is no self.c =', not hasattr(self, 'c'))\n\n"
             "b = B(a=1, b=2, c=3)"),
        code('class ProgressBoard(d2l.HyperParameters):  #@save\n'
             '    """The board that plots data points in animation."""\n'
             "    def __init__(self, xlabel=None, ylabel=None, xlim=None,\n"
             "                 ylim=None, xscale='linear', yscale='linear',\n"
             "                 ls=['-', '--', '-.', ':'], colors=['C0', 'C1', 'C2', 'C3'],\n"
             "                 fig=None, axes=None, figsize=(3.5, 2.5), display=True):\n"
             "        self.save_hyperparameters()\n\n"
             "    def draw(self, x, y, label, every_n=1):\n        raise NotImplemented"),
        code("board = d2l.ProgressBoard('x')\nfor x in np.arange(0, 10, 0.1):\n"
             "    board.draw(x, np.sin(x), 'sin', every_n=2)\n"
             "    board.draw(x, np.cos(x), 'cos', every_n=10)"),
        md("## 3.2.2 Models"),
        code('class Module(nn.Module, d2l.HyperParameters):  #@save\n    """The base class of models."""\n'
             "    def __init__(self, plot_train_per_epoch=2, plot_valid_per_epoch=1):\n"
             "        super().__init__()\n        self.save_hyperparameters()\n"
             "        self.board = ProgressBoard()\n\n"
             "    def loss(self, y_hat, y):\n        raise NotImplementedError\n\n"
             "    def forward(self, X):\n        assert hasattr(self, 'net'), 'Neural network is defined'\n"
             "        return self.net(X)\n\n"
             "    def plot(self, key, value, train):\n"
             '        """Plot a point in animation."""\n'
             "        assert hasattr(self, 'trainer'), 'Trainer is not inited'\n"
             "        self.board.xlabel = 'epoch'\n        if train:\n"
             "            x = self.trainer.train_batch_idx / \\\n                self.trainer.num_train_batches\n"
             "            n = self.trainer.num_train_batches / \\\n                self.plot_train_per_epoch\n"
             "        else:\n            x = self.trainer.epoch + 1\n"
             "            n = self.trainer.num_val_batches / \\\n                self.plot_valid_per_epoch\n"
             "        self.board.draw(x, value.to(d2l.cpu()).detach().numpy(),\n"
             "                        ('train_' if train else 'val_') + key,\n"
             "                        every_n=int(n))\n\n"
             "    def training_step(self, batch):\n        l = self.loss(self(*batch[:-1]), batch[-1])\n"
             "        self.plot('loss', l, train=True)\n        return l\n\n"
             "    def validation_step(self, batch):\n        l = self.loss(self(*batch[:-1]), batch[-1])\n"
             "        self.plot('loss', l, train=False)\n\n"
             "    def configure_optimizers(self):\n        raise NotImplementedError"),
        md("## 3.2.3 Data"),
        code('class DataModule(d2l.HyperParameters):  #@save\n    """The base class of data."""\n'
             "    def __init__(self, root='../data', num_workers=4):\n        self.save_hyperparameters()\n\n"
             "    def get_dataloader(self, train):\n        raise NotImplementedError\n\n"
             "    def train_dataloader(self):\n        return self.get_dataloader(train=True)\n\n"
             "    def val_dataloader(self):\n        return self.get_dataloader(train=False)"),
        md("## 3.2.4 Training"),
        code('class Trainer(d2l.HyperParameters):  #@save\n'
             '    """The base class for training models with data."""\n'
             "    def __init__(self, max_epochs, num_gpus=0, gradient_clip_val=0):\n"
             "        self.save_hyperparameters()\n        assert num_gpus == 0, 'No GPU support yet'\n\n"
             "    def prepare_data(self, data):\n"
             "        self.train_dataloader = data.train_dataloader()\n"
             "        self.val_dataloader = data.val_dataloader()\n"
             "        self.num_train_batches = len(self.train_dataloader)\n"
             "        self.num_val_batches = (len(self.val_dataloader)\n"
             "                                if self.val_dataloader is not None else 0)\n\n"
             "    def prepare_model(self, model):\n        model.trainer = self\n"
             "        model.board.xlim = [0, self.max_epochs]\n        self.model = model\n\n"
             "    def fit(self, model, data):\n        self.prepare_data(data)\n"
             "        self.prepare_model(model)\n        self.optim = model.configure_optimizers()\n"
             "        self.epoch = 0\n        self.train_batch_idx = 0\n        self.val_batch_idx = 0\n"
             "        for self.epoch in range(self.max_epochs):\n            self.fit_epoch()\n\n"
             "    def fit_epoch(self):\n        raise NotImplementedError"),
        md("### Notes & Exercises (3.2)\n\n"
           "`add_to_class` lets a long class be written over several cells, which suits notebooks "
           "but scatters the definition (and leaves the function name bound to None). Without "
           "`save_hyperparameters`, `B(a=1, b=2, c=3)` raises `AttributeError: 'B' object has no "
           "attribute 'a'`, because nothing stores the arguments as attributes."),
    ]


def s3_4(v: str) -> list:
    return [
        md("# 3.4 Linear Regression Implementation from Scratch"),
        code(PIP),
        code("%matplotlib inline\nimport torch\nfrom d2l import torch as d2l"),
        md("## 3.4.1 Defining the Model"),
        code("class LinearRegressionScratch(d2l.Module):  #@save\n"
             '    """The linear regression model implemented from scratch."""\n'
             "    def __init__(self, num_inputs, lr, sigma=0.01):\n        super().__init__()\n"
             "        self.save_hyperparameters()\n"
             "        self.w = torch.normal(0, sigma, (num_inputs, 1), requires_grad=True)\n"
             "        self.b = torch.zeros(1, requires_grad=True)"),
        code("@d2l.add_to_class(LinearRegressionScratch)  #@save\ndef forward(self, X):\n"
             "    return torch.matmul(X, self.w) + self.b"),
        md("## 3.4.2 Defining the Loss Function"),
        code("@d2l.add_to_class(LinearRegressionScratch)  #@save\ndef loss(self, y_hat, y):\n"
             "    l = (y_hat - y) ** 2 / 2\n    return l.mean()"),
        md("## 3.4.3 Defining the Optimization Algorithm"),
        code('class SGD(d2l.HyperParameters):  #@save\n    """Minibatch stochastic gradient descent."""\n'
             "    def __init__(self, params, lr):\n        self.save_hyperparameters()\n\n"
             "    def step(self):\n        for param in self.params:\n"
             "            param -= self.lr * param.grad\n\n"
             "    def zero_grad(self):\n        for param in self.params:\n"
             "            if param.grad is not None:\n                param.grad.zero_()"),
        code("@d2l.add_to_class(LinearRegressionScratch)  #@save\ndef configure_optimizers(self):\n"
             "    return SGD([self.w, self.b], self.lr)"),
        md("## 3.4.4 Training"),
        code("@d2l.add_to_class(d2l.Trainer)  #@save\ndef prepare_batch(self, batch):\n    return batch\n\n"
             "@d2l.add_to_class(d2l.Trainer)  #@save\ndef fit_epoch(self):\n    self.model.train()\n"
             "    for batch in self.train_dataloader:\n"
             "        loss = self.model.training_step(self.prepare_batch(batch))\n"
             "        self.optim.zero_grad()\n        with torch.no_grad():\n            loss.backward()\n"
             "            if self.gradient_clip_val > 0:  # To be discussed later\n"
             "                self.clip_gradients(self.gradient_clip_val, self.model)\n"
             "            self.optim.step()\n        self.train_batch_idx += 1\n"
             "    if self.val_dataloader is None:\n        return\n    self.model.eval()\n"
             "    for batch in self.val_dataloader:\n        with torch.no_grad():\n"
             "            self.model.validation_step(self.prepare_batch(batch))\n"
             "        self.val_batch_idx += 1"),
        code("model = LinearRegressionScratch(2, lr=0.03)\n"
             "data = d2l.SyntheticRegressionData(w=torch.tensor([2, -3.4]), b=4.2)\n"
             "trainer = d2l.Trainer(max_epochs=3)\ntrainer.fit(model, data)"),
        code("with torch.no_grad():\n"
             "    print(f'error in estimating w: {data.w - model.w.reshape(data.w.shape)}')\n"
             "    print(f'error in estimating b: {data.b - model.b}')"),
        md("### Discussions/Takeaways/Exercises (3.4)\n\n"
           "**Zero initialisation** works for linear regression (the loss is convex and there is "
           "no symmetry to break), but not for networks with more than one layer. With variance "
           "1000 the start is far away and training needs more epochs. After 3 epochs at lr 0.03 "
           "the errors were still about 0.1-0.2, so the model is not converged.\n\n"
           "**Try different learning rates:**"),
        code("for lr in [0.001, 0.01, 0.03, 0.1]:\n"
             "    model = LinearRegressionScratch(2, lr=lr)\n"
             "    trainer = d2l.Trainer(max_epochs=50)\n"
             "    trainer.fit(model, data)"),
        md("A small learning rate (0.001) is still far from the solution after 50 epochs; 0.1 "
           "converges quickly. Too large a rate would diverge."),
    ]


# ================================================================ chapter 4

def s4_1(v: str) -> list:
    return [
        md("# 4.1 Softmax Regression"),
        code(PIP),
        md("One-hot labels: y ∈ {(1, 0, 0), (0, 1, 0), (0, 0, 1)} for cat, chicken, dog; "
           "o = Wx + b with W of shape 3 × 4. ŷ = softmax(o), ŷ_i = exp(o_i) / Σ_j exp(o_j), and "
           "argmax ŷ = argmax o. Vectorised: O = XW + b, Ŷ = softmax(O).\n\n"
           "Loss: l(y, ŷ) = -Σ_j y_j log ŷ_j = log Σ_k exp(o_k) - Σ_j y_j o_j, so "
           "∂l/∂o_j = softmax(o)_j - y_j. Entropy H[P] = -Σ P log P (nats); cross-entropy "
           "H(P, Q) ≥ H(P)."),
        md("### Discussions/Takeaways/Exercises (4.1)\n\n"
           "The second derivative of the cross-entropy loss is diag(p) - p p^T, whose diagonal "
           "p_j(1 - p_j) is the variance of a Bernoulli variable. L1 regularisation would push "
           "many weights to exactly zero (sparse features), L2 only shrinks them."),
    ]


def s4_2(v: str) -> list:
    return [
        md("# 4.2 The Image Classification Dataset"),
        code(PIP),
        code("%matplotlib inline\nimport time\nimport torch\nimport torchvision\n"
             "from torchvision import transforms\nfrom d2l import torch as d2l\n\nd2l.use_svg_display()"),
        md("## 4.2.1 Loading the Dataset"),
        code('class FashionMNIST(d2l.DataModule):  #@save\n    """The Fashion-MNIST dataset."""\n'
             "    def __init__(self, batch_size=64, resize=(28, 28)):\n        super().__init__()\n"
             "        self.save_hyperparameters()\n"
             "        trans = transforms.Compose([transforms.Resize(resize),\n"
             "                                    transforms.ToTensor()])\n"
             "        self.train = torchvision.datasets.FashionMNIST(\n"
             "            root=self.root, train=True, transform=trans, download=True)\n"
             "        self.val = torchvision.datasets.FashionMNIST(\n"
             "            root=self.root, train=False, transform=trans, download=True)"),
        code("data = FashionMNIST(resize=(32, 32))\nlen(data.train), len(data.val)"),
        code("data.train[0][0].shape"),
        code("@d2l.add_to_class(FashionMNIST)  #@save\ndef text_labels(self, indices):\n"
             '    """Return text labels."""\n'
             "    labels = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat',\n"
             "              'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']\n"
             "    return [labels[int(i)] for i in indices]"),
        md("## 4.2.2 Reading a Minibatch"),
        code("@d2l.add_to_class(FashionMNIST)  #@save\ndef get_dataloader(self, train):\n"
             "    data = self.train if train else self.val\n"
             "    return torch.utils.data.DataLoader(data, self.batch_size, shuffle=train,\n"
             "                                       num_workers=self.num_workers)"),
        code("X, y = next(iter(data.train_dataloader()))\nprint(X.shape, X.dtype, y.shape, y.dtype)"),
        code("tic = time.time()\nfor X, y in data.train_dataloader():\n    continue\nf'{time.time() - tic:.2f} sec'"),
        md("## 4.2.3 Visualization"),
        code("def show_images(imgs, num_rows, num_cols, titles=None, scale=1.5):  #@save\n"
             '    """Plot a list of images."""\n    raise NotImplementedError'),
        code("@d2l.add_to_class(FashionMNIST)  #@save\n"
             "def visualize(self, batch, nrows=1, ncols=8, labels=[]):\n    X, y = batch\n"
             "    if not labels:\n        labels = self.text_labels(y)\n"
             "    d2l.show_images(X.squeeze(1), nrows, ncols, titles=labels)\n\n"
             "batch = next(iter(data.val_dataloader()))\ndata.visualize(batch)"),
        md("### Discussion & Exercises (4.2)\n\n"
           "Reducing the batch size to 1 makes reading much slower: every minibatch has a fixed "
           "overhead (Python loop, collate, worker communication), and Resize + ToTensor per "
           "image dominates. The iterator is fast enough for this model (an epoch of reading is "
           "shorter than an epoch of training). torchvision also offers MNIST, CIFAR-10, SVHN and "
           "ImageNet."),
    ]


def s4_3(v: str) -> list:
    return [
        md("# 4.3 The Base Classification Model"),
        code("import torch\nfrom d2l import torch as d2l"),
        md("## 4.3.1 The Classifier Class"),
        code('class Classifier(d2l.Module):  #@save\n    """The base class of classification models."""\n'
             "    def validation_step(self, batch):\n        Y_hat = self(*batch[:-1])\n"
             "        self.plot('loss', self.loss(Y_hat, batch[-1]), train=False)\n"
             "        self.plot('acc', self.accuracy(Y_hat, batch[-1]), train=False)"),
        code("@d2l.add_to_class(d2l.Module)  #@save\ndef configure_optimizers(self):\n"
             "    return torch.optim.SGD(self.parameters(), lr=self.lr)"),
        md("## 4.3.2 Accuracy"),
        code("@d2l.add_to_class(Classifier)  #@save\ndef accuracy(self, Y_hat, Y, averaged=True):\n"
             '    """Compute the number of correct predictions."""\n'
             "    Y_hat = Y_hat.reshape((-1, Y_hat.shape[-1]))\n"
             "    preds = Y_hat.argmax(axis=1).type(Y.dtype)\n"
             "    compare = (preds == Y.reshape(-1)).type(torch.float32)\n"
             "    return compare.mean() if averaged else compare"),
        md("### Discussions/Takeaways/Exercises (4.3)\n\n"
           "The loss is what we optimise (differentiable), accuracy is the metric we care about. "
           "Averaging minibatch losses weights the last, smaller minibatch too much; the exact "
           "validation loss weights every example equally. With a loss matrix the Bayes-optimal "
           "choice minimises the expected loss, not the error rate."),
    ]


def s4_4(v: str) -> list:
    cells = [
        md("# 4.4 Softmax Regression Implementation from Scratch"),
        code(PIP),
        code("import torch\nfrom d2l import torch as d2l"),
        md("## 4.4.1 The Softmax"),
        code("X = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])\nX.sum(0, keepdims=True), X.sum(1, keepdims=True)"),
        code("def softmax(X):\n    X_exp = torch.exp(X)\n    partition = X_exp.sum(1, keepdims=True)\n"
             "    return X_exp / partition  # The broadcasting mechanism is applied here"),
        code("X = torch.rand((2, 5))\nX_prob = softmax(X)\nX_prob, X_prob.sum(1)"),
        md("## 4.4.2 The Model"),
        code("class SoftmaxRegressionScratch(d2l.Classifier):\n"
             "    def __init__(self, num_inputs, num_outputs, lr, sigma=0.01):\n        super().__init__()\n"
             "        self.save_hyperparameters()\n"
             "        self.W = torch.normal(0, sigma, size=(num_inputs, num_outputs),\n"
             "                              requires_grad=True)\n"
             "        self.b = torch.zeros(num_outputs, requires_grad=True)\n\n"
             "    def parameters(self):\n        return [self.W, self.b]"),
        code("@d2l.add_to_class(SoftmaxRegressionScratch)\ndef forward(self, X):\n"
             "    X = X.reshape((-1, self.W.shape[0]))\n"
             "    return softmax(torch.matmul(X, self.W) + self.b)"),
        md("## 4.4.3 The Cross-Entropy Loss"),
        code("y = torch.tensor([0, 2])\ny_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])\ny_hat[[0, 1], y]"),
        code("def cross_entropy(y_hat, y):\n    return -torch.log(y_hat[list(range(len(y_hat))), y]).mean()\n\n"
             "cross_entropy(y_hat, y)"),
        code("@d2l.add_to_class(SoftmaxRegressionScratch)\ndef loss(self, y_hat, y):\n"
             "    return cross_entropy(y_hat, y)"),
        md("## 4.4.4 Training"),
        code("data = d2l.FashionMNIST(batch_size=256)\n"
             "model = SoftmaxRegressionScratch(num_inputs=784, num_outputs=10, lr=0.1)\n"
             "trainer = d2l.Trainer(max_epochs=10)\ntrainer.fit(model, data)"),
    ]
    if v != "partial":
        cells += [
            md("## 4.4.5 Prediction"),
            code("X, y = next(iter(data.val_dataloader()))\npreds = model(X).argmax(axis=1)\npreds.shape"),
            code("wrong = preds.type(y.dtype) != y\nX, y, preds = X[wrong], y[wrong], preds[wrong]\n"
                 "labels = [a+'\\n'+b for a, b in zip(\n    data.text_labels(y), data.text_labels(preds))]\n"
                 "data.visualize([X, y], labels=labels)"),
        ]
    cells += [
        md("### Notes & Exercises (4.4)\n\n"
           "**1.** An input of 100 overflows: exp(100) is inf in float32, and inf / inf is nan "
           "(not an integer overflow). Inputs below -100 underflow to 0 and give 0 / 0 = nan when "
           "a whole row does."),
        code("softmax(torch.tensor([[100.0, 0.0], [-1000.0, -1001.0]]))"),
        md("The fix: subtract each row's max before exp(), which changes nothing mathematically."),
        code("def softmax(X):\n    X_exp = torch.exp(X - X.max(axis=1, keepdims=True).values)\n"
             "    partition = X_exp.sum(1, keepdims=True)\n    return X_exp / partition\n\n"
             "softmax(torch.tensor([[100.0, 0.0], [-1000.0, -1001.0]]))"),
        md("**2.** Cross-entropy by its definition takes q logs per example and is slower; it "
           "makes sense for soft labels, but log(0) must be avoided. **3.** Returning the most "
           "likely label is not always a good idea (medical diagnosis: a missed disease costs far "
           "more than a false alarm)."),
    ]
    return cells


# ================================================================ chapter 5

def s5_1(v: str) -> list:
    return [
        md("# 5.1 Multilayer Perceptrons"),
        code(PIP),
        code("%matplotlib inline\nimport torch\nfrom d2l import torch as d2l"),
        md("## 5.1.2 Activation Functions"),
        code("x = torch.arange(-8.0, 8.0, 0.1, requires_grad=True)\ny = torch.relu(x)\n"
             "d2l.plot(x.detach(), y.detach(), 'x', 'relu(x)', figsize=(5, 2.5))"),
        code("y.backward(torch.ones_like(x), retain_graph=True)\n"
             "d2l.plot(x.detach(), x.grad, 'x', 'grad of relu', figsize=(5, 2.5))"),
        code("y = torch.sigmoid(x)\nd2l.plot(x.detach(), y.detach(), 'x', 'sigmoid(x)', figsize=(5, 2.5))"),
        code("# Clear out previous gradients\nx.grad.data.zero_()\n"
             "y.backward(torch.ones_like(x),retain_graph=True)\n"
             "d2l.plot(x.detach(), x.grad, 'x', 'grad of sigmoid', figsize=(5, 2.5))"),
        code("y = torch.tanh(x)\nd2l.plot(x.detach(), y.detach(), 'x', 'tanh(x)', figsize=(5, 2.5))"),
        code("# Clear out previous gradients\nx.grad.data.zero_()\n"
             "y.backward(torch.ones_like(x),retain_graph=True)\n"
             "d2l.plot(x.detach(), x.grad, 'x', 'grad of tanh', figsize=(5, 2.5))"),
        md("### Discussions/Takeaways/Exercises (5.1)\n\n"
           "Without a nonlinearity two layers collapse into one: (XW1 + b1)W2 + b2 = X W + b. "
           "ReLU's derivative is 0 for x < 0 and 1 for x > 0; the sigmoid's gradient is at most "
           "0.25 (at 0) and vanishes for large |x|; tanh's is at most 1.\n\n"
           "**pReLU** max(0, x) + α min(0, x) and its derivative (1 for x > 0, α for x < 0):"),
        code("def pReLU(x, alpha):\n"
             "    return torch.max(torch.zeros_like(x), x) + alpha * torch.min(torch.zeros_like(x), x)\n\n"
             "y = pReLU(x, 0.1)\nx.grad.data.zero_()\ny.backward(torch.ones_like(x), retain_graph=True)\n"
             "d2l.plot(x.detach(), x.grad, 'x', 'grad of pReLU', figsize=(5, 2.5))"),
        md("**Swish** x σ(βx):"),
        code("swish = lambda x, b: x / (1 + torch.exp(-b * x))\n\n"
             "y = swish(x, 1)\nx.grad.data.zero_()  # 이전 gradient 초기화\n"
             "y.backward(torch.ones_like(x), retain_graph=True)\n"
             "d2l.plot(x.detach(), x.grad, 'x', 'grad of swish', figsize=(5, 2.5))"),
    ]


MLP2_BOOKLIKE = ("class {name}(d2l.Classifier):\n"
                 "    def __init__(self, num_outputs, num_hiddens1, num_hiddens2, lr):\n"
                 "        super().__init__()\n        self.save_hyperparameters()\n"
                 "        self.net = nn.Sequential(nn.Flatten(), nn.LazyLinear(num_hiddens1), nn.ReLU(),\n"
                 "                                 nn.LazyLinear(num_hiddens2), nn.ReLU(),\n"
                 "                                 nn.LazyLinear(num_outputs))")


def s5_2(v: str) -> list:
    two = "MLP" if v == "variants" else "MLP2"   # S3 named its two-hidden-layer model MLP again
    return [
        md("# 5.2 Implementation of Multilayer Perceptrons"),
        code(PIP),
        code("import torch\nfrom torch import nn\nfrom d2l import torch as d2l"),
        md("## 5.2.1 Implementation from Scratch"),
        code("class MLPScratch(d2l.Classifier):\n"
             "    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):\n"
             "        super().__init__()\n        self.save_hyperparameters()\n"
             "        self.W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens) * sigma)\n"
             "        self.b1 = nn.Parameter(torch.zeros(num_hiddens))\n"
             "        self.W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs) * sigma)\n"
             "        self.b2 = nn.Parameter(torch.zeros(num_outputs))"),
        code("def relu(X):\n    a = torch.zeros_like(X)\n    return torch.max(X, a)"),
        code("@d2l.add_to_class(MLPScratch)\ndef forward(self, X):\n"
             "    X = X.reshape((-1, self.num_inputs))\n"
             "    H = relu(torch.matmul(X, self.W1) + self.b1)\n"
             "    return torch.matmul(H, self.W2) + self.b2"),
        code("model = MLPScratch(num_inputs=784, num_outputs=10, num_hiddens=256, lr=0.1)\n"
             "data = d2l.FashionMNIST(batch_size=256)\ntrainer = d2l.Trainer(max_epochs=10)\n"
             "trainer.fit(model, data)"),
        md("## 5.2.2 Concise Implementation"),
        code("class MLP(d2l.Classifier):\n    def __init__(self, num_outputs, num_hiddens, lr):\n"
             "        super().__init__()\n        self.save_hyperparameters()\n"
             "        self.net = nn.Sequential(nn.Flatten(), nn.LazyLinear(num_hiddens),\n"
             "                                 nn.ReLU(), nn.LazyLinear(num_outputs))"),
        code("model = MLP(num_outputs=10, num_hiddens=256, lr=0.1)\ntrainer.fit(model, data)"),
        md("### Notes & Exercises (5.2)\n\n"
           "More hidden units (512) fit a little better and train slower; 128 is close. "
           "A second hidden layer (256, 256) reaches about the same accuracy in 10 epochs."),
        code(MLP2_BOOKLIKE.format(name=two)),
        code(f"model = {two}(num_outputs=10, num_hiddens1=256, num_hiddens2=256, lr=0.1)\n"
             "trainer.fit(model, data)"),
        md("A hidden layer with a single neuron would squeeze everything through one number: a "
           "bottleneck that can at best order the classes on a line."),
    ]


BACKPROP_FUNCTIONS = '''\
import torch

# 5.3의 네트워크: phi = tanh, l(o, y) = ||o - y||^2 / 2, bias 없음
def forward(x, y, W1, W2, lam):
    z = W1 @ x
    h = torch.tanh(z)
    o = W2 @ h
    L = 0.5 * ((o - y) ** 2).sum()
    s = lam / 2 * ((W1 ** 2).sum() + (W2 ** 2).sum())
    return z, h, o, L, s, L + s

def backward(x, y, W1, W2, lam):
    z, h, o, L, s, J = forward(x, y, W1, W2, lam)
    dJ_do = o - y
    dJ_dW2 = torch.outer(dJ_do, h) + lam * W2
    dJ_dh = W2.T @ dJ_do
    dJ_dz = dJ_dh * (1 - h ** 2)
    dJ_dW1 = torch.outer(dJ_dz, x) + lam * W1
    return dJ_dW1, dJ_dW2

x, y = torch.randn(4), torch.randn(2)
W1 = torch.randn(3, 4, requires_grad=True)
W2 = torch.randn(2, 3, requires_grad=True)
forward(x, y, W1, W2, 0.1)[-1].backward()
[torch.allclose(g, p.grad) for g, p in zip(backward(x, y, W1.detach(), W2.detach(), 0.1), (W1, W2))]'''

BACKPROP_CLASS = '''\
import torch
from d2l import torch as d2l

class OneHiddenLayer(d2l.HyperParameters):
    """5.3: phi = tanh, l(o, y) = ||o - y||^2 / 2, no biases."""
    def __init__(self, W1, W2, lam):
        self.save_hyperparameters()

@d2l.add_to_class(OneHiddenLayer)
def forward(self, x, y):
    z = self.W1 @ x
    h = torch.tanh(z)
    o = self.W2 @ h
    L = 0.5 * ((o - y) ** 2).sum()
    s = self.lam / 2 * ((self.W1 ** 2).sum() + (self.W2 ** 2).sum())
    return z, h, o, L, s, L + s

@d2l.add_to_class(OneHiddenLayer)
def backward(self, x, y):
    z, h, o, L, s, J = self.forward(x, y)
    dJ_dz = (self.W2.T @ (o - y)) * (1 - h ** 2)
    return torch.outer(dJ_dz, x) + self.lam * self.W1, torch.outer(o - y, h) + self.lam * self.W2

net = OneHiddenLayer(torch.randn(3, 4), torch.randn(2, 3), 0.1)
[g.shape for g in net.backward(torch.randn(4), torch.randn(2))]'''


def s5_3(v: str) -> list:
    if v == "partial":
        return []
    return [
        md("# 5.3 Forward Propagation, Backward Propagation, and Computational Graphs"),
        md("## 5.3.1 Forward Propagation\n\n"
           "z = W⁽¹⁾x, h = φ(z), o = W⁽²⁾h, L = l(o, y), s = λ/2 (‖W⁽¹⁾‖²_F + ‖W⁽²⁾‖²_F), J = L + s."),
        md("## 5.3.3 Backpropagation\n\n"
           "∂J/∂o = ∂L/∂o, ∂J/∂W⁽²⁾ = (∂J/∂o) hᵀ + λW⁽²⁾, ∂J/∂h = W⁽²⁾ᵀ ∂J/∂o, "
           "∂J/∂z = ∂J/∂h ⊙ φ'(z), ∂J/∂W⁽¹⁾ = (∂J/∂z) xᵀ + λW⁽¹⁾."),
        code(BACKPROP_CLASS if v == "variants" else BACKPROP_FUNCTIONS),
        md("### Discussions/Takeaways/Exercises (5.3)\n\n"
           "**1.** If the inputs X of a scalar function f are n × m matrices, ∇_X f is n × m as "
           "well: one partial derivative per entry of X. Backpropagation reuses the forward "
           "pass's intermediate values, so training needs more memory than prediction (z and h "
           "must be kept until the backward pass)."),
    ]


SECTIONS = (s2_1, s2_2, s2_3, s2_4, s2_5, s3_1, s3_2, s3_4, s4_1, s4_2, s4_3, s4_4, s5_1, s5_2, s5_3)


def notebook(variant: str) -> nbformat.NotebookNode:
    cells = []
    for section in SECTIONS:
        for kind, text in section(variant):
            make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
            cells.append(make(text))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index}"
    return nb


def main(out: Path = HERE) -> list[Path]:
    written = []
    for variant in VARIANTS:
        path = out / f"hw1_book_{variant}.ipynb"
        nbformat.write(notebook(variant), path)
        written.append(path)
    return written


if __name__ == "__main__":
    for path in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(path)
