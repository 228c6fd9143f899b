"""Wrong versions of the 2.3 exercises that real students could write."""
import torch

from tests.wrong import mistake


def transpose_reshape(A):
    return A.reshape(A.shape[1], A.shape[0])


def transpose_builtin(A):
    return A.T.clone()


_flip = torch.t   # bound once, at module level: still torch.t


def _swap(A):
    return A.permute(1, 0)


def transpose_alias(A):
    return _flip(A).clone()


def transpose_through_helper(A):
    return _swap(A).contiguous()


def transpose_computed_getattr(A, name="".join(["T"])):
    return getattr(A, name).clone()


def transpose_float_buffer(A):
    m, n = A.shape
    out = torch.zeros(n, m)
    for i in range(m):
        for j in range(n):
            out[j, i] = A[i, j]
    return out


def transpose_square_only(A):
    n = A.shape[0]
    out = A.clone()
    for i in range(n):
        for j in range(n):
            out[j, i] = A[i, j]
    return out


def is_symmetric_compare(A):
    return bool((A == A.T).all())


def is_symmetric_elementwise(A):
    if A.shape[0] != A.shape[1]:
        return False
    return A == A.T


def symmetrize_half(A):
    if A.shape[0] != A.shape[1]:
        raise ValueError("not square")
    return (A + A.T) / 2


def symmetrize_no_check(A):
    return A + A.T


def symmetrize_plus_self(A):
    if A.shape[0] != A.shape[1]:
        raise ValueError("not square")
    return A + A


def first_axis_len_last(X):
    return X.shape[-1]


def first_axis_len_ndim(X):
    return len(X.shape)


def first_axis_len_no_error(X):
    return X.shape[0] if X.dim() else 0


def row_normalize_no_keepdims(A):
    return A / A.sum(axis=1)


def row_normalize_columns(A):
    return A / A.sum(axis=0, keepdims=True)


def manhattan_euclid(p, q):
    return torch.sqrt(((p - q) ** 2).sum())


def manhattan_loop_from_first(p, q):
    total = torch.abs(p[0] - q[0])
    for i in range(1, len(p)):
        total += torch.abs(p[i] - q[i])
    return total


def sum_shapes_keepdims(shape):
    return [tuple(1 if j == i else s for j, s in enumerate(shape)) for i in range(len(shape))]


def sum_shapes_three_axes(shape):
    shape = tuple(shape)
    return [shape[1:], shape[:1] + shape[2:], shape[:2]]


def frobenius_builtin(X):
    return torch.linalg.norm(X)


def frobenius_no_sqrt(X):
    return (X * X).sum()


def chain_flops_adds(shapes):
    (m, n), (_, p), (_, q) = shapes
    return m * n * p + m * p * q, n * p * q + m * n * q + 1


def chain_flops_swapped(shapes):
    (m, n), (n2, p), (p2, q) = shapes
    if n != n2 or p != p2:
        raise ValueError("mismatch")
    return n * p * q + m * n * q, m * n * p + m * p * q


def chain_flops_no_check(shapes):
    (m, n), (_, p), (_, q) = shapes
    return m * n * p + m * p * q, n * p * q + m * n * q


def chain_flops_float(shapes):
    (m, n), (n2, p), (p2, q) = shapes
    if n != n2 or p != p2:
        raise ValueError("mismatch")
    return float(m * n * p + m * p * q), float(n * p * q + m * n * q)


def stack_with_cat(A, B, C):
    stacked = torch.cat([A, B, C])
    n = A.shape[0]
    return stacked, stacked[n:2 * n]


def stack_wrong_slice(A, B, C):
    stacked = torch.stack([A, B, C])
    return stacked, stacked[:, 1]


def l1_no_abs(x):
    return x.sum()


def l1_loop_from_first(x):
    total = torch.abs(x[0])
    for v in x[1:]:
        total = total + torch.abs(v)
    return total


def l2_builtin(x):
    return torch.norm(x)


def l2_loop_from_first(x):
    total = x[0] * x[0]
    for v in x[1:]:
        total = total + v * v
    return torch.sqrt(total)


def l2_no_sqrt(x):
    return (x * x).sum()


def matvec_builtin(A, x):
    return torch.mv(A, x)


def matvec_columns(A, x):
    return (A * x[:, None]).sum(axis=0) if A.shape[0] == x.shape[0] else (A * x).sum(axis=0)


def matmul_at(A, B):
    return A @ B


def matmul_elementwise(A, B):
    return (A[:, :, None] * B[None, :, :]).sum(axis=0)


MISTAKES = [
    mistake("transpose_reshape", "transpose", {"transpose": transpose_reshape}, {
        "hidden/test_linalg::test_transpose_values[square]",
        "hidden/test_linalg::test_transpose_values[tall-float64]",
        "hidden/test_linalg::test_transpose_values[wide-float32]",
        "hidden/test_linalg::test_transpose_without_builtin",
        "public/test_linalg::test_transpose_book_example",
    }, message="differs"),
    mistake("transpose_builtin", "transpose", {"transpose": transpose_builtin}, {
        "hidden/test_linalg::test_transpose_without_builtin",
    }, message="uses .T"),
    mistake("transpose_alias", "transpose", {"transpose": transpose_alias}, {
        "hidden/test_linalg::test_transpose_without_builtin",
    }, message="uses torch.t, which"),
    mistake("transpose_through_helper", "transpose", {"transpose": transpose_through_helper}, {
        "hidden/test_linalg::test_transpose_without_builtin",
    }, message="uses .permute(), which"),
    mistake("transpose_computed_getattr", "transpose", {"transpose": transpose_computed_getattr}, {
        "hidden/test_linalg::test_transpose_without_builtin",
    }, message="uses getattr() with a computed name, so the grader cannot tell"),
    mistake("transpose_square_only", "transpose", {"transpose": transpose_square_only}, {
        "hidden/test_linalg::test_transpose_values[empty]",
        "hidden/test_linalg::test_transpose_values[row-int64]",
        "hidden/test_linalg::test_transpose_values[tall-float64]",
        "hidden/test_linalg::test_transpose_values[wide-float32]",
        "hidden/test_linalg::test_transpose_without_builtin",
        "public/test_linalg::test_transpose_book_example",
    }),
    mistake("transpose_twice_float_buffer", "transpose_twice", {"transpose": transpose_float_buffer}, {
        "hidden/test_linalg::test_transpose_twice[int64]",
        "hidden/test_linalg::test_transpose_twice[wide]",
        "public/test_linalg::test_transpose_twice_book_example",
    }, message="expected int64"),
    mistake("transpose_twice_square_only", "transpose_twice", {"transpose": transpose_square_only}, {
        "hidden/test_linalg::test_transpose_twice[tall]",
    }),
    mistake("transpose_sum_float_buffer", "transpose_sum", {"transpose": transpose_float_buffer}, {
        "hidden/test_linalg::test_transpose_sum[int64]",
        "hidden/test_linalg::test_transpose_sum[wide]",
        "public/test_linalg::test_transpose_sum_book_example",
    }, message="expected int64"),
    mistake("transpose_sum_square_only", "transpose_sum", {"transpose": transpose_square_only}, {
        "hidden/test_linalg::test_transpose_sum[tall]",
        "hidden/test_linalg::test_transpose_sum[wide]",
    }),
    mistake("is_symmetric_compare", "is_symmetric", {"is_symmetric": is_symmetric_compare}, {
        "hidden/test_linalg::test_is_symmetric[not-square]",
    }, message="raised RuntimeError"),
    mistake("is_symmetric_elementwise", "is_symmetric", {"is_symmetric": is_symmetric_elementwise}, {
        "hidden/test_linalg::test_is_symmetric[asymmetric]",
        "hidden/test_linalg::test_is_symmetric[empty]",
        "hidden/test_linalg::test_is_symmetric[symmetric-float64]",
        "public/test_linalg::test_is_symmetric_book_example",
    }),
    mistake("symmetrize_half", "symmetrize", {"symmetrize": symmetrize_half}, {
        "hidden/test_linalg::test_symmetrize_values",
        "public/test_linalg::test_symmetrize_small",
    }),
    mistake("symmetrize_no_check", "symmetrize", {"symmetrize": symmetrize_no_check}, {
        "hidden/test_linalg::test_symmetrize_rejects_non_square",
    }, message="expected ValueError"),
    mistake("symmetrize_plus_self", "symmetrize", {"symmetrize": symmetrize_plus_self}, {
        "hidden/test_linalg::test_symmetrize_is_symmetric[float32]",
        "hidden/test_linalg::test_symmetrize_is_symmetric[float64]",
        "hidden/test_linalg::test_symmetrize_is_symmetric[int64]",
        "hidden/test_linalg::test_symmetrize_values",
        "public/test_linalg::test_symmetrize_small",
    }),
    mistake("first_axis_len_last", "first_axis_len", {"first_axis_len": first_axis_len_last}, {
        "hidden/test_linalg::test_first_axis_len[empty-rows]",
        "hidden/test_linalg::test_first_axis_len[four-axes]",
        "hidden/test_linalg::test_first_axis_len_of_a_scalar",
        "public/test_linalg::test_first_axis_len_book_example",
    }),
    mistake("first_axis_len_ndim", "first_axis_len", {"first_axis_len": first_axis_len_ndim}, {
        "hidden/test_linalg::test_first_axis_len[empty-rows]",
        "hidden/test_linalg::test_first_axis_len[vector]",
        "hidden/test_linalg::test_first_axis_len_of_a_scalar",
        "public/test_linalg::test_first_axis_len_book_example",
    }),
    mistake("first_axis_len_no_error", "first_axis_len", {"first_axis_len": first_axis_len_no_error}, {
        "hidden/test_linalg::test_first_axis_len_of_a_scalar",
    }, message="expected it to raise TypeError"),
    mistake("row_normalize_no_keepdims", "row_normalize", {"row_normalize": row_normalize_no_keepdims}, {
        "hidden/test_linalg::test_row_normalize[int64]",
        "hidden/test_linalg::test_row_normalize[square]",
        "hidden/test_linalg::test_row_normalize[tall-float64]",
        "hidden/test_linalg::test_row_normalize[wide]",
        "public/test_linalg::test_row_normalize_book_example",
    }),
    mistake("row_normalize_columns", "row_normalize", {"row_normalize": row_normalize_columns}, {
        "hidden/test_linalg::test_row_normalize[int64]",
        "hidden/test_linalg::test_row_normalize[one-row]",
        "hidden/test_linalg::test_row_normalize[square]",
        "hidden/test_linalg::test_row_normalize[tall-float64]",
        "hidden/test_linalg::test_row_normalize[wide]",
        "public/test_linalg::test_row_normalize_book_example",
    }, message="row sums"),
    mistake("manhattan_euclid", "manhattan_distance", {"manhattan_distance": manhattan_euclid}, {
        "hidden/test_linalg::test_manhattan_distance[city-blocks-int64]",
        "hidden/test_linalg::test_manhattan_distance[float32]",
        "hidden/test_linalg::test_manhattan_distance[float64-large]",
        "public/test_linalg::test_manhattan_distance_small",
    }),
    mistake("manhattan_loop_from_first", "manhattan_distance", {"manhattan_distance": manhattan_loop_from_first}, {
        "hidden/test_linalg::test_manhattan_distance[empty]",
    }),
    mistake("sum_shapes_keepdims", "sum_shapes", {"sum_shapes": sum_shapes_keepdims}, {
        "hidden/test_linalg::test_sum_shapes[empty-axis]",
        "hidden/test_linalg::test_sum_shapes[vector]",
        "hidden/test_linalg::test_sum_shapes[with-ones]",
        "public/test_linalg::test_sum_shapes_book_example",
    }),
    mistake("sum_shapes_three_axes", "sum_shapes", {"sum_shapes": sum_shapes_three_axes}, {
        "hidden/test_linalg::test_sum_shapes[empty-axis]",
        "hidden/test_linalg::test_sum_shapes[scalar]",
        "hidden/test_linalg::test_sum_shapes[vector]",
        "hidden/test_linalg::test_sum_shapes[with-ones]",
    }),
    mistake("frobenius_builtin", "frobenius_norm", {"frobenius_norm": frobenius_builtin}, {
        "hidden/test_linalg::test_frobenius_norm_without_norm",
    }, message="uses torch.linalg.norm"),
    mistake("frobenius_no_sqrt", "frobenius_norm", {"frobenius_norm": frobenius_no_sqrt}, {
        "hidden/test_linalg::test_frobenius_norm[0-d]",
        "hidden/test_linalg::test_frobenius_norm[3-axes]",
        "hidden/test_linalg::test_frobenius_norm[4-axes-large]",
        "hidden/test_linalg::test_frobenius_norm[vector-float64]",
        "hidden/test_linalg::test_frobenius_norm_without_norm",
        "public/test_linalg::test_frobenius_norm_book_example",
    }),
    mistake("chain_flops_swapped", "matmul_chain_flops", {"matmul_chain_flops": chain_flops_swapped}, {
        "hidden/test_linalg::test_matmul_chain_flops[mixed]",
        "hidden/test_linalg::test_matmul_chain_flops[row-and-column]",
        "hidden/test_linalg::test_matmul_chain_flops_order_matters",
        "public/test_linalg::test_matmul_chain_flops_book_example",
    }),
    mistake("chain_flops_no_check", "matmul_chain_flops", {"matmul_chain_flops": chain_flops_no_check}, {
        "hidden/test_linalg::test_matmul_chain_flops_rejects_mismatch",
    }, message="expected it to raise ValueError"),
    mistake("chain_flops_float", "matmul_chain_flops", {"matmul_chain_flops": chain_flops_float}, {
        "hidden/test_linalg::test_matmul_chain_flops[mixed]",
        "hidden/test_linalg::test_matmul_chain_flops[row-and-column]",
        "hidden/test_linalg::test_matmul_chain_flops[square]",
    }, message="return ints"),
    mistake("stack_with_cat", "stack_and_recover", {"stack_and_recover": stack_with_cat}, {
        "hidden/test_linalg::test_stack_and_recover_stacks_on_a_new_axis",
        "public/test_linalg::test_stack_and_recover_small",
    }),
    mistake("stack_wrong_slice", "stack_and_recover", {"stack_and_recover": stack_wrong_slice}, {
        "hidden/test_linalg::test_stack_and_recover_gives_B_back[column]",
        "hidden/test_linalg::test_stack_and_recover_gives_B_back[float64]",
        "public/test_linalg::test_stack_and_recover_small",
    }),
    mistake("l1_no_abs", "l1_norm", {"l1_norm": l1_no_abs}, {
        "hidden/test_linalg::test_l1_norm[float32]",
        "hidden/test_linalg::test_l1_norm[float64-large]",
        "public/test_linalg::test_l1_norm_book_example",
    }),
    mistake("l1_loop_from_first", "l1_norm", {"l1_norm": l1_loop_from_first}, {
        "hidden/test_linalg::test_l1_norm[empty]",
    }),
    mistake("l2_builtin", "l2_norm", {"l2_norm": l2_builtin}, {
        "hidden/test_linalg::test_l2_norm_without_norm",
    }, message="uses torch.norm, which"),
    mistake("l2_loop_from_first", "l2_norm", {"l2_norm": l2_loop_from_first}, {
        "hidden/test_linalg::test_l2_norm[empty]",
    }),
    mistake("l2_no_sqrt", "l2_norm", {"l2_norm": l2_no_sqrt}, {
        "hidden/test_linalg::test_l2_norm[float32]",
        "hidden/test_linalg::test_l2_norm[float64-large]",
        "hidden/test_linalg::test_l2_norm_without_norm",
        "public/test_linalg::test_l2_norm_book_example",
    }),
    mistake("matvec_builtin", "matvec", {"matvec": matvec_builtin}, {
        "hidden/test_linalg::test_matvec_without_mv",
    }, message="uses torch.mv"),
    mistake("matvec_columns", "matvec", {"matvec": matvec_columns}, {
        "hidden/test_linalg::test_matvec[int64]",
        "hidden/test_linalg::test_matvec[one-row]",
        "hidden/test_linalg::test_matvec[tall-float64]",
        "hidden/test_linalg::test_matvec[wide]",
        "hidden/test_linalg::test_matvec_without_mv",
        "public/test_linalg::test_matvec_book_example",
    }),
    mistake("matmul_at", "matmul", {"matmul": matmul_at}, {
        "hidden/test_linalg::test_matmul_without_mm",
    }, message="uses the @ operator"),
    mistake("matmul_elementwise", "matmul", {"matmul": matmul_elementwise}, {
        "hidden/test_linalg::test_matmul[inner-zero]",
        "hidden/test_linalg::test_matmul[int64]",
        "hidden/test_linalg::test_matmul[outer]",
        "hidden/test_linalg::test_matmul[rectangular]",
        "hidden/test_linalg::test_matmul_without_mm",
        "public/test_linalg::test_matmul_book_example",
    }),
]
