"""Hidden tests for 2.1 Data manipulation."""
import pytest
import torch

from grader.bookcode import VALUE
from grader.bookcode.preliminaries import REGION, ZEROS
from grader.testing import assert_close, require, expect_raises, expect_tensor, generator

BOOK_X = torch.arange(12, dtype=torch.float32).reshape(3, 4)
BOOK_Y = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])


@pytest.mark.exercise("compare")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("shape", [(2, 5), (4, 1), (7,)], ids=["wide", "column", "vector"])
def test_compare_random_integers(student, reference, tolerance, shape):
    """compare on random small integers, where ties are common."""
    g = generator("compare", shape)
    X = torch.randint(0, 3, shape, generator=g)
    Y = torch.randint(0, 3, shape, generator=g)
    assert_close(student.compare(X, Y), reference.compare(X, Y), tolerance("exact"),
                 name="compare(X, Y)")


@pytest.mark.exercise("compare")
@pytest.mark.points(0.25)
def test_compare_returns_booleans(student):
    """The three results are boolean tensors, as X == Y is."""
    got = student.compare(torch.ones(2, 2), torch.zeros(2, 2))
    require(isinstance(got, tuple) and len(got) == 3, "compare must return a tuple of three tensors")
    for label, value in zip(("X == Y", "X < Y", "X > Y"), got):
        expect_tensor(value, f"the {label} part of compare(X, Y)")
        require(value.dtype == torch.bool, f"the {label} part of compare(X, Y) has dtype "
              f"{str(value.dtype).replace('torch.', '')}; expected bool, as X == Y gives")


@pytest.mark.exercise("compare")
@pytest.mark.points(0.5)
def test_compare_broadcasts(student, reference, tolerance):
    """compare(X, y) with a row vector y broadcast against a matrix X."""
    X = torch.arange(6.0).reshape(2, 3)
    y = torch.tensor([1.0, 4.0, 2.0])
    assert_close(student.compare(X, y), reference.compare(X, y), tolerance("exact"),
                 name="compare(X, y)")


CASES = {
    "book-2d": ((3, 1), (1, 2)),
    "book-3d": ((2, 3, 1), (1, 1, 2)),
    "different-ranks": ((5,), (3, 1)),
    "scalar": ((), (2, 3)),
    "same": ((4, 2), (4, 2)),
    "zero-length": ((0, 1), (1, 3)),
}


@pytest.mark.exercise("broadcast_shape")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_broadcast_shape(student, reference, tolerance, case):
    """broadcast_shape agrees with the broadcasting rules."""
    a, b = CASES[case]
    got = student.broadcast_shape(a, b)
    assert_close(got, reference.broadcast_shape(a, b), tolerance("exact"),
                 name=f"broadcast_shape({a}, {b})")


@pytest.mark.exercise("broadcast_shape")
@pytest.mark.points(0.5)
def test_broadcast_shape_returns_tuple(student, tolerance):
    """The shape comes back as a tuple, like torch.Size."""
    got = student.broadcast_shape((2, 1), (1, 3))
    require(isinstance(got, tuple), f"broadcast_shape returned a {type(got).__name__}; return a tuple")
    assert_close(got, (2, 3), tolerance("exact"), name="broadcast_shape((2, 1), (1, 3))")


@pytest.mark.exercise("broadcast_shape")
@pytest.mark.points(0.5)
def test_broadcast_shape_rejects_incompatible(student):
    """Shapes (2, 3) and (4, 3) cannot be broadcast: ValueError."""
    expect_raises(lambda: student.broadcast_shape((2, 3), (4, 3)), "ValueError",
                  what="broadcast_shape((2, 3), (4, 3))")


@pytest.mark.exercise("add_into")
@pytest.mark.points(1)
def test_add_into_keeps_memory(student, tolerance):
    """Z keeps its memory: Z is a view into a larger buffer of zeros, and afterwards the buffer
    holds X + Y where Z lies and zeros everywhere else (read back and compared here)."""
    student.needs("add_into")
    buffer = student.run(ZEROS, shape=(4, 7), keep=True, label="torch.zeros(4, 7)")
    Z = student.run(REGION, tensor=buffer, rows=[1, 3], cols=[1, 6], keep=True, label="Z = buffer[1:3, 1:6]")
    g = generator("add_into")
    X, Y = torch.randn(2, 5, generator=g), torch.randn(2, 5, generator=g)
    student.add_into(Z, X, Y)
    after = expect_tensor(student.run(VALUE, value=buffer, label="the buffer around Z"),
                          "the buffer around Z", shape=(4, 7))
    inside, outside = after[1:3, 1:6].clone(), after.clone()
    outside[1:3, 1:6] = 0
    require(bool(inside.any()), "add_into gave Z new memory: the memory Z had is still all zeros; "
            "write into it with Z[:] = X + Y")
    require(not outside.any(), "add_into wrote outside Z's own memory; write into Z only, with Z[:] = X + Y")
    assert_close(inside, X + Y, tolerance("float32"), name="Z after add_into(Z, X, Y)")


@pytest.mark.exercise("add_into")
@pytest.mark.points(0.5)
def test_add_into_broadcasts(student, tolerance):
    """add_into works when Y is broadcast against X."""
    student.needs("add_into")
    Z = student.run(ZEROS, shape=(3, 4), keep=True, label="Z = torch.zeros(3, 4)")
    X = torch.arange(12.0).reshape(3, 4)
    Y = torch.tensor([1.0, -1.0, 2.0, 0.5])
    student.add_into(Z, X, Y)
    after = expect_tensor(student.run(VALUE, value=Z, label="Z"), "Z after add_into")
    assert_close(after, X + Y, tolerance("float32"), name="Z after add_into(Z, X, Y)")


ADD_CASES = {
    "book-2d": lambda g: (torch.arange(3).reshape((3, 1)), torch.arange(2).reshape((1, 2))),
    "book-3d": lambda g: (torch.arange(6).reshape((2, 3, 1)), torch.arange(2).reshape((1, 1, 2))),
    "different-ranks": lambda g: (torch.randn(5, generator=g), torch.randn(3, 1, generator=g)),
    "scalar": lambda g: (torch.tensor(2.5), torch.randn(2, 3, generator=g)),
}


@pytest.mark.exercise("broadcast_add")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("case", list(ADD_CASES), ids=list(ADD_CASES))
def test_broadcast_add_matches_plus(student, reference, tolerance, case):
    """broadcast_add(a, b) has the values and shape of a + b."""
    a, b = ADD_CASES[case](generator("broadcast_add", case))
    expected = reference.broadcast_add(a, b)
    got = expect_tensor(student.broadcast_add(a, b), "broadcast_add(a, b)", shape=tuple(expected.shape))
    assert_close(got, expected, tolerance("float32"),
                 name=f"broadcast_add(a, b) for shapes {tuple(a.shape)} and {tuple(b.shape)}")


@pytest.mark.exercise("broadcast_add")
@pytest.mark.points(0.5)
def test_broadcast_add_rejects_incompatible(student):
    """Shapes (2, 3) and (4, 3) cannot be broadcast: ValueError, as broadcast_shape raises."""
    expect_raises(lambda: student.broadcast_add(torch.ones(2, 3), torch.ones(4, 3)), "ValueError",
                  what="broadcast_add(a, b) for shapes (2, 3) and (4, 3)")
