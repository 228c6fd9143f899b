"""Calibrate the 4.4 training checks: `python -m tests.calibration.softmax_training [seeds]`.

Runs the hidden tests' own training code (TRAIN, with their settings) on the reference
SoftmaxRegressionScratch for many seeds, in this process, with the offline Fashion-MNIST
files under ../data as the sandbox has them. Prints what the floors in
assignments/hw1/exercises/4.4-softmax.toml (tolerances ``softmax_val_accuracy`` and
``softmax_loss_drop``) and REFERENCE_ACCURACY in the hidden test are set from, and what two
kept wrong versions give.
"""
from __future__ import annotations

import importlib.util
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from grader import datasets
from grader.judge.bridge import Student
from grader.errors import StudentError
from grader.judge.local import reference_link
from grader.assignment import load_assignment

ROOT = Path(__file__).resolve().parents[2]


def load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(seeds: int = 20) -> None:
    assignment = load_assignment("hw1")
    hidden = load(ROOT / "assignments/hw1/hidden/test_softmax.py", "hidden_test_softmax")
    public = load(ROOT / "assignments/hw1/public/test_softmax.py", "public_test_softmax")
    wrong = load(ROOT / "tests/wrong/softmax.py", "wrong_softmax")
    files = datasets.fashion_mnist()
    print(files.describe())
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "data" / "FashionMNIST" / "raw"
        raw.parent.mkdir(parents=True)
        os.symlink(files.raw_dir, raw, target_is_directory=True)
        (Path(tmp) / "work").mkdir()
        os.chdir(Path(tmp) / "work")
        variants = {"reference": {},
                    "W without requires_grad": {"SoftmaxRegressionScratch": wrong.SoftmaxRegressionWNoGrad},
                    "lr ignored": {"SoftmaxRegressionScratch": wrong.SoftmaxRegressionFixedLr}}
        for label, replace in variants.items():
            student = Student(reference_link(assignment, replace=replace, section="4.4"),
                              section="4.4", timeout=600)
            n = seeds if label == "reference" else 3
            accs, lr_drops, bs_drops, short_losses, public_drops = [], [], [], [], []
            began = time.monotonic()
            try:
                for seed in range(n):
                    accs.append(hidden.train(student, files, seed=seed, lr=0.1, batch_size=256,
                                             max_epochs=hidden.EPOCHS)[0])
                    lr_loss = [hidden.train(student, files, seed=seed, lr=lr, batch_size=256,
                                            max_epochs=hidden.SWEEP_EPOCHS)[1] for lr in (0.001, 0.01, 0.1)]
                    lr_drops.append(min(lr_loss[0] - lr_loss[1], lr_loss[1] - lr_loss[2]))
                    bs_loss = [hidden.train(student, files, seed=seed, lr=0.1, batch_size=bs,
                                            max_epochs=hidden.SWEEP_EPOCHS)[1] for bs in (32, 1000)]
                    bs_drops.append(bs_loss[1] - bs_loss[0])
                    short_losses.append(public.validation_loss(student, files, seed=seed, lr=0.1, batch_size=256,
                                                               max_epochs=2))
                    small, large = (public.validation_loss(student, files, seed=seed, lr=lr, batch_size=256,
                                                           max_epochs=3) for lr in (0.001, 0.1))
                    public_drops.append(small - large)
            except StudentError as exc:
                print(f"{label}: training fails: {str(exc)[:120]}")
                continue
            print(f"{label}: {n} seeds, {(time.monotonic() - began) / n:.1f} s per seed")
            print(f"  val accuracy after {hidden.EPOCHS} epochs: min {min(accs):.3f} "
                  f"median {statistics.median(accs):.3f} max {max(accs):.3f}")
            print(f"  smallest val-loss drop between successive learning rates: min {min(lr_drops):.3f} "
                  f"median {statistics.median(lr_drops):.3f}")
            print(f"  val-loss drop from minibatches of 1000 to 32: min {min(bs_drops):.3f} "
                  f"median {statistics.median(bs_drops):.3f}")
            print(f"  public: val loss after 2 epochs max {max(short_losses):.3f} (must stay below "
                  f"log(10) - 0.5 = 1.803); drop lr 0.001 -> 0.1 over 3 epochs min {min(public_drops):.3f}")
            accuracy = hidden.train(student, files, seed=hidden.SEED, lr=0.1, batch_size=256,
                                    max_epochs=hidden.EPOCHS)[0]
            print(f"  hidden seed {hidden.SEED}: accuracy {accuracy:.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
