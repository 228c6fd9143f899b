"""Hidden tests for 2.3 Linear algebra.

"Without X" exercises are checked on their results everywhere, and once each on the
notebook's source, read by the grader (the ``source`` fixture): the function and the
notebook's own helpers it reaches must not name the forbidden torch functions.
"""
import pytest
import torch

from grader.testing import Mismatch, assert_close, require, expect_raises, expect_tensor, generator

# (owner, attribute, as the message names it): owner "Tensor" is a method or property.
TRANSPOSES = [("Tensor", "T", ".T"), ("Tensor", "mT", ".mT"), ("Tensor", "H", ".H"), ("Tensor", "mH", ".mH"),
              ("Tensor", "t", ".t()"), ("torch", "t", "torch.t"),
              ("Tensor", "transpose", ".transpose()"), ("torch", "transpose", "torch.transpose"),
              ("Tensor", "permute", ".permute()"), ("torch", "permute", "torch.permute"),
              ("Tensor", "swapaxes", ".swapaxes()"), ("torch", "swapaxes", "torch.swapaxes"),
              ("Tensor", "swapdims", ".swapdims()"), ("torch", "swapdims", "torch.swapdims"),
              ("Tensor", "movedim", ".movedim()"), ("torch", "movedim", "torch.movedim"),
              ("Tensor", "moveaxis", ".moveaxis()"), ("torch", "moveaxis", "torch.moveaxis")]
NORMS = [("torch", "norm", "torch.norm"), ("Tensor", "norm", ".norm()"),
         ("torch.linalg", "norm", "torch.linalg.norm"), ("torch.linalg", "vector_norm", "torch.linalg.vector_norm"),
         ("torch.linalg", "matrix_norm", "torch.linalg.matrix_norm")]
PRODUCTS = [("torch", "mm", "torch.mm"), ("Tensor", "mm", ".mm()"), ("torch", "mv", "torch.mv"),
            ("Tensor", "mv", ".mv()"), ("torch", "matmul", "torch.matmul"), ("Tensor", "matmul", ".matmul()"),
            ("torch", "bmm", "torch.bmm"), ("Tensor", "__matmul__", "the @ operator"),
            ("Tensor", "__rmatmul__", "the @ operator")]


def forbid(source, name: str, call: str, forbidden: list, instead: str) -> None:
    """``name``'s source (with the notebook's helpers it reaches) uses none of ``forbidden``."""
    usage = source.usage(name)
    if usage.dynamic:
        raise Mismatch(f"{call} uses {', '.join(sorted(usage.dynamic))}, so the grader cannot tell from its "
                       "source which functions it calls; write it plainly, calling functions by their names")
    used: list[str] = []
    for attribute in dict.fromkeys(a for _, a, _ in forbidden):
        if attribute not in usage.attributes:
            continue
        entries = [(owner, label) for owner, a, label in forbidden if a == attribute]
        named = [label for owner, label in entries if f"{owner}.{attribute}" in usage.references]
        methods = [label for owner, label in entries if owner == "Tensor"]
        label = (named or methods or [entries[0][1]])[0]
        if label not in used:
            used.append(label)
    require(not used, f"{call} uses {', '.join(used)}, which the exercise rules out; {instead}")


def rand(shape, key, dtype=torch.float32, scale=1.0):
    return (scale * torch.randn(shape, generator=generator(*key), dtype=torch.float64)).to(dtype)


# ---------------------------------------------------------------------------- transpose

TRANSPOSE_CASES = {
    "wide-float32": ((2, 5), torch.float32),
    "tall-float64": ((5, 2), torch.float64),
    "row-int64": ((1, 4), torch.int64),
    "square": ((3, 3), torch.float32),
    "empty": ((0, 3), torch.float32),
}


def make_matrix(shape, dtype, key):
    if dtype == torch.int64:
        return torch.randint(-9, 10, shape, generator=generator(*key))
    return rand(shape, key, dtype)


@pytest.mark.exercise("transpose")
@pytest.mark.points(0.2)
@pytest.mark.parametrize("case", list(TRANSPOSE_CASES), ids=list(TRANSPOSE_CASES))
def test_transpose_values(student, tolerance, case):
    """transpose(A) is Aᵀ for matrices of several shapes and dtypes."""
    shape, dtype = TRANSPOSE_CASES[case]
    A = make_matrix(shape, dtype, ("transpose", case))
    got = expect_tensor(student.transpose(A), f"transpose(A) for A of shape {shape}", shape=shape[::-1])
    require(got.dtype == A.dtype, f"transpose(A) has dtype {str(got.dtype).replace('torch.', '')}; expected "
          f"{str(A.dtype).replace('torch.', '')}, A's own (torch.zeros(...) alone makes float32)")
    assert_close(got, A.T, tolerance("exact"), name=f"transpose(A) for A of shape {shape}")


@pytest.mark.exercise("transpose")
@pytest.mark.points(0.5)
def test_transpose_without_builtin(student, source, tolerance):
    """transpose(A) does not call .T, .t(), transpose, permute and the like."""
    A = rand((3, 4), ("transpose watched",))
    forbid(source, "transpose", "transpose(A)", TRANSPOSES, "build it from A's columns by indexing")
    got = student.transpose(A)
    assert_close(expect_tensor(got, "transpose(A)", shape=(4, 3)), A.T, tolerance("exact"), name="transpose(A)")


PROPERTY_SHAPES = {"wide": ((2, 7), torch.float64), "tall": ((6, 3), torch.float32),
                   "int64": ((4, 4), torch.int64)}


@pytest.mark.exercise("transpose_twice")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("case", list(PROPERTY_SHAPES), ids=list(PROPERTY_SHAPES))
def test_transpose_twice(student, tolerance, case):
    """(Aᵀ)ᵀ = A, exactly and with A's dtype, for random A."""
    shape, dtype = PROPERTY_SHAPES[case]
    A = make_matrix(shape, dtype, ("transpose twice", case))
    once = expect_tensor(student.transpose(A), "transpose(A)")
    twice = expect_tensor(student.transpose(once), "transpose(transpose(A))", shape=shape)
    require(twice.dtype == A.dtype, f"transpose(transpose(A)) has dtype {str(twice.dtype).replace('torch.', '')}; "
          f"expected {str(A.dtype).replace('torch.', '')}, as A")
    assert_close(twice, A, tolerance("exact"), name=f"transpose(transpose(A)) for A of shape {shape}")


@pytest.mark.exercise("transpose_sum")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("case", list(PROPERTY_SHAPES), ids=list(PROPERTY_SHAPES))
def test_transpose_sum(student, tolerance, case):
    """Aᵀ + Bᵀ = (A + B)ᵀ, exactly, for random A and B."""
    shape, dtype = PROPERTY_SHAPES[case]
    A = make_matrix(shape, dtype, ("transpose sum A", case))
    B = make_matrix(shape, dtype, ("transpose sum B", case))
    left = expect_tensor(student.transpose(A), "transpose(A)", shape=shape[::-1]) + \
        expect_tensor(student.transpose(B), "transpose(B)", shape=shape[::-1])
    right = expect_tensor(student.transpose(A + B), "transpose(A + B)", shape=shape[::-1])
    require(right.dtype == (A + B).dtype, f"transpose(A + B) has dtype {str(right.dtype).replace('torch.', '')}; "
          f"expected {str((A + B).dtype).replace('torch.', '')}, as A + B")
    assert_close(left, right, tolerance("exact"),
                 name=f"transpose(A) + transpose(B) compared with transpose(A + B) for shape {shape}")


# ---------------------------------------------------------------------------- symmetry

SYMMETRY_CASES = {
    "asymmetric": (torch.tensor([[1.0, 2.0], [2.001, 1.0]]), False),
    "not-square": (torch.ones(2, 3), False),
    "empty": (torch.zeros(0, 0), True),
    "symmetric-float64": (torch.tensor([[0.5, -1.25, 3.0], [-1.25, 2.0, 1e-300], [3.0, 1e-300, 7.0]],
                                       dtype=torch.float64), True),
}


@pytest.mark.exercise("is_symmetric")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("case", list(SYMMETRY_CASES), ids=list(SYMMETRY_CASES))
def test_is_symmetric(student, tolerance, case):
    """is_symmetric(A) on symmetric, asymmetric and non-square matrices."""
    A, expected = SYMMETRY_CASES[case]
    assert_close(student.is_symmetric(A), expected, tolerance("exact"),
                 name=f"is_symmetric(A) for A of shape {tuple(A.shape)}")


SYMMETRIZE_CASES = {"float32": ((5, 5), torch.float32), "float64": ((4, 4), torch.float64),
                    "int64": ((3, 3), torch.int64)}


@pytest.mark.exercise("symmetrize")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("case", list(SYMMETRIZE_CASES), ids=list(SYMMETRIZE_CASES))
def test_symmetrize_is_symmetric(student, tolerance, case):
    """symmetrize(A) equals its own transpose, exactly, for random square A."""
    shape, dtype = SYMMETRIZE_CASES[case]
    A = make_matrix(shape, dtype, ("symmetrize", case))
    S = expect_tensor(student.symmetrize(A), "symmetrize(A)", shape=shape)
    assert_close(S, S.T, tolerance("exact"), name="symmetrize(A) compared with its transpose")


@pytest.mark.exercise("symmetrize")
@pytest.mark.points(0.25)
def test_symmetrize_values(student, reference, tolerance):
    """symmetrize(A) is A + Aᵀ itself, not a multiple of it."""
    A = rand((4, 4), ("symmetrize values",))
    S = expect_tensor(student.symmetrize(A), "symmetrize(A)", shape=(4, 4))
    assert_close(S, reference.symmetrize(A), tolerance("float32"), name="symmetrize(A)")


@pytest.mark.exercise("symmetrize")
@pytest.mark.points(0.5)
def test_symmetrize_rejects_non_square(student):
    """A 2 x 3 matrix has no A + Aᵀ: ValueError."""
    expect_raises(lambda: student.symmetrize(torch.ones(2, 3)), "ValueError", what="symmetrize(A) for A of shape (2, 3)")


# ---------------------------------------------------------------------------- len, sums, norms

LEN_SHAPES = {"vector": (7,), "empty-rows": (0, 5), "four-axes": (4, 3, 2, 1)}


@pytest.mark.exercise("first_axis_len")
@pytest.mark.points(0.125)
@pytest.mark.parametrize("case", list(LEN_SHAPES), ids=list(LEN_SHAPES))
def test_first_axis_len(student, tolerance, case):
    """first_axis_len(X) is what len(X) gives."""
    shape = LEN_SHAPES[case]
    got = student.first_axis_len(torch.zeros(shape))
    require(isinstance(got, int), f"first_axis_len(X) returned a {type(got).__name__}; return an int, as len does")
    assert_close(got, shape[0], tolerance("exact"), name=f"first_axis_len(X) for X of shape {shape}")


@pytest.mark.exercise("first_axis_len")
@pytest.mark.points(0.375)
def test_first_axis_len_of_a_scalar(student):
    """A 0-d tensor has no first axis: TypeError, as len(torch.tensor(3.0)) raises."""
    expect_raises(lambda: student.first_axis_len(torch.tensor(3.0)), "TypeError",
                  what="first_axis_len(torch.tensor(3.0))")


ROW_CASES = {"wide": ((3, 5), torch.float32), "tall-float64": ((5, 3), torch.float64),
             "square": ((4, 4), torch.float32), "one-row": ((1, 6), torch.float32), "int64": ((2, 4), torch.int64)}


@pytest.mark.exercise("row_normalize")
@pytest.mark.points(0.3)
@pytest.mark.parametrize("case", list(ROW_CASES), ids=list(ROW_CASES))
def test_row_normalize(student, reference, tolerance, case):
    """row_normalize(A): every row divided by its own sum (positive entries, so no sum is 0)."""
    shape, dtype = ROW_CASES[case]
    g = generator("row_normalize", case)
    A = torch.randint(1, 10, shape, generator=g) if dtype == torch.int64 else \
        (torch.rand(shape, generator=g, dtype=torch.float64) + 0.1).to(dtype)
    got = expect_tensor(student.row_normalize(A), f"row_normalize(A) for A of shape {shape}", shape=shape)
    assert_close(got.sum(dim=1), torch.ones(shape[0]), tolerance("float32"),
                 name=f"the row sums of row_normalize(A) for A of shape {shape}")
    assert_close(got, reference.row_normalize(A), tolerance("float32"), name=f"row_normalize(A) for A of shape {shape}")


DISTANCE_CASES = {
    "float32": lambda g: (torch.randn(10, generator=g), torch.randn(10, generator=g)),
    "float64-large": lambda g: (1e8 * torch.randn(6, generator=g, dtype=torch.float64),
                                1e8 * torch.randn(6, generator=g, dtype=torch.float64)),
    "city-blocks-int64": lambda g: (torch.randint(-50, 50, (2,), generator=g), torch.randint(-50, 50, (2,), generator=g)),
    "empty": lambda g: (torch.zeros(0), torch.zeros(0)),
}


@pytest.mark.exercise("manhattan_distance")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("case", list(DISTANCE_CASES), ids=list(DISTANCE_CASES))
def test_manhattan_distance(student, reference, tolerance, case):
    """manhattan_distance(p, q) is the sum of |p_i - q_i|."""
    p, q = DISTANCE_CASES[case](generator("manhattan", case))
    assert_close(student.manhattan_distance(p, q), reference.manhattan_distance(p, q), tolerance("float32"),
                 name=f"manhattan_distance(p, q) for p, q of length {len(p)}")


SUM_SHAPES = {"vector": (5,), "with-ones": (2, 1, 3, 1), "scalar": (), "empty-axis": (0, 4)}


@pytest.mark.exercise("sum_shapes")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("case", list(SUM_SHAPES), ids=list(SUM_SHAPES))
def test_sum_shapes(student, tolerance, case):
    """sum_shapes(shape) agrees with the shapes torch gives for X.sum(axis=i)."""
    shape = SUM_SHAPES[case]
    X = torch.zeros(shape)
    expected = [tuple(X.sum(axis=i).shape) for i in range(X.dim())]
    got = student.sum_shapes(shape)
    require(isinstance(got, (list, tuple)), f"sum_shapes({shape}) returned a {type(got).__name__}; return a list of shapes")
    assert_close([tuple(s) if isinstance(s, (list, tuple)) else s for s in got], expected, tolerance("exact"),
                 name=f"sum_shapes({shape})")


NORM_CASES = {
    "0-d": ((), torch.float32, 1.0),
    "vector-float64": ((9,), torch.float64, 1.0),
    "3-axes": ((2, 3, 4), torch.float32, 1.0),
    "4-axes-large": ((2, 2, 3, 2), torch.float64, 1e100),
}


@pytest.mark.exercise("frobenius_norm")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("case", list(NORM_CASES), ids=list(NORM_CASES))
def test_frobenius_norm(student, tolerance, case):
    """frobenius_norm(X) equals torch.linalg.norm(X) for any number of axes."""
    shape, dtype, scale = NORM_CASES[case]
    X = rand(shape, ("frobenius", case), dtype, scale)
    expected = torch.linalg.vector_norm(X.to(torch.float64)).item()
    assert_close(student.frobenius_norm(X), expected, tolerance("float32"),
                 name=f"frobenius_norm(X) for X of shape {shape}")


@pytest.mark.exercise("frobenius_norm")
@pytest.mark.points(0.5)
def test_frobenius_norm_without_norm(student, source, tolerance):
    """frobenius_norm(X) does not call torch.norm or the torch.linalg norms."""
    X = rand((2, 3, 4), ("frobenius watched",))
    forbid(source, "frobenius_norm", "frobenius_norm(X)", NORMS, "take the square root of the sum of squares")
    got = student.frobenius_norm(X)
    assert_close(got, torch.linalg.vector_norm(X).item(), tolerance("float32"), name="frobenius_norm(X)")


FLOP_CASES = {"square": [(4, 4), (4, 4), (4, 4)], "row-and-column": [(1, 100), (100, 1), (1, 100)],
              "mixed": [(3, 7), (7, 2), (2, 5)]}


@pytest.mark.exercise("matmul_chain_flops")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("case", list(FLOP_CASES), ids=list(FLOP_CASES))
def test_matmul_chain_flops(student, reference, tolerance, case):
    """matmul_chain_flops(shapes) counts both orders' multiplications."""
    shapes = FLOP_CASES[case]
    got = student.matmul_chain_flops(shapes)
    require(isinstance(got, tuple) and len(got) == 2,
          f"matmul_chain_flops({shapes}) must return a tuple of two counts ((AB)C, A(BC))")
    require(all(isinstance(c, int) for c in got), f"matmul_chain_flops({shapes}) returned {got}; return ints")
    assert_close(got, reference.matmul_chain_flops(shapes), tolerance("exact"), name=f"matmul_chain_flops({shapes})")


@pytest.mark.exercise("matmul_chain_flops")
@pytest.mark.points(0.25)
def test_matmul_chain_flops_order_matters(student, tolerance):
    """For A (10 x 1), B (1 x 10), C (10 x 1), (AB)C costs 200 and A(BC) 20."""
    assert_close(student.matmul_chain_flops([(10, 1), (1, 10), (10, 1)]), (200, 20), tolerance("exact"),
                 name="matmul_chain_flops([(10, 1), (1, 10), (10, 1)])")


@pytest.mark.exercise("matmul_chain_flops")
@pytest.mark.points(0.5)
def test_matmul_chain_flops_rejects_mismatch(student):
    """A (2 x 3) and B (4 x 5) cannot be multiplied: ValueError."""
    expect_raises(lambda: student.matmul_chain_flops([(2, 3), (4, 5), (5, 6)]), "ValueError",
                  what="matmul_chain_flops([(2, 3), (4, 5), (5, 6)])")


# ---------------------------------------------------------------------------- stacking

STACK_CASES = {"float64": ((100, 200), torch.float64), "column": ((4, 1), torch.float32)}


@pytest.mark.exercise("stack_and_recover")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("case", list(STACK_CASES), ids=list(STACK_CASES))
def test_stack_and_recover_gives_B_back(student, tolerance, case):
    """The slice taken out of the stack is B, exactly."""
    shape, dtype = STACK_CASES[case]
    A, B, C = (rand(shape, ("stack", case, i), dtype) for i in range(3))
    result = student.stack_and_recover(A, B, C)
    require(isinstance(result, tuple) and len(result) == 2,
          "stack_and_recover(A, B, C) must return the tuple (stacked, B_again)")
    got = expect_tensor(result[1], "B sliced back out of the stack", shape=shape)
    assert_close(got, B, tolerance("exact"), name="B sliced back out of the stack")


@pytest.mark.exercise("stack_and_recover")
@pytest.mark.points(0.5)
def test_stack_and_recover_stacks_on_a_new_axis(student, tolerance):
    """stacked has shape (3, 4, 2) for three 4 x 2 matrices, with A, B, C in that order."""
    A, B, C = (rand((4, 2), ("stack order", i)) for i in range(3))
    result = student.stack_and_recover(A, B, C)
    require(isinstance(result, tuple) and len(result) == 2,
          "stack_and_recover(A, B, C) must return the tuple (stacked, B_again)")
    stacked = expect_tensor(result[0], "stacked", shape=(3, 4, 2))
    assert_close(stacked, torch.stack([A, B, C]), tolerance("exact"), name="stacked")


# ---------------------------------------------------------------------------- norms and products

VECTORS = {
    "float32": lambda g: torch.randn(50, generator=g),
    "float64-large": lambda g: 1e150 * torch.randn(8, generator=g, dtype=torch.float64),
    "empty": lambda g: torch.zeros(0),
}


@pytest.mark.exercise("l1_norm")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("case", list(VECTORS), ids=list(VECTORS))
def test_l1_norm(student, tolerance, case):
    """l1_norm(x) is the sum of |x_i|."""
    x = VECTORS[case](generator("l1", case))
    assert_close(student.l1_norm(x), torch.abs(x.to(torch.float64)).sum().item(), tolerance("float32"),
                 name=f"l1_norm(x) for x of length {len(x)}")


@pytest.mark.exercise("l2_norm")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("case", list(VECTORS), ids=list(VECTORS))
def test_l2_norm(student, tolerance, case):
    """l2_norm(x) is the square root of the sum of x_i²."""
    x = VECTORS[case](generator("l2", case))
    assert_close(student.l2_norm(x), torch.linalg.vector_norm(x.to(torch.float64)).item(), tolerance("float32"),
                 name=f"l2_norm(x) for x of length {len(x)}")


@pytest.mark.exercise("l2_norm")
@pytest.mark.points(0.5)
def test_l2_norm_without_norm(student, source, tolerance):
    """l2_norm(x) does not call torch.norm or the torch.linalg norms."""
    x = rand((12,), ("l2 watched",))
    forbid(source, "l2_norm", "l2_norm(x)", NORMS, "take the square root of the sum of squares")
    got = student.l2_norm(x)
    assert_close(got, torch.linalg.vector_norm(x).item(), tolerance("float32"), name="l2_norm(x)")


MATVEC_CASES = {"wide": ((3, 5), torch.float32), "tall-float64": ((5, 3), torch.float64),
                "one-row": ((1, 4), torch.float32), "int64": ((3, 2), torch.int64)}


@pytest.mark.exercise("matvec")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("case", list(MATVEC_CASES), ids=list(MATVEC_CASES))
def test_matvec(student, tolerance, case):
    """matvec(A, x) equals A x."""
    shape, dtype = MATVEC_CASES[case]
    A = make_matrix(shape, dtype, ("matvec A", case))
    x = make_matrix((shape[1], 1), dtype, ("matvec x", case)).reshape(-1)
    got = expect_tensor(student.matvec(A, x), f"matvec(A, x) for A of shape {shape}", shape=(shape[0],))
    assert_close(got, torch.mv(A, x), tolerance("linalg_product"), name=f"matvec(A, x) for A of shape {shape}")


@pytest.mark.exercise("matvec")
@pytest.mark.points(0.5)
def test_matvec_without_mv(student, source, tolerance):
    """matvec(A, x) does not call torch.mv, torch.mm, torch.matmul or @."""
    A, x = rand((4, 6), ("matvec watched A",)), rand((6,), ("matvec watched x",))
    forbid(source, "matvec", "matvec(A, x)", PRODUCTS, "sum elementwise products, or take dot products of rows")
    got = student.matvec(A, x)
    assert_close(expect_tensor(got, "matvec(A, x)", shape=(4,)), torch.mv(A, x), tolerance("linalg_product"),
                 name="matvec(A, x)")


MATMUL_CASES = {"rectangular": ((2, 3), (3, 4), torch.float32), "outer": ((4, 1), (1, 5), torch.float64),
                "inner-zero": ((3, 0), (0, 2), torch.float32), "int64": ((2, 4), (4, 3), torch.int64)}


@pytest.mark.exercise("matmul")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("case", list(MATMUL_CASES), ids=list(MATMUL_CASES))
def test_matmul(student, tolerance, case):
    """matmul(A, B) equals A B."""
    a_shape, b_shape, dtype = MATMUL_CASES[case]
    A = make_matrix(a_shape, dtype, ("matmul A", case))
    B = make_matrix(b_shape, dtype, ("matmul B", case))
    shape = (a_shape[0], b_shape[1])
    got = expect_tensor(student.matmul(A, B), f"matmul(A, B) for shapes {a_shape} and {b_shape}", shape=shape)
    assert_close(got, torch.mm(A, B), tolerance("linalg_product"),
                 name=f"matmul(A, B) for shapes {a_shape} and {b_shape}")


@pytest.mark.exercise("matmul")
@pytest.mark.points(0.5)
def test_matmul_without_mm(student, source, tolerance):
    """matmul(A, B) does not call torch.mm, torch.mv, torch.matmul or @."""
    A, B = rand((3, 5), ("matmul watched A",)), rand((5, 2), ("matmul watched B",))
    forbid(source, "matmul", "matmul(A, B)", PRODUCTS, "sum elementwise products, or use your matvec column by column")
    got = student.matmul(A, B)
    assert_close(expect_tensor(got, "matmul(A, B)", shape=(3, 2)), torch.mm(A, B), tolerance("linalg_product"),
                 name="matmul(A, B)")
