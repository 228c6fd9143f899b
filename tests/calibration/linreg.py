"""Calibrate the 3.4 training bounds: `python -m tests.calibration.linreg`.

Runs the hidden tests' own training code (the book's run with the grader's seeds, plotting
off) against the reference solution over seeds 0-19 and prints the largest estimation
error of w and b per configuration, plus the scatter of the Planck fit under 1 % noise.
The numbers justify `linreg_training` and `linreg_planck` in exercises/3.4-linreg.toml.
"""
from __future__ import annotations

import importlib.util
import math
import time
from pathlib import Path

import torch

from grader.judge.bridge import Student
from grader.judge.local import reference_link
from grader.assignment import load_assignment

SEEDS = range(20)
CONFIGS = {
    "book: lr 0.03, 3 epochs": dict(),
    "zero init (sigma 0)": dict(sigma=0.0),
    "variance 1000, 10 epochs": dict(sigma=math.sqrt(1000), max_epochs=10),
    "variance 1000, 3 epochs": dict(sigma=math.sqrt(1000)),
    "lr 0.003, 3 epochs": dict(lr=0.003),
    "lr 0.03, 6 epochs": dict(max_epochs=6),
    "lr 3, 3 epochs": dict(lr=3.0),
}


def _hidden_tests(assignment):
    path = Path(assignment.hidden_dir) / "test_linreg.py"
    spec = importlib.util.spec_from_file_location("hidden_test_linreg", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    assignment = load_assignment("hw1")
    tests = _hidden_tests(assignment)
    student = Student(reference_link(assignment), section="3.4", timeout=60)
    bound = assignment.tolerance("linreg_training").atol
    print(f"linreg_training bound: {bound}")
    for name, config in CONFIGS.items():
        t0 = time.monotonic()
        errors = [tests.error(*tests.train(student, seed=s, **config)) for s in SEEDS]
        seconds = (time.monotonic() - t0) / len(errors)
        print(f"{name:28s} |error| min {min(errors):.4g}  max {max(errors):.4g}  "
              f"({sum(e < bound for e in errors)}/{len(errors)} under the bound, {seconds:.2f} s a run)")
    planck_scatter(tests, assignment)


def planck_scatter(tests, assignment) -> None:
    from reference.linreg import fit_planck_temperature
    for T in (300.0, 3000.0, 5778.0, 10000.0):
        worst = 0.0
        for s in SEEDS:
            lam, B = tests.planck_data(("calibration", T, s), T, 0.01)
            worst = max(worst, abs(fit_planck_temperature(lam, B) / T - 1))
        print(f"Planck {T:6.0f} K, 1 % noise: worst relative error {worst:.2e} "
              f"(tolerance {assignment.tolerance('linreg_planck').rtol:g})")
    lam, B = tests.planck_data("wien", 5778.0, 0.0)
    h, c, k = tests.H, tests.C, tests.K
    log_T = torch.tensor(math.log(5000.0), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([log_T], max_iter=200, line_search_fn="strong_wolfe")

    def closure():   # the Wien approximation: exp(x) in place of exp(x) - 1
        opt.zero_grad()
        log_model = math.log(2 * h * c ** 2) - 5 * torch.log(lam) - h * c / (lam * k * torch.exp(log_T))
        loss = ((log_model - torch.log(B)) ** 2).mean()
        loss.backward()
        return loss

    opt.step(closure)
    print(f"Planck 5778 K fitted with the Wien approximation: relative error {abs(math.exp(log_T.item()) / 5778 - 1):.2e}")


if __name__ == "__main__":
    main()
