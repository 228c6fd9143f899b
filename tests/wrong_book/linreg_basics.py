"""Wrong versions of 3.1 Linear regression: normal, and the timed sums."""
import math

import numpy as np
import torch

from tests.wrong_book import mistake


def normal_sigma_not_squared(x, mu, sigma):
    p = 1 / math.sqrt(2 * math.pi * sigma)
    return p * np.exp(-0.5 * (x - mu) ** 2 / sigma ** 2)


def normal_plus_mu(x, mu, sigma):
    p = 1 / math.sqrt(2 * math.pi * sigma ** 2)
    return p * np.exp(-0.5 * (x + mu) ** 2 / sigma ** 2)


def normal_without_half(x, mu, sigma):
    p = 1 / math.sqrt(2 * math.pi * sigma ** 2)
    return p * np.exp(-(x - mu) ** 2 / sigma ** 2)


MISTAKES = [
    mistake("loop_copies_a", "vectorization", {"c": torch.ones(10000)},
            {"hidden/test_linreg_basics::test_loop_and_vectorised_sums"}, message="c at the end of 3.1"),
    mistake("normal_sigma_not_squared", "normal", {"normal": normal_sigma_not_squared}, {
        "hidden/test_linreg_basics::test_normal_on_the_books_grid[mean0-std2]",
        "hidden/test_linreg_basics::test_normal_fractional_sigma",
    }, message="normal(x, 0, 2)"),
    mistake("normal_plus_mu", "normal", {"normal": normal_plus_mu}, {
        "hidden/test_linreg_basics::test_normal_on_the_books_grid[mean3-std1]",
        "hidden/test_linreg_basics::test_normal_fractional_sigma",
    }, message="normal(x, 3, 1)"),
    mistake("normal_without_half", "normal", {"normal": normal_without_half}, {
        "hidden/test_linreg_basics::test_normal_on_the_books_grid[mean0-std1]",
        "hidden/test_linreg_basics::test_normal_on_the_books_grid[mean0-std2]",
        "hidden/test_linreg_basics::test_normal_on_the_books_grid[mean3-std1]",
        "hidden/test_linreg_basics::test_normal_fractional_sigma",
    }, message="normal(x"),
]
