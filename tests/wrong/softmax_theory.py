"""Wrong versions of the 4.1 exercises that real students could write."""
import math

import torch

from tests.wrong import mistake


def hessian_diagonal_only(o):
    p = torch.softmax(o, dim=0)
    return torch.diag(p * (1 - p))


def hessian_naive(o):
    p = torch.exp(o) / torch.exp(o).sum()
    return torch.diag(p) - torch.outer(p, p)


def hessian_outer_plus(o):
    p = torch.softmax(o, dim=0)
    return torch.diag(p) + torch.outer(p, p)


def bits_single_observation(n, num_classes=3):
    return float(math.ceil(math.log2(num_classes)))


def bits_entropy(n, num_classes=3):
    return math.log2(num_classes)


def bits_total(n, num_classes=3):
    bits = 0
    while 2 ** bits < num_classes ** n:
        bits += 1
    return float(bits)


def digits_floor_log(num_values, base):
    return int(math.log(num_values, base))


def digits_float_log(num_values, base):
    return math.ceil(math.log(num_values, base))


def digits_floor_plus_one(num_values, base):
    return math.floor(math.log(num_values, base)) + 1


def real_softmax_naive(a, b, lam=1.0):
    return torch.log(torch.exp(lam * a) + torch.exp(lam * b)) / lam


def real_softmax_no_division(a, b, lam=1.0):
    m = torch.maximum(a, b)
    return m + torch.log(torch.exp(lam * (a - m)) + torch.exp(lam * (b - m)))


def real_softmax_hard_max(a, b, lam=1.0):
    return torch.maximum(a, b)


def softmin_probabilities(x):
    return torch.softmax(-x, dim=-1)


def softmin_naive(x):
    return -torch.log(torch.exp(-x).sum(dim=-1))


def softmin_all_entries(x):
    m = x.min()
    return m - torch.log(torch.exp(-(x - m)).sum())


def logsumexp_naive(x):
    return torch.log(torch.exp(x).sum(dim=-1))


def logsumexp_forgets_max(x):
    b = x.max(dim=-1, keepdim=True).values
    return torch.log(torch.exp(x - b).sum(dim=-1))


def logsumexp_global_max(x):
    b = x.max()
    return b + torch.log(torch.exp(x - b).sum(dim=-1))


def temper_naive(p, alpha):
    q = p ** alpha
    return q / q.sum(dim=-1, keepdim=True)


def temper_unnormalised(p, alpha):
    return p ** alpha


def temper_treats_p_as_logits(p, alpha):
    return torch.softmax(alpha * p, dim=-1)


def temper_first_axis(p, alpha):
    q = torch.softmax(alpha * torch.log(p), dim=0)
    return q


MISTAKES = [
    mistake("hessian_diagonal_only", "softmax_ce_hessian", {"softmax_ce_hessian": hessian_diagonal_only}, {
        "hidden/test_softmax_theory::test_softmax_ce_hessian_float32",
        "hidden/test_softmax_theory::test_softmax_ce_hessian_is_a_covariance",
        "hidden/test_softmax_theory::test_softmax_ce_hessian_large_logits",
        "hidden/test_softmax_theory::test_softmax_ce_hessian_matches_autograd[five-classes]",
        "hidden/test_softmax_theory::test_softmax_ce_hessian_matches_autograd[two-classes]",
        "public/test_softmax_theory::test_softmax_ce_hessian_small_example",
    }),
    mistake("hessian_naive", "softmax_ce_hessian", {"softmax_ce_hessian": hessian_naive}, {
        "hidden/test_softmax_theory::test_softmax_ce_hessian_large_logits",
    },
            message="NaN or inf"),
    mistake("hessian_outer_plus", "softmax_ce_hessian", {"softmax_ce_hessian": hessian_outer_plus}, {
        "hidden/test_softmax_theory::test_softmax_ce_hessian_float32",
        "hidden/test_softmax_theory::test_softmax_ce_hessian_is_a_covariance",
        "hidden/test_softmax_theory::test_softmax_ce_hessian_large_logits",
        "hidden/test_softmax_theory::test_softmax_ce_hessian_matches_autograd[five-classes]",
        "hidden/test_softmax_theory::test_softmax_ce_hessian_matches_autograd[two-classes]",
        "hidden/test_softmax_theory::test_softmax_ce_hessian_one_class",
        "public/test_softmax_theory::test_softmax_ce_hessian_small_example",
    }),
    mistake("bits_single_observation", "bits_per_observation", {"bits_per_observation": bits_single_observation}, {
        "hidden/test_softmax_theory::test_bits_per_observation[five]",
        "hidden/test_softmax_theory::test_bits_per_observation[hundred]",
        "hidden/test_softmax_theory::test_bits_per_observation[ten-classes]",
        "hidden/test_softmax_theory::test_bits_per_observation[three]",
    }),
    mistake("bits_entropy", "bits_per_observation", {"bits_per_observation": bits_entropy}, {
        "hidden/test_softmax_theory::test_bits_per_observation[five]",
        "hidden/test_softmax_theory::test_bits_per_observation[hundred]",
        "hidden/test_softmax_theory::test_bits_per_observation[one]",
        "hidden/test_softmax_theory::test_bits_per_observation[ten-classes]",
        "hidden/test_softmax_theory::test_bits_per_observation[three]",
        "public/test_softmax_theory::test_bits_per_observation_pairs",
    }),
    mistake("bits_total", "bits_per_observation", {"bits_per_observation": bits_total}, {
        "hidden/test_softmax_theory::test_bits_per_observation[five]",
        "hidden/test_softmax_theory::test_bits_per_observation[four-classes]",
        "hidden/test_softmax_theory::test_bits_per_observation[hundred]",
        "hidden/test_softmax_theory::test_bits_per_observation[ten-classes]",
        "hidden/test_softmax_theory::test_bits_per_observation[three]",
        "public/test_softmax_theory::test_bits_per_observation_pairs",
    }),
    mistake("digits_floor_log", "digits_needed", {"digits_needed": digits_floor_log}, {
        "hidden/test_softmax_theory::test_digits_needed[one-value]",
        "hidden/test_softmax_theory::test_digits_needed[ten-ternary]",
        "hidden/test_softmax_theory::test_digits_needed[thousand-decimal]",
        "public/test_softmax_theory::test_digits_needed_book_example",
    }),
    mistake("digits_float_log", "digits_needed", {"digits_needed": digits_float_log}, {
        "hidden/test_softmax_theory::test_digits_needed[one-value]",
        "hidden/test_softmax_theory::test_digits_needed[power-of-five]",
    }),
    mistake("digits_floor_plus_one", "digits_needed", {"digits_needed": digits_floor_plus_one}, {
        "hidden/test_softmax_theory::test_digits_needed[binary-0-7]",
        "hidden/test_softmax_theory::test_digits_needed[nine-ternary]",
        "hidden/test_softmax_theory::test_digits_needed[power-of-five]",
    }),
    mistake("real_softmax_naive", "real_softmax", {"real_softmax": real_softmax_naive}, {
        "hidden/test_softmax_theory::test_real_softmax_large_inputs",
        "hidden/test_softmax_theory::test_real_softmax_large_lambda_tends_to_max",
    },
            message="inf or NaN"),
    mistake("real_softmax_no_division", "real_softmax", {"real_softmax": real_softmax_no_division}, {
        "hidden/test_softmax_theory::test_real_softmax_bounds",
        "hidden/test_softmax_theory::test_real_softmax_with_lambda[half]",
        "hidden/test_softmax_theory::test_real_softmax_with_lambda[ten]",
    }),
    mistake("real_softmax_hard_max", "real_softmax", {"real_softmax": real_softmax_hard_max}, {
        "hidden/test_softmax_theory::test_real_softmax_bounds",
        "hidden/test_softmax_theory::test_real_softmax_default_lambda",
        "hidden/test_softmax_theory::test_real_softmax_large_inputs",
        "hidden/test_softmax_theory::test_real_softmax_random[float32]",
        "hidden/test_softmax_theory::test_real_softmax_random[float64]",
        "hidden/test_softmax_theory::test_real_softmax_with_lambda[half]",
        "hidden/test_softmax_theory::test_real_softmax_with_lambda[ten]",
        "public/test_softmax_theory::test_real_softmax_small_example",
    }),
    mistake("softmin_probabilities", "softmin", {"softmin": softmin_probabilities}, {
        "hidden/test_softmax_theory::test_softmin_float64",
        "hidden/test_softmax_theory::test_softmin_is_below_min",
        "hidden/test_softmax_theory::test_softmin_large_inputs",
        "hidden/test_softmax_theory::test_softmin_matrix_rows",
        "public/test_softmax_theory::test_softmin_vector",
    }),
    mistake("softmin_naive", "softmin", {"softmin": softmin_naive}, {
        "hidden/test_softmax_theory::test_softmin_large_inputs",
    }, message="inf or NaN"),
    mistake("softmin_all_entries", "softmin", {"softmin": softmin_all_entries}, {
        "hidden/test_softmax_theory::test_softmin_is_below_min",
        "hidden/test_softmax_theory::test_softmin_large_inputs",
        "hidden/test_softmax_theory::test_softmin_matrix_rows",
    }),
    mistake("logsumexp_naive", "logsumexp", {"logsumexp": logsumexp_naive}, {
        "hidden/test_softmax_theory::test_logsumexp_large_inputs[matrix]",
        "hidden/test_softmax_theory::test_logsumexp_large_inputs[vector]",
        "hidden/test_softmax_theory::test_logsumexp_translation",
    }, message="inf or NaN"),
    mistake("logsumexp_forgets_max", "logsumexp", {"logsumexp": logsumexp_forgets_max}, {
        "hidden/test_softmax_theory::test_logsumexp_float64",
        "hidden/test_softmax_theory::test_logsumexp_large_inputs[matrix]",
        "hidden/test_softmax_theory::test_logsumexp_large_inputs[vector]",
        "hidden/test_softmax_theory::test_logsumexp_matrix_rows",
        "hidden/test_softmax_theory::test_logsumexp_one_element",
        "hidden/test_softmax_theory::test_logsumexp_translation",
        "public/test_softmax_theory::test_logsumexp_vector",
    }),
    mistake("logsumexp_global_max", "logsumexp", {"logsumexp": logsumexp_global_max}, {
        "hidden/test_softmax_theory::test_logsumexp_large_inputs[matrix]",
    }),
    mistake("temper_naive", "temper", {"temper": temper_naive}, {
        "hidden/test_softmax_theory::test_temper_zero_temperature_limit",
    }, message="NaN or inf"),
    mistake("temper_unnormalised", "temper", {"temper": temper_unnormalised}, {
        "hidden/test_softmax_theory::test_temper_matrix_rows",
        "hidden/test_softmax_theory::test_temper_rescales_temperature[doubled-temperature]",
        "hidden/test_softmax_theory::test_temper_rescales_temperature[halved-temperature]",
        "hidden/test_softmax_theory::test_temper_zero_temperature_limit",
        "public/test_softmax_theory::test_temper_square",
    }),
    mistake("temper_treats_p_as_logits", "temper", {"temper": temper_treats_p_as_logits}, {
        "hidden/test_softmax_theory::test_temper_alpha_one",
        "hidden/test_softmax_theory::test_temper_matrix_rows",
        "hidden/test_softmax_theory::test_temper_rescales_temperature[doubled-temperature]",
        "hidden/test_softmax_theory::test_temper_rescales_temperature[halved-temperature]",
        "public/test_softmax_theory::test_temper_square",
    }),
    mistake("temper_first_axis", "temper", {"temper": temper_first_axis}, {
        "hidden/test_softmax_theory::test_temper_matrix_rows",
        "hidden/test_softmax_theory::test_temper_zero_temperature_limit",
    }),
]
