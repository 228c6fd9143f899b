"""Wrong versions of 4.4 softmax and cross_entropy that real students could write."""
import torch

from tests.wrong import mistake


def softmax_naive(X):
    X_exp = torch.exp(X)
    return X_exp / X_exp.sum(1, keepdims=True)


def softmax_wrong_axis(X):
    X_exp = torch.exp(X - X.max(dim=0, keepdim=True).values)
    return X_exp / X_exp.sum(0, keepdims=True)


def softmax_no_keepdims(X):
    X_exp = torch.exp(X - X.max())
    return X_exp / X_exp.sum()


def cross_entropy_sum(y_hat, y):
    return -torch.log(y_hat[list(range(len(y_hat))), y]).sum()


def cross_entropy_wrong_index(y_hat, y):
    return -torch.log(y_hat[:, y]).mean()


MISTAKES = [
    mistake("softmax_naive", "softmax", {"softmax": softmax_naive}, {
        "hidden/test_softmax::test_softmax_is_stable_for_large_inputs[hundred]",
        "hidden/test_softmax::test_softmax_is_stable_for_large_inputs[thousand]",
    }, message="NaN or inf"),
    mistake("softmax_wrong_axis", "softmax", {"softmax": softmax_wrong_axis}, {
        "public/test_softmax::test_softmax_rows_sum_to_one",
        "hidden/test_softmax::test_softmax_rows_sum_to_one[wide]",
        "hidden/test_softmax::test_softmax_rows_sum_to_one[tall]",
        "hidden/test_softmax::test_softmax_matches_reference[3x4-float32]",
        "hidden/test_softmax::test_softmax_matches_reference[3x4-float64]",
        "hidden/test_softmax::test_softmax_matches_reference[one-row-float32]",
        "hidden/test_softmax::test_softmax_matches_reference[one-row-float64]",
        "hidden/test_softmax::test_softmax_is_stable_for_large_inputs[hundred]",
        "hidden/test_softmax::test_softmax_is_stable_for_large_inputs[thousand]",
    }, message="row sums"),
    mistake("softmax_no_keepdims", "softmax", {"softmax": softmax_no_keepdims}, {
        "public/test_softmax::test_softmax_rows_sum_to_one",
        "hidden/test_softmax::test_softmax_rows_sum_to_one[wide]",
        "hidden/test_softmax::test_softmax_rows_sum_to_one[tall]",
        "hidden/test_softmax::test_softmax_matches_reference[3x4-float32]",
        "hidden/test_softmax::test_softmax_matches_reference[3x4-float64]",
        "hidden/test_softmax::test_softmax_is_stable_for_large_inputs[hundred]",
        "hidden/test_softmax::test_softmax_is_stable_for_large_inputs[thousand]",
    }, message="row sums"),
    mistake("cross_entropy_sum", "cross_entropy", {"cross_entropy": cross_entropy_sum}, {
        "public/test_softmax::test_cross_entropy_book_example",
        "hidden/test_softmax::test_cross_entropy_matches_reference[batch]",
    },
            message="expected"),
    mistake("cross_entropy_wrong_index", "cross_entropy", {"cross_entropy": cross_entropy_wrong_index},
            {
        "public/test_softmax::test_cross_entropy_book_example",
        "hidden/test_softmax::test_cross_entropy_matches_reference[batch]",
    }, message="expected"),
]


def cross_entropy_missing_minus(y_hat, y):
    return torch.log(y_hat[list(range(len(y_hat))), y]).mean()


MISTAKES += [
    mistake("cross_entropy_missing_minus", "cross_entropy", {"cross_entropy": cross_entropy_missing_minus}, {
        "public/test_softmax::test_cross_entropy_book_example",
        "hidden/test_softmax::test_cross_entropy_matches_reference[batch]",
        "hidden/test_softmax::test_cross_entropy_matches_reference[one-example]",
    }, message="expected 1.49787"),
]
