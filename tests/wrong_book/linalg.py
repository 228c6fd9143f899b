"""Wrong states of 2.3 Linear algebra."""
import torch

from tests.wrong_book import mistake

A = torch.arange(6, dtype=torch.float32).reshape(2, 3)

MISTAKES = [
    mistake("sum_without_keepdims", "reductions", {"sum_A": A.sum(axis=1)},
            {"hidden/test_linalg::test_non_reduction_sum"}, message="keepdims"),
    # 2.3.2's integer x kept for the dot product.
    mistake("integer_x", "reductions", {"x": torch.arange(3)},
            {"hidden/test_linalg::test_dot_product_vectors"}, message="dtype"),
]
