"""Code the tests send into the student's kernel to drive the book's classes, plus small helpers.

The snippets (string constants) are Python run in the student's kernel with
``student.run(code, **bindings)``: they find the notebook's d2l ``Trainer``, load the offline
Fashion-MNIST files the way the book's ``d2l.DataModule`` subclasses do, run seeded training
loops, and return plain data. The helpers around them run in the grader's process. This
module holds what several chapters share; the submodules hold each chapter's own drivers
(``preliminaries``, ``linear``, ``classification``, ``perceptrons``). Every ``student.run``
in a test gets its code from here, and no snippet reads a clock, inspects memory, patches a
library, asserts or returns a comparison (``tests/test_kernel_code.py``).

This module is PUBLIC by design: it ships with the students' checks (``grader check``).
It must never hold a verdict, an expected value or anything secret. What a snippet sends
back is only what the student's code produced; the verdicts are always computed in the
grader's process, by the tests, from what comes back. The helpers here only turn what came
back into data (or say, as ``grader.testing`` does, that it is not the kind of value the
book's code returns); whatever they compare against is passed in by the test.
"""
from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch

from grader import datasets
from grader.testing import Mismatch, StudentError, describe, expect_tensor, require

__all__ = [
    # 3.2 and 3.4: d2l's Trainer
    "TRAINER_FINDER", "WHICH_TRAINER", "NO_FIT_EPOCH", "require_trainer", "SCRATCH_SGD",
    "LINREG_SCRATCH_TRAINING", "train_linreg_scratch", "largest_error", "run_hparams",
    # 2.2: data files and frames
    "WRITE_CSV", "REMOVE_CSV", "csv_in_kernel", "expect_columns",
    # 4.2 and 4.4: offline Fashion-MNIST
    "OFFLINE_FASHION_MNIST", "SOFTMAX_SCRATCH_TRAINING", "train_softmax_scratch", "fashion_mnist_labels",
    "CAPTURE_SHOW_IMAGES", "visualize_once", "READING_TIME",
    # 4.3: the base classification model
    "CLASSIFIER_ACCURACY", "validation_probe",
    # 5.2: multilayer perceptrons
    "MLP_SCRATCH_TRAINING",
    # any kept object; functions made from a test's input
    "VALUE", "FUNCTION",
    # numbers
    "as_number",
]


# A kept kernel object (a Ref) sent back as data, or data sent in (keep it). Binding: value.
VALUE = "value"

# A function made in the kernel from ``source``, a Python expression over math and torch
# that is one of a test's inputs (e.g. "lambda x: x ** 3"); keep it to pass it to the
# notebook's code. Binding: source.
FUNCTION = "import math\nimport torch\neval(source)"


# ================================================================ d2l's Trainer (3.2, 3.4)

# Defines _trainer_class(): the trainer the notebook trains with. A Trainer subclass of
# d2l.Trainer it defines, else d2l.Trainer once the notebook patched fit_epoch onto it (the
# book's way; a re-typed 3.2 Trainer stub is then ignored), else the notebook's own Trainer
# class; None while fit_epoch is still the library's own.
TRAINER_FINDER = '''
from d2l import torch as d2l

def _trainer_class():
    own = globals().get("Trainer")
    if isinstance(own, type) and issubclass(own, d2l.Trainer):
        chosen = own
    elif getattr(d2l.Trainer.fit_epoch, "__module__", None) != "d2l.torch":
        chosen = d2l.Trainer
    elif isinstance(own, type) and hasattr(own, "fit_epoch"):
        chosen = own
    else:
        return None
    if getattr(chosen.fit_epoch, "__module__", None) == "d2l.torch":
        return None
    return chosen
'''

# Which trainer that is: "d2l.Trainer", "Trainer", or None.
WHICH_TRAINER = TRAINER_FINDER + '''
_found = _trainer_class()
None if _found is None else ("d2l.Trainer" if _found is d2l.Trainer else "Trainer")
'''

NO_FIT_EPOCH = ("the notebook does not define fit_epoch: d2l.Trainer still has the library's own. "
                "Write prepare_batch and fit_epoch and attach them with @d2l.add_to_class(d2l.Trainer), "
                "as 3.4.4 does")


def require_trainer(student: Any) -> None:
    """The notebook must have written fit_epoch itself."""
    require(student.run(WHICH_TRAINER, label="finding the notebook's Trainer") is not None, NO_FIT_EPOCH)


# The book's scratch SGD (3.4.3) as the grader's own class ``_SGD``: a step outside no_grad
# raises as it would in the notebook. Prepend TRAINER_FINDER when a model uses it with fit.
SCRATCH_SGD = '''
import torch

class _SGD:
    def __init__(self, params, lr):
        self.params, self.lr = params, lr

    def step(self):
        for p in self.params:
            p -= self.lr * p.grad

    def zero_grad(self):
        for p in self.params:
            if p.grad is not None:
                p.grad.zero_()

'''

# The book's training run of 3.4 (LinearRegressionScratch on SyntheticRegressionData), seeded,
# with the progress plot turned off. Bindings: seed, lr, max_epochs, sigma (None: the default).
LINREG_SCRATCH_TRAINING = TRAINER_FINDER + '''
import torch
torch.manual_seed(seed)
model = LinearRegressionScratch(2, lr=lr) if sigma is None else LinearRegressionScratch(2, lr=lr, sigma=sigma)
if hasattr(model, "board"):
    model.board.display = False
data = d2l.SyntheticRegressionData(w=torch.tensor([2, -3.4]), b=4.2)
trainer = _trainer_class()(max_epochs=max_epochs)
trainer.fit(model, data)
(model.w.detach().reshape(-1).clone(), model.b.detach().reshape(-1).clone())
'''


def train_linreg_scratch(student: Any, *, seed: int, lr: float = 0.03, max_epochs: int = 3,
                         sigma: float | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Train the student's model with their loop in the kernel; returns (w, b) as flat tensors."""
    require_trainer(student)
    what = f"training LinearRegressionScratch(2, lr={lr}) for {max_epochs} epochs"
    w, b = student.run(LINREG_SCRATCH_TRAINING, label=what, seed=seed, lr=lr, max_epochs=max_epochs,
                       sigma=sigma)
    return (expect_tensor(w, "model.w after training", shape=(2,)),
            expect_tensor(b, "model.b after training", shape=(1,)))


def largest_error(w: torch.Tensor, b: torch.Tensor, true_w: torch.Tensor, true_b: float) -> float:
    """The largest estimation error of trained w and b against the parameters the caller made
    the data with (inf when training diverged to inf or NaN)."""
    errors = [*(w.double() - true_w.double()).abs().tolist(), abs(float(b[0]) - true_b)]
    return max(errors) if all(math.isfinite(e) for e in errors) else math.inf


def run_hparams(student: Any, code: str, label: str) -> Any:
    """Run a HyperParameters check; the book's stub gets a message naming it."""
    try:
        return student.run(code, label=label)
    except StudentError as exc:
        if exc.traceback.type == "TypeError" and "derive from BaseException" in exc.traceback.message:
            raise Mismatch("save_hyperparameters is still the book's stub (`raise NotImplemented`, "
                           "which is not even an exception): give it a body that stores the "
                           "caller's arguments") from None
        raise


# ================================================================ data files and frames (2.2)

# Writes ``text`` to a file named ``file_name`` in a fresh temporary folder of the kernel's
# own; returns its path. REMOVE_CSV removes that folder again.
WRITE_CSV = """
import os, tempfile
folder = tempfile.mkdtemp(prefix="hw1-")
path = os.path.join(folder, file_name)
with open(path, "w") as f:
    f.write(text)
path
"""
REMOVE_CSV = "import os, shutil\nshutil.rmtree(os.path.dirname(path), ignore_errors=True)"


@contextmanager
def csv_in_kernel(student: Any, text: str, *, file_name: str = "house.csv",
                  what: str = "the CSV file") -> Iterator[str]:
    """The path of ``text`` written to a file in the kernel, removed when the block ends;
    ``what`` names the file in the labels ("writing ...", "removing ...")."""
    path = student.run(WRITE_CSV, text=text, file_name=file_name, label=f"writing {what}")
    try:
        yield path
    finally:
        student.run(REMOVE_CSV, path=path, label=f"removing {what}")


def expect_columns(got: Any, expected: list, call: str) -> None:
    """``got`` is a DataFrame with exactly the ``expected`` columns, said in terms of what to fix."""
    # A DataFrame can only have come back once pandas is loaded; this module does not load it.
    pandas = sys.modules.get("pandas")
    require(pandas is not None and isinstance(got, pandas.DataFrame),
            f"{call} is {describe(got)}; expected a DataFrame")
    have = list(got.columns)
    if have == expected:
        return
    dropped = [c for c in expected if c not in have]
    kept = [c for c in have if c not in expected]
    parts = ([f"dropped {dropped}, which should stay"] if dropped else []) + \
            ([f"kept {kept}, which should be dropped"] if kept else [])
    raise Mismatch(f"{call} " + " and ".join(parts or [f"has the columns in the order {have}"]))


# ================================================================ offline Fashion-MNIST (4.2, 4.4)

# The offline Fashion-MNIST files as decoded tensors, in a d2l.DataModule: no transforms, no
# worker processes, read from ../data where the grader puts the files (the offline_data fixture
# does the same for tests run in this process).
OFFLINE_FASHION_MNIST = """
import torch
import torchvision
from d2l import torch as d2l

class OfflineFashionMNIST(d2l.DataModule):
    def __init__(self, batch_size):
        super().__init__(num_workers=0)
        self.batch_size = batch_size
        splits = [torchvision.datasets.FashionMNIST(root=self.root, train=t, download=False) for t in (True, False)]
        self.train, self.val = [(s.data.unsqueeze(1).float() / 255, s.targets) for s in splits]

    def get_dataloader(self, train):
        return self.get_tensorloader(self.train if train else self.val, train)
"""

# SoftmaxRegressionScratch trained by the book's d2l.Trainer on OfflineFashionMNIST; returns
# the model's output on the validation images. Bindings: seed, lr, batch_size, max_epochs.
SOFTMAX_SCRATCH_TRAINING = OFFLINE_FASHION_MNIST + """
threads = torch.get_num_threads()
torch.set_num_threads(1)  # tiny matrices: one thread is as fast, and does not spin when kernels share CPUs
try:
    torch.manual_seed(seed)
    data = OfflineFashionMNIST(batch_size)
    model = SoftmaxRegressionScratch(num_inputs=784, num_outputs=10, lr=lr)
    model.board.display = False
    d2l.Trainer(max_epochs=max_epochs).fit(model, data)
    with torch.no_grad():
        y_hat = model(data.val[0])
finally:
    torch.set_num_threads(threads)
y_hat
"""


def fashion_mnist_labels(files: datasets.FashionMNISTFiles, split: str) -> torch.Tensor:
    """The labels of ``split`` ("train" or "test"), read by the grader from the files it gives
    the kernel (never from the kernel), as int64."""
    return torch.from_numpy(datasets.read_idx(files.raw_dir / datasets.FILES[split, "labels"]).astype("int64"))


def train_softmax_scratch(student: Any, files: datasets.FashionMNISTFiles,
                          **settings: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """Train in the kernel (SOFTMAX_SCRATCH_TRAINING with ``settings``); returns the model's
    output on the validation images and their labels from the files."""
    y = fashion_mnist_labels(files, "test")
    y_hat = student.run(SOFTMAX_SCRATCH_TRAINING, label="training SoftmaxRegressionScratch", **settings)
    return expect_tensor(y_hat, "model(X) on the validation images", shape=(len(y), 10)), y


# FashionMNIST(resize=(32, 32)).visualize((X, y), **options) with d2l.show_images replaced by a
# recorder; returns the list of calls (imgs, num_rows, num_cols, titles).
CAPTURE_SHOW_IMAGES = """
from d2l import torch as d2l
calls = []
def capture(imgs, num_rows, num_cols, titles=None, scale=1.5):
    calls.append({"imgs": imgs, "num_rows": num_rows, "num_cols": num_cols,
                  "titles": None if titles is None else list(titles)})
original = d2l.show_images
d2l.show_images = capture
try:
    FashionMNIST(resize=(32, 32)).visualize((X, y), **options)
finally:
    d2l.show_images = original
calls
"""


def visualize_once(student: Any, X: torch.Tensor, y: torch.Tensor, **options: Any) -> dict:
    """What data.visualize((X, y), **options) passed to d2l.show_images, which it must call once."""
    calls = student.run(CAPTURE_SHOW_IMAGES, X=X, y=y, options=options, label="data.visualize((X, y))")
    require(len(calls) == 1, f"data.visualize((X, y)) called d2l.show_images {len(calls)} times; expected once")
    return calls[0]


# The student's reading_time over Fashion-MNIST's training images, already decoded into one
# tensor; returns what reading_time returned. Binding: batch_size.
READING_TIME = """
import torch
import torchvision
from d2l import torch as d2l

class Reader(d2l.DataModule):
    \"\"\"Fashion-MNIST's training images, already decoded into one tensor.\"\"\"
    def __init__(self, batch_size):
        super().__init__(num_workers=0)
        self.batch_size = batch_size
        train = torchvision.datasets.FashionMNIST(root=self.root, train=True, download=False)
        self.train = torch.utils.data.TensorDataset(train.data.unsqueeze(1).float() / 255, train.targets)

    def get_dataloader(self, train):
        return torch.utils.data.DataLoader(self.train, self.batch_size, shuffle=train,
                                           num_workers=self.num_workers)

reading_time(Reader(batch_size))
"""


# ================================================================ the base classification model (4.3)

# Bindings: Y_hat, Y, averaged.
CLASSIFIER_ACCURACY = "Classifier().accuracy(Y_hat, Y, averaged=averaged)"

_PROBE = """
import torch

class Probe(Classifier):
    \"\"\"Classifier whose forward adds its inputs ({args}); records what it plots.\"\"\"
    def forward(self, {args}):
        return {total}
    def loss(self, Y_hat, Y):
        return torch.nn.functional.cross_entropy(Y_hat, Y)
    def plot(self, key, value, train):
        self.plotted.append([key, float(value), bool(train)])

probe = Probe()
probe.plotted = []
probe.validation_step(batch)
probe.plotted
"""


def validation_probe(*inputs: str) -> str:
    """Kernel code: a Classifier whose forward takes ``inputs`` and returns their sum (one input:
    that input) with cross-entropy loss; runs validation_step(batch) and returns what it
    plotted, as [key, value, train] lists."""
    return _PROBE.format(args=", ".join(inputs), total=" + ".join(inputs))


# ================================================================ multilayer perceptrons (5.2)

# A seeded run of the student's MLPScratch with the book's sizes (lr 0.1, minibatches of 256)
# on the first ``train_size`` (at most) offline training images, with torch's SGD and
# cross-entropy; ``losses`` holds the mean training loss of each epoch. It ends without a
# result: add the expression to send back. Bindings: train_size, epochs, seed.
# The images are d2l.FashionMNIST's (Resize to their own 28x28 leaves them as they are, and
# ToTensor divides by 255), decoded once instead of through PIL image by image.
MLP_SCRATCH_TRAINING = OFFLINE_FASHION_MNIST + """
from torch.nn import functional as F
threads = torch.get_num_threads()
torch.set_num_threads(1)  # as for softmax regression: the same result whatever the kernel's threads
try:
    data = OfflineFashionMNIST(256)
    X, y = data.train[0][:train_size], data.train[1][:train_size]
    torch.manual_seed(seed)
    model = MLPScratch(num_inputs=784, num_outputs=10, num_hiddens=256, lr=0.1)
    optim = torch.optim.SGD(model.parameters(), lr=0.1)
    order = torch.Generator().manual_seed(seed)
    losses = []
    for epoch in range(epochs):
        total = 0.0
        for idx in torch.randperm(len(y), generator=order).split(256):
            loss = F.cross_entropy(model(X[idx]), y[idx])
            optim.zero_grad()
            loss.backward()
            optim.step()
            total += float(loss.detach()) * len(idx)
        losses.append(total / len(y))
finally:
    torch.set_num_threads(threads)
"""


# ================================================================ numbers

def as_number(value: Any, name: str) -> float:
    """A returned number, 0-d or one-element tensor as a float."""
    if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.is_complex():
        return float(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise Mismatch(f"{name} is {describe(value)}; expected a number")
