"""Calibrate the 5.2 training check: `python -m tests.calibration.mlp_training [seeds]`.

Runs the hidden test's own training code (TRAIN_CODE, same sizes and epochs) on the reference
MLPScratch for many seeds, in this process, with the offline Fashion-MNIST files under
../data as the sandbox has them, and prints the validation accuracies and epoch losses the
floor in assignments/hw1/exercises/5.2-mlp.toml (tolerance ``mlp_training_accuracy``) and
REFERENCE_ACCURACY in the hidden test are set from. Also runs two kept wrong versions to
show the floor separates them.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
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
    hidden = load(ROOT / "assignments/hw1/hidden/test_mlp.py", "hidden_test_mlp")
    public = load(ROOT / "assignments/hw1/public/test_mlp.py", "public_test_mlp")
    wrong = load(ROOT / "tests/wrong/mlp.py", "wrong_mlp")
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "data" / "FashionMNIST" / "raw"
        shutil.copytree(datasets.fashion_mnist().raw_dir, raw)
        (Path(tmp) / "work").mkdir()
        os.chdir(Path(tmp) / "work")
        print(datasets.fashion_mnist().describe())
        variants = {"reference": {}, "zero weights": {"MLPScratch": wrong.MLPScratchZeroInit},
                    "weights not parameters": {"MLPScratch": wrong.MLPScratchPlainTensors}}
        for label, replace in variants.items():
            student = Student(reference_link(assignment, replace=replace, section="5.2"),
                              section="5.2", timeout=600)
            accs, drops = [], []
            began = time.monotonic()
            n = seeds if label == "reference" else 3
            try:
                for seed in range(n):
                    losses, acc = hidden.train(student, epochs=hidden.EPOCHS, seed=seed)
                    accs.append(acc)
                    short = public.train(student, epochs=public.EPOCHS, seed=seed)
                    drops.append(short[0] - short[-1])
            except StudentError as exc:
                print(f"{label}: training fails: {str(exc)[:120]}")
                continue
            print(f"{label}: {n} seeds, {(time.monotonic() - began) / n:.1f} s per seed")
            print(f"  val accuracy after {hidden.EPOCHS} epochs: min {min(accs):.3f} "
                  f"mean {statistics.mean(accs):.3f} max {max(accs):.3f}")
            print(f"  loss drop over {public.EPOCHS} epochs: min {min(drops):.4f} "
                  f"mean {statistics.mean(drops):.4f} max {max(drops):.4f}")
            print(f"  hidden seed {hidden.SEED}: accuracy "
                  f"{hidden.train(student, epochs=hidden.EPOCHS, seed=hidden.SEED)[1]:.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
