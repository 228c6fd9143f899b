"""Public checks for 2.3: run them with `grader check`."""
import pytest
import torch

from grader.testing import assert_close, require, expect_tensor, generator

BOOK_A = torch.arange(6, dtype=torch.float32).reshape(2, 3)


@pytest.mark.exercise("transpose")
@pytest.mark.points(0.5)
def test_transpose_book_example(student, tolerance):
    """The book's A = arange(6).reshape(3, 2) transposes to [[0, 2, 4], [1, 3, 5]]."""
    A = torch.arange(6).reshape(3, 2)
    got = expect_tensor(student.transpose(A), "transpose(A)", shape=(2, 3))
    assert_close(got, torch.tensor([[0, 2, 4], [1, 3, 5]]), tolerance("exact"), name="transpose(A)")


@pytest.mark.exercise("transpose_twice")
@pytest.mark.points(0.25)
def test_transpose_twice_book_example(student, tolerance):
    """transpose(transpose(A)) is A for a random 3 x 3 float64 A."""
    A = torch.rand((3, 3), generator=generator("public transpose_twice"), dtype=torch.float64)
    once = expect_tensor(student.transpose(A), "transpose(A)", shape=(3, 3))
    twice = expect_tensor(student.transpose(once), "transpose(transpose(A))", shape=(3, 3))
    assert_close(twice, A, tolerance("exact"), name="transpose(transpose(A))")


@pytest.mark.exercise("transpose_sum")
@pytest.mark.points(0.25)
def test_transpose_sum_book_example(student, tolerance):
    """transpose(A) + transpose(B) is transpose(A + B) for random 3 x 3 float64 A and B."""
    g = generator("public transpose_sum")
    A, B = (torch.rand((3, 3), generator=g, dtype=torch.float64) for _ in range(2))
    left = expect_tensor(student.transpose(A), "transpose(A)", shape=(3, 3)) + \
        expect_tensor(student.transpose(B), "transpose(B)", shape=(3, 3))
    right = expect_tensor(student.transpose(A + B), "transpose(A + B)", shape=(3, 3))
    assert_close(left, right, tolerance("exact"), name="transpose(A) + transpose(B) compared with transpose(A + B)")


@pytest.mark.exercise("is_symmetric")
@pytest.mark.points(0.5)
def test_is_symmetric_book_example(student, tolerance):
    """The book's B = [[1, 2, 3], [2, 0, 4], [3, 4, 5]] is symmetric."""
    B = torch.tensor([[1, 2, 3], [2, 0, 4], [3, 4, 5]])
    assert_close(student.is_symmetric(B), True, tolerance("exact"), name="is_symmetric(B)")


@pytest.mark.exercise("symmetrize")
@pytest.mark.points(0.5)
def test_symmetrize_small(student, tolerance):
    """symmetrize(A) for A = arange(9).reshape(3, 3) is A + Aᵀ."""
    A = torch.arange(9).reshape(3, 3)
    got = expect_tensor(student.symmetrize(A), "symmetrize(A)", shape=(3, 3))
    assert_close(got, torch.tensor([[0, 4, 8], [4, 8, 12], [8, 12, 16]]), tolerance("exact"),
                 name="symmetrize(A)")


@pytest.mark.exercise("first_axis_len")
@pytest.mark.points(0.25)
def test_first_axis_len_book_example(student, tolerance):
    """A tensor of shape (2, 3, 4) has len 2."""
    assert_close(student.first_axis_len(torch.zeros(2, 3, 4)), 2, tolerance("exact"),
                 name="first_axis_len(X) for X of shape (2, 3, 4)")


@pytest.mark.exercise("row_normalize")
@pytest.mark.points(0.5)
def test_row_normalize_book_example(student, tolerance):
    """The book's 2 x 3 A gives [[0, 1/3, 2/3], [1/4, 1/3, 5/12]]."""
    got = expect_tensor(student.row_normalize(BOOK_A), "row_normalize(A)", shape=(2, 3))
    assert_close(got, torch.tensor([[0, 1 / 3, 2 / 3], [1 / 4, 1 / 3, 5 / 12]]), tolerance("float32"),
                 name="row_normalize(A)")


@pytest.mark.exercise("manhattan_distance")
@pytest.mark.points(0.5)
def test_manhattan_distance_small(student, tolerance):
    """From (0, 0) to (3, -4): 3 blocks one way and 4 the other."""
    got = student.manhattan_distance(torch.tensor([0.0, 0.0]), torch.tensor([3.0, -4.0]))
    assert_close(got, 7.0, tolerance("float32"), name="manhattan_distance(p, q)")


@pytest.mark.exercise("sum_shapes")
@pytest.mark.points(0.5)
def test_sum_shapes_book_example(student, tolerance):
    """A (2, 3, 4) tensor summed along axes 0, 1, 2 has shapes (3, 4), (2, 4), (2, 3)."""
    assert_close(student.sum_shapes((2, 3, 4)), [(3, 4), (2, 4), (2, 3)], tolerance("exact"),
                 name="sum_shapes((2, 3, 4))")


@pytest.mark.exercise("frobenius_norm")
@pytest.mark.points(0.5)
def test_frobenius_norm_book_example(student, tolerance):
    """The book's example: the norm of ones(4, 9) is 6."""
    assert_close(student.frobenius_norm(torch.ones((4, 9))), 6.0, tolerance("float32"),
                 name="frobenius_norm(torch.ones((4, 9)))")


@pytest.mark.exercise("matmul_chain_flops")
@pytest.mark.points(0.5)
def test_matmul_chain_flops_book_example(student, tolerance):
    """Exercise 10's shapes: (AB)C takes 2^31 + 2^29 multiplications, A(BC) 2^35 + 2^40."""
    shapes = [(2 ** 10, 2 ** 16), (2 ** 16, 2 ** 5), (2 ** 5, 2 ** 14)]
    assert_close(student.matmul_chain_flops(shapes), (2 ** 31 + 2 ** 29, 2 ** 35 + 2 ** 40),
                 tolerance("exact"), name="matmul_chain_flops(shapes)")


@pytest.mark.exercise("stack_and_recover")
@pytest.mark.points(0.5)
def test_stack_and_recover_small(student, tolerance):
    """Three 2 x 3 matrices stack to shape (3, 2, 3), and B comes back out."""
    A, B, C = BOOK_A, BOOK_A + 10, BOOK_A + 20
    result = student.stack_and_recover(A, B, C)
    require(isinstance(result, tuple) and len(result) == 2,
          "stack_and_recover(A, B, C) must return the tuple (stacked, B_again)")
    expect_tensor(result[0], "stacked", shape=(3, 2, 3))
    assert_close(result[1], B, tolerance("exact"), name="B sliced back out of the stack")


@pytest.mark.exercise("l1_norm")
@pytest.mark.points(0.25)
def test_l1_norm_book_example(student, tolerance):
    """The book's u = [3, -4] has l1 norm 7."""
    assert_close(student.l1_norm(torch.tensor([3.0, -4.0])), 7.0, tolerance("float32"), name="l1_norm(u)")


@pytest.mark.exercise("l2_norm")
@pytest.mark.points(0.25)
def test_l2_norm_book_example(student, tolerance):
    """The book's u = [3, -4] has l2 norm 5."""
    assert_close(student.l2_norm(torch.tensor([3.0, -4.0])), 5.0, tolerance("float32"), name="l2_norm(u)")


@pytest.mark.exercise("matvec")
@pytest.mark.points(0.5)
def test_matvec_book_example(student, tolerance):
    """The book's A (2 x 3) times x = [0, 1, 2] is [5, 14]."""
    got = expect_tensor(student.matvec(BOOK_A, torch.arange(3, dtype=torch.float32)), "matvec(A, x)", shape=(2,))
    assert_close(got, torch.tensor([5.0, 14.0]), tolerance("float32"), name="matvec(A, x)")


@pytest.mark.exercise("matmul")
@pytest.mark.points(0.5)
def test_matmul_book_example(student, tolerance):
    """The book's A (2 x 3) times ones(3, 4) is [[3, 3, 3, 3], [12, 12, 12, 12]]."""
    got = expect_tensor(student.matmul(BOOK_A, torch.ones(3, 4)), "matmul(A, B)", shape=(2, 4))
    assert_close(got, torch.tensor([[3.0] * 4, [12.0] * 4]), tolerance("float32"), name="matmul(A, B)")
