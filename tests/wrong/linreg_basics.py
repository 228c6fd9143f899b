"""Wrong versions of the 3.1 exercises that real students could write."""
import math

import numpy as np
import torch

from tests.wrong import mistake


def add_loop_vectorized(a, b):
    return a + b


def add_loop_list(a, b):
    return [a[i] + b[i] for i in range(len(a))]


def add_vectorized_comprehension(a, b):
    return torch.stack([x + y for x, y in zip(a, b)])


def add_vectorized_loops(a, b):
    c = torch.zeros(len(a), dtype=a.dtype)
    for i in range(len(a)):
        c[i] = a[i] + b[i]
    return c


def normal_sigma_squared(x, mu, sigma):
    # S0's normaliser 1/(sqrt(2 pi) sigma^2)
    p = 1 / (math.sqrt(2 * math.pi) * sigma ** 2)
    return p * np.exp(-0.5 * (x - mu) ** 2 / sigma ** 2)


def normal_no_half(x, mu, sigma):
    p = 1 / math.sqrt(2 * math.pi * sigma ** 2)
    return p * np.exp(-(x - mu) ** 2 / sigma ** 2)


def normal_torch_exp(x, mu, sigma):
    p = 1 / math.sqrt(2 * math.pi * sigma ** 2)
    return p * torch.exp(-0.5 * (x - mu) ** 2 / sigma ** 2)


def squared_loss_mean(y_hat, y):
    return ((y_hat - y.reshape(y_hat.shape)) ** 2 / 2).mean()


def squared_loss_no_half(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2


def squared_loss_no_reshape(y_hat, y):
    return (y_hat - y) ** 2 / 2


def analytic_adds_bias(X, y):
    X = torch.cat((X, torch.ones(len(X), 1, dtype=X.dtype)), dim=1)
    return torch.linalg.solve(X.T @ X, X.T @ y)


def analytic_no_transpose(X, y):
    return torch.linalg.solve(X.T @ X, y)


def analytic_flat(X, y):
    return (torch.linalg.pinv(X) @ y).reshape(-1)


def best_constant_l2_swapped(x):
    return x.median()


def best_constant_l1_swapped(x):
    return x.mean()


def best_constant_l1_midrange(x):
    return (x.max() + x.min()) / 2


def best_constant_l2_sample(x):
    return x.sum() / (len(x) - 1)


def best_constant_l1_trimmed(x):
    """Drops the smallest and largest value, then averages: not a median."""
    return x.sort().values[1:-1].mean()


def augment_ones_first(X):
    return torch.cat((torch.ones(X.shape[0], 1, dtype=X.dtype), X), dim=1)


def augment_ones_row(X):
    return torch.cat((X, torch.ones(1, X.shape[1], dtype=X.dtype)), dim=0)


def augment_ones_float32(X):
    return torch.cat((X.float(), torch.ones(X.shape[0], 1)), dim=1)


def quadratic_all_pairs(X):
    n, d = X.shape
    return torch.cat((X, (X[:, :, None] * X[:, None, :]).reshape(n, d * d)), dim=1)


def quadratic_tril_order(X):
    i, j = torch.tril_indices(X.shape[1], X.shape[1])
    return torch.cat((X, X[:, i] * X[:, j]), dim=1)


def quadratic_squares_only(X):
    return torch.cat((X, X ** 2), dim=1)


def quadratic_no_squares(X):
    import itertools
    pairs = list(itertools.combinations(range(X.shape[1]), 2))
    return torch.cat([X] + [(X[:, i] * X[:, j]).reshape(-1, 1) for i, j in pairs], dim=1)


def ridge_adds_bias(X, y, lam):
    X = torch.cat((X, torch.ones(len(X), 1, dtype=X.dtype)), dim=1)
    return torch.linalg.solve(X.T @ X + lam * torch.eye(X.shape[1], dtype=X.dtype), X.T @ y)


def ridge_lam_everywhere(X, y, lam):
    return torch.linalg.solve(X.T @ X + lam, X.T @ y)


def ridge_scaled_by_n(X, y, lam):
    d = X.shape[1]
    return torch.linalg.solve(X.T @ X + len(X) * lam * torch.eye(d, dtype=X.dtype), X.T @ y)


def ridge_pinv(X, y, lam):
    return torch.linalg.pinv(X.T @ X) @ X.T @ y


def laplace_no_log2(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)).abs().sum()


def laplace_mean(y_hat, y):
    return ((y_hat - y.reshape(y_hat.shape)).abs() + math.log(2)).mean()


def laplace_no_reshape(y_hat, y):
    return ((y_hat - y).abs() + math.log(2)).sum()


def collapse_column_convention(W1, b1, W2, b2):
    return W2 @ W1, W2 @ b1 + b2


def collapse_forgets_b2(W1, b1, W2, b2):
    return W1 @ W2, b1 @ W2


def collapse_bias_unmapped(W1, b1, W2, b2):
    return W1 @ W2, b2 + b1.sum()


def poisson_no_factorial(log_rate, k):
    return (torch.exp(log_rate) - k * log_rate).sum()


def poisson_rate_not_log(log_rate, k):
    lam = log_rate   # treats the model's output as the rate itself
    return (lam - k * torch.log(lam) + torch.lgamma(k + 1)).sum()


def poisson_mean(log_rate, k):
    k = k.to(log_rate.dtype)
    return (torch.exp(log_rate) - k * log_rate + torch.lgamma(k + 1)).mean()


MISTAKES = [
    mistake("add_loop_vectorized", "vectorization", {"add_loop": add_loop_vectorized}, {
        "hidden/test_linreg_basics::test_vectorization_loop_against_one_operation",
    }, message="add_loop has no loop"),
    mistake("add_loop_list", "vectorization", {"add_loop": add_loop_list}, {
        "public/test_linreg_basics::test_vectorization_small_sum",
        "hidden/test_linreg_basics::test_vectorization_sums_agree[float32]",
        "hidden/test_linreg_basics::test_vectorization_sums_agree[float64]",
    }, message="is a list; expected a tensor"),
    mistake("add_vectorized_comprehension", "vectorization", {"add_vectorized": add_vectorized_comprehension}, {
        "hidden/test_linreg_basics::test_vectorization_loop_against_one_operation",
    }, message="add_vectorized loops in Python"),
    mistake("add_vectorized_loops", "vectorization", {"add_vectorized": add_vectorized_loops}, {
        "hidden/test_linreg_basics::test_vectorization_loop_against_one_operation",
    }, message="must use a single tensor operation"),
    mistake("normal_sigma_squared", "normal", {"normal": normal_sigma_squared}, {
        "hidden/test_linreg_basics::test_normal_book_curves[mean0-std2]",
        "hidden/test_linreg_basics::test_normal_on_a_tensor",
        "hidden/test_linreg_basics::test_normal_narrow",
    }, message="normal(x, 0, 0.1) differs"),
    mistake("normal_no_half", "normal", {"normal": normal_no_half}, {
        "hidden/test_linreg_basics::test_normal_book_curves[mean0-std1]",
        "hidden/test_linreg_basics::test_normal_book_curves[mean0-std2]",
        "hidden/test_linreg_basics::test_normal_book_curves[mean3-std1]",
        "hidden/test_linreg_basics::test_normal_on_a_tensor",
        "hidden/test_linreg_basics::test_normal_narrow",
    }),
    mistake("normal_torch_exp", "normal", {"normal": normal_torch_exp}, {
        "public/test_linreg_basics::test_normal_at_the_mean",
        "hidden/test_linreg_basics::test_normal_book_curves[mean0-std1]",
        "hidden/test_linreg_basics::test_normal_book_curves[mean0-std2]",
        "hidden/test_linreg_basics::test_normal_book_curves[mean3-std1]",
        "hidden/test_linreg_basics::test_normal_narrow",
    }, message="raised TypeError"),
    mistake("squared_loss_mean", "squared_loss", {"squared_loss": squared_loss_mean}, {
        "public/test_linreg_basics::test_squared_loss_small",
        "hidden/test_linreg_basics::test_squared_loss[column]",
        "hidden/test_linreg_basics::test_squared_loss[y-flat]",
        "hidden/test_linreg_basics::test_squared_loss[vector]",
        "hidden/test_linreg_basics::test_squared_loss[one-float64]",
    }, message="has shape (); expected shape (5, 1)"),
    mistake("squared_loss_no_half", "squared_loss", {"squared_loss": squared_loss_no_half}, {
        "public/test_linreg_basics::test_squared_loss_small",
        "hidden/test_linreg_basics::test_squared_loss[column]",
        "hidden/test_linreg_basics::test_squared_loss[y-flat]",
        "hidden/test_linreg_basics::test_squared_loss[vector]",
        "hidden/test_linreg_basics::test_squared_loss[one-float64]",
    }, message="differs from the expected values"),
    mistake("squared_loss_no_reshape", "squared_loss", {"squared_loss": squared_loss_no_reshape}, {
        "hidden/test_linreg_basics::test_squared_loss[y-flat]",
    }, message="has shape (5, 5); expected shape (5, 1)"),
    mistake("analytic_adds_bias", "analytic_solution", {"analytic_solution": analytic_adds_bias}, {
        "public/test_linreg_basics::test_analytic_solution_noise_free",
        "hidden/test_linreg_basics::test_analytic_solution_matches_least_squares[tall-float64]",
        "hidden/test_linreg_basics::test_analytic_solution_matches_least_squares[column-y]",
        "hidden/test_linreg_basics::test_analytic_solution_matches_least_squares[float32]",
        "hidden/test_linreg_basics::test_analytic_solution_matches_least_squares[square]",
        "hidden/test_linreg_basics::test_analytic_solution_matches_least_squares[one-feature]",
    }, message="has shape (4,); expected shape (3,)"),
    mistake("analytic_no_transpose", "analytic_solution", {"analytic_solution": analytic_no_transpose}, {
        "public/test_linreg_basics::test_analytic_solution_noise_free",
        "hidden/test_linreg_basics::test_analytic_solution_matches_least_squares[tall-float64]",
        "hidden/test_linreg_basics::test_analytic_solution_matches_least_squares[column-y]",
        "hidden/test_linreg_basics::test_analytic_solution_matches_least_squares[float32]",
        "hidden/test_linreg_basics::test_analytic_solution_matches_least_squares[square]",
        "hidden/test_linreg_basics::test_analytic_solution_matches_least_squares[one-feature]",
    }, message="Incompatible shapes"),
    mistake("analytic_flat", "analytic_solution", {"analytic_solution": analytic_flat}, {
        "hidden/test_linreg_basics::test_analytic_solution_matches_least_squares[column-y]",
        "hidden/test_linreg_basics::test_analytic_solution_matches_least_squares[one-feature]",
    }, message="expected shape (3, 1)"),
    mistake("best_constant_l1_trimmed", "best_constant", {"best_constant_l1": best_constant_l1_trimmed}, {
        "hidden/test_linreg_basics::test_best_constant_l1_minimises_absolute_loss[one]",
        "hidden/test_linreg_basics::test_best_constant_l1_minimises_absolute_loss[ties]",
    }, message="(the medians)"),
    mistake("best_constant_l2_swapped", "best_constant", {"best_constant_l2": best_constant_l2_swapped}, {
        "public/test_linreg_basics::test_best_constant_l2_small",
        "hidden/test_linreg_basics::test_best_constant_l2_is_the_mean[seven]",
    }),
    mistake("best_constant_l1_swapped", "best_constant", {"best_constant_l1": best_constant_l1_swapped}, {
        "public/test_linreg_basics::test_best_constant_l1_small",
        "hidden/test_linreg_basics::test_best_constant_l1_minimises_absolute_loss[odd]",
        "hidden/test_linreg_basics::test_best_constant_l1_minimises_absolute_loss[even]",
        "hidden/test_linreg_basics::test_best_constant_l1_minimises_absolute_loss[ties]",
    }, message="(the medians)"),
    mistake("best_constant_l1_midrange", "best_constant", {"best_constant_l1": best_constant_l1_midrange}, {
        "public/test_linreg_basics::test_best_constant_l1_small",
        "hidden/test_linreg_basics::test_best_constant_l1_minimises_absolute_loss[odd]",
        "hidden/test_linreg_basics::test_best_constant_l1_minimises_absolute_loss[even]",
        "hidden/test_linreg_basics::test_best_constant_l1_minimises_absolute_loss[ties]",
    }, message="(the medians)"),
    mistake("best_constant_l2_sample", "best_constant", {"best_constant_l2": best_constant_l2_sample}, {
        "public/test_linreg_basics::test_best_constant_l2_small",
        "hidden/test_linreg_basics::test_best_constant_l2_is_the_mean[seven]",
        "hidden/test_linreg_basics::test_best_constant_l2_is_the_mean[one-float64]",
    }, message="expected 4"),
    mistake("augment_ones_first", "augment_ones", {"augment_ones": augment_ones_first}, {
        "public/test_linreg_basics::test_augment_ones_small",
        "hidden/test_linreg_basics::test_augment_ones_turns_affine_into_linear[float32]",
        "hidden/test_linreg_basics::test_augment_ones_turns_affine_into_linear[float64]",
        "hidden/test_linreg_basics::test_augment_ones_edge_rows[one-row]",
    }),
    mistake("augment_ones_row", "augment_ones", {"augment_ones": augment_ones_row}, {
        "public/test_linreg_basics::test_augment_ones_small",
        "hidden/test_linreg_basics::test_augment_ones_turns_affine_into_linear[float32]",
        "hidden/test_linreg_basics::test_augment_ones_turns_affine_into_linear[float64]",
        "hidden/test_linreg_basics::test_augment_ones_edge_rows[no-rows]",
        "hidden/test_linreg_basics::test_augment_ones_edge_rows[one-row]",
    }, message="expected shape (5, 4)"),
    mistake("augment_ones_float32", "augment_ones", {"augment_ones": augment_ones_float32}, {
        "hidden/test_linreg_basics::test_augment_ones_turns_affine_into_linear[float64]",
    }, message="keep the dtype of X"),
    mistake("quadratic_no_squares", "quadratic_features", {"quadratic_features": quadratic_no_squares}, {
        "public/test_linreg_basics::test_quadratic_features_small",
        "hidden/test_linreg_basics::test_quadratic_features[three-features]",
        "hidden/test_linreg_basics::test_quadratic_features[one-feature]",
        "hidden/test_linreg_basics::test_quadratic_features[float64-four]",
        "hidden/test_linreg_basics::test_quadratic_features[no-rows]",
    }, message="expected shape (5, 2)"),
    mistake("quadratic_all_pairs", "quadratic_features", {"quadratic_features": quadratic_all_pairs}, {
        "public/test_linreg_basics::test_quadratic_features_small",
        "hidden/test_linreg_basics::test_quadratic_features[three-features]",
        "hidden/test_linreg_basics::test_quadratic_features[float64-four]",
        "hidden/test_linreg_basics::test_quadratic_features[no-rows]",
    }, message="expected shape (4, 9)"),
    mistake("quadratic_tril_order", "quadratic_features", {"quadratic_features": quadratic_tril_order}, {
        "hidden/test_linreg_basics::test_quadratic_features[three-features]",
        "hidden/test_linreg_basics::test_quadratic_features[float64-four]",
    }),
    mistake("quadratic_squares_only", "quadratic_features", {"quadratic_features": quadratic_squares_only}, {
        "public/test_linreg_basics::test_quadratic_features_small",
        "hidden/test_linreg_basics::test_quadratic_features[three-features]",
        "hidden/test_linreg_basics::test_quadratic_features[float64-four]",
        "hidden/test_linreg_basics::test_quadratic_features[no-rows]",
    }),
    mistake("ridge_adds_bias", "ridge_solution", {"ridge_solution": ridge_adds_bias}, {
        "public/test_linreg_basics::test_ridge_solution_identity",
        "hidden/test_linreg_basics::test_ridge_solution_rank_deficient",
        "hidden/test_linreg_basics::test_ridge_solution_is_stationary",
        "hidden/test_linreg_basics::test_ridge_solution_without_penalty",
        "hidden/test_linreg_basics::test_ridge_solution_column_y_float32",
        "hidden/test_linreg_basics::test_ridge_solution_large_penalty",
    }, message="has shape (4,); expected shape (3,)"),
    mistake("ridge_lam_everywhere", "ridge_solution", {"ridge_solution": ridge_lam_everywhere}, {
        "public/test_linreg_basics::test_ridge_solution_identity",
        "hidden/test_linreg_basics::test_ridge_solution_rank_deficient",
        "hidden/test_linreg_basics::test_ridge_solution_is_stationary",
        "hidden/test_linreg_basics::test_ridge_solution_column_y_float32",
        "hidden/test_linreg_basics::test_ridge_solution_large_penalty",
    }, message="singular"),
    mistake("ridge_scaled_by_n", "ridge_solution", {"ridge_solution": ridge_scaled_by_n}, {
        "public/test_linreg_basics::test_ridge_solution_identity",
        "hidden/test_linreg_basics::test_ridge_solution_rank_deficient",
        "hidden/test_linreg_basics::test_ridge_solution_is_stationary",
        "hidden/test_linreg_basics::test_ridge_solution_column_y_float32",
        "hidden/test_linreg_basics::test_ridge_solution_large_penalty",
    }),
    mistake("ridge_pinv", "ridge_solution", {"ridge_solution": ridge_pinv}, {
        "public/test_linreg_basics::test_ridge_solution_identity",
        "hidden/test_linreg_basics::test_ridge_solution_rank_deficient",
        "hidden/test_linreg_basics::test_ridge_solution_is_stationary",
        "hidden/test_linreg_basics::test_ridge_solution_column_y_float32",
        "hidden/test_linreg_basics::test_ridge_solution_large_penalty",
    }, message="at ridge_solution(X, y, 2.5)"),
    mistake("laplace_no_log2", "laplace_nll", {"laplace_nll": laplace_no_log2}, {
        "public/test_linreg_basics::test_laplace_nll_small",
        "hidden/test_linreg_basics::test_laplace_nll[column]",
        "hidden/test_linreg_basics::test_laplace_nll[y-flat]",
        "hidden/test_linreg_basics::test_laplace_nll[one-float64]",
        "hidden/test_linreg_basics::test_laplace_nll[large]",
    }, message="expected 2.38629"),
    mistake("laplace_mean", "laplace_nll", {"laplace_nll": laplace_mean}, {
        "public/test_linreg_basics::test_laplace_nll_small",
        "hidden/test_linreg_basics::test_laplace_nll[column]",
        "hidden/test_linreg_basics::test_laplace_nll[y-flat]",
        "hidden/test_linreg_basics::test_laplace_nll[large]",
    }),
    mistake("laplace_no_reshape", "laplace_nll", {"laplace_nll": laplace_no_reshape}, {
        "hidden/test_linreg_basics::test_laplace_nll[y-flat]",
    }, message="expected 17.5857"),
    mistake("collapse_column_convention", "collapse_linear", {"collapse_linear": collapse_column_convention}, {
        "public/test_linreg_basics::test_collapse_linear_small",
        "hidden/test_linreg_basics::test_collapse_linear_identity[4-5-3]",
        "hidden/test_linreg_basics::test_collapse_linear_identity[float64]",
        "hidden/test_linreg_basics::test_collapse_linear_identity[bottleneck]",
    }),
    mistake("collapse_forgets_b2", "collapse_linear", {"collapse_linear": collapse_forgets_b2}, {
        "public/test_linreg_basics::test_collapse_linear_small",
        "hidden/test_linreg_basics::test_collapse_linear_identity[4-5-3]",
        "hidden/test_linreg_basics::test_collapse_linear_identity[float64]",
        "hidden/test_linreg_basics::test_collapse_linear_identity[bottleneck]",
    }, message="X W + b differs"),
    mistake("collapse_bias_unmapped", "collapse_linear", {"collapse_linear": collapse_bias_unmapped}, {
        "public/test_linreg_basics::test_collapse_linear_small",
        "hidden/test_linreg_basics::test_collapse_linear_identity[4-5-3]",
        "hidden/test_linreg_basics::test_collapse_linear_identity[float64]",
        "hidden/test_linreg_basics::test_collapse_linear_identity[bottleneck]",
    }),
    mistake("poisson_no_factorial", "poisson_nll", {"poisson_nll": poisson_no_factorial}, {
        "hidden/test_linreg_basics::test_poisson_nll_integer_counts[few]",
        "hidden/test_linreg_basics::test_poisson_nll_integer_counts[many]",
        "hidden/test_linreg_basics::test_poisson_nll_float64_matrix",
        "hidden/test_linreg_basics::test_poisson_nll_matches_torch_distributions",
    }, message="expected 9.5874"),
    mistake("poisson_rate_not_log", "poisson_nll", {"poisson_nll": poisson_rate_not_log}, {
        "public/test_linreg_basics::test_poisson_nll_zero_count",
        "hidden/test_linreg_basics::test_poisson_nll_integer_counts[few]",
        "hidden/test_linreg_basics::test_poisson_nll_integer_counts[many]",
        "hidden/test_linreg_basics::test_poisson_nll_float64_matrix",
        "hidden/test_linreg_basics::test_poisson_nll_matches_torch_distributions",
    }, message="poisson_nll([0.], [0])"),
    mistake("poisson_mean", "poisson_nll", {"poisson_nll": poisson_mean}, {
        "hidden/test_linreg_basics::test_poisson_nll_integer_counts[few]",
        "hidden/test_linreg_basics::test_poisson_nll_integer_counts[many]",
        "hidden/test_linreg_basics::test_poisson_nll_float64_matrix",
        "hidden/test_linreg_basics::test_poisson_nll_matches_torch_distributions",
    }),
]
