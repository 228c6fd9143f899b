"""Calibrate hw1-book's training bands: `python -m tests.calibration.book_training [seeds]`.

Trains the reference solutions the way the book's sections do (3.4: LinearRegressionScratch
on d2l.SyntheticRegressionData, 3 epochs at lr 0.03; 4.4: SoftmaxRegressionScratch, 10 epochs
of d2l.FashionMNIST(batch_size=256) at lr 0.1; 5.2: MLPScratch, the concise MLP and the
exercise's two-hidden-layer MLP, 10 epochs each), in this process, with the offline
Fashion-MNIST files under ../data as the sandbox has them, over many seeds, and measures
them with the hidden tests' own functions. Prints the figures behind the tolerances
``linreg_training``, ``softmax_val_accuracy`` and
``mlp_training_accuracy`` in assignments/hw1-book/exercises/ and REFERENCE_ACCURACY in the
hidden tests, plus what untrained models give.
"""
from __future__ import annotations

import importlib.util
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

from grader import datasets
from grader.assignment import load_assignment

ROOT = Path(__file__).resolve().parents[2]
HIDDEN = ROOT / "assignments" / "hw1-book" / "hidden"


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"book_{name}", HIDDEN / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fit(model, data, epochs):
    from reference.linreg import Trainer   # the book's 3.4.4 fit_epoch, on a d2l.Trainer subclass
    model.board.display = False
    Trainer(max_epochs=epochs).fit(model, data)
    return model


def linreg(seed, lr, epochs):
    from d2l import torch as d2l
    from reference.linreg import LinearRegressionScratch
    torch.manual_seed(seed)
    model = LinearRegressionScratch(2, lr=lr)
    data = d2l.SyntheticRegressionData(w=torch.tensor([2, -3.4]), b=4.2)
    return fit(model, data, epochs) if epochs else model


def fashion(seed, make, epochs=10):
    from d2l import torch as d2l
    torch.manual_seed(seed)
    data = d2l.FashionMNIST(batch_size=256)
    data.num_workers = 0
    model = make()
    if epochs:
        fit(model, data, epochs)
    return model


def summary(values):
    return (f"min {min(values):.3f}  median {statistics.median(values):.3f}  max {max(values):.3f}  "
            f"(n = {len(values)})")


def main(seeds: int = 10) -> None:
    assignment = load_assignment("hw1-book")
    tol = assignment.tolerance
    test_linreg, test_softmax, test_mlp = load("test_linreg"), load("test_softmax"), load("test_mlp")
    from reference.mlp import MLP, MLP2, MLPScratch
    from reference.softmax import SoftmaxRegressionScratch
    files = datasets.fashion_mnist()
    print(files.describe())
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "data" / "FashionMNIST" / "raw"
        raw.parent.mkdir(parents=True)
        os.symlink(files.raw_dir, raw, target_is_directory=True)
        (Path(tmp) / "work").mkdir()
        os.chdir(Path(tmp) / "work")
        torch.set_num_threads(1)

        print(f"\n3.4: root mean square distance of model(X) from the true line "
              f"(linreg_training bound {tol('linreg_training').atol})")
        for label, lr, epochs in (("book: lr 0.03, 3 epochs", 0.03, 3), ("sweep's last: lr 0.1, 50 epochs", 0.1, 50),
                                  ("sweep's first: lr 0.001, 50 epochs", 0.001, 50),
                                  ("lr 0.003, 3 epochs", 0.003, 3), ("untrained", 0.03, 0)):
            began = time.monotonic()
            n = 2 * seeds if epochs <= 3 else max(3, seeds // 2)
            errors = [test_linreg.rmse_against_the_line(linreg(s, lr, epochs)) for s in range(n)]
            print(f"  {label:36s} {summary(errors)}  {(time.monotonic() - began) / n:.1f} s a run")

        print(f"\n4.4: validation accuracy (REFERENCE_ACCURACY {test_softmax.REFERENCE_ACCURACY}, "
              f"softmax_val_accuracy {tol('softmax_val_accuracy').atol})")
        make = lambda: SoftmaxRegressionScratch(num_inputs=784, num_outputs=10, lr=0.1)   # noqa: E731
        for label, epochs in (("book: 10 epochs", 10), ("untrained", 0)):
            began = time.monotonic()
            n = 2 * seeds if epochs else 3
            accs = [test_softmax.validation_accuracy(fashion(s, make, epochs), files) for s in range(n)]
            print(f"  {label:36s} {summary(accs)}  {(time.monotonic() - began) / n:.1f} s a run")

        print(f"\n5.2: validation accuracy (REFERENCE_ACCURACY {test_mlp.REFERENCE_ACCURACY}, "
              f"mlp_training_accuracy {tol('mlp_training_accuracy').atol})")
        models = {"MLPScratch, 10 epochs": lambda: MLPScratch(num_inputs=784, num_outputs=10, num_hiddens=256, lr=0.1),
                  "MLP, 10 epochs": lambda: MLP(num_outputs=10, num_hiddens=256, lr=0.1),
                  "MLP2 (256, 256), 10 epochs": lambda: MLP2(num_outputs=10, num_hiddens1=256, num_hiddens2=256, lr=0.1)}
        for label, make in models.items():
            began = time.monotonic()
            accs = [test_mlp.validation_accuracy(fashion(s, make), files) for s in range(seeds)]
            print(f"  {label:36s} {summary(accs)}  {(time.monotonic() - began) / seeds:.1f} s a run")
        untrained = [test_mlp.validation_accuracy(fashion(s, models["MLPScratch, 10 epochs"], 0), files) for s in range(3)]
        print(f"  {'untrained MLPScratch':36s} {summary(untrained)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
