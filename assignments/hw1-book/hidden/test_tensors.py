"""Hidden tests for 2.1 Data manipulation: the state the section leaves.

Every expected value is recomputed here from the book's cells; the notebook's values are
only what is checked. Names are read as of the end of 2.1.
"""
import numpy as np
import pytest
import torch

from grader.testing import Mismatch, assert_close, describe, require

X0 = torch.arange(12, dtype=torch.float32).reshape((3, 4))
Y0 = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
Y1 = Y0 + X0            # before = id(Y); Y = Y + X
Z1 = X0 + Y1            # Z[:] = X + Y
X1 = X0 + Y1            # X += Y
# The (X, Y) pairs 2.1 can end with: the book's cells, and S0's extra X = X + Y afterwards.
STATES = {"the book's 2.1.5": (X1, Y1), "2.1.5 followed by X = X + Y": (X1 + Y1, Y1)}
PAIRS = (("X", "Y"), ("x", "y"))   # S4 named the matrices x, y


def first_defined(student, *names):
    """The first of ``names`` the notebook defines as of 2.1 (the first one when none is)."""
    return next((n for n in names if student.defines(n)), names[0])


def matrices(student):
    """The notebook's (X, Y) pair and the name of the book state it matches (None: no match)."""
    found = []
    for m, n in PAIRS:
        if not student.defines(m, n):
            continue
        got = (student.value(m), student.value(n))
        for state, expected in STATES.items():
            if all(isinstance(g, torch.Tensor) and g.shape == e.shape and torch.equal(g.float(), e)
                   for g, e in zip(got, expected)):
                return (m, n), got, state
        found.append(((m, n), got))
    if not found:
        raise Mismatch("neither X and Y nor x and y are defined at the end of 2.1: run 2.1.3-2.1.5 "
                       "(X = torch.arange(12, dtype=torch.float32).reshape((3, 4)), Y = ..., then "
                       "Y = Y + X and X += Y)")
    return found[0][0], found[0][1], None


@pytest.mark.exercise("saving_memory")
@pytest.mark.points(1)
def test_X_and_Y_after_saving_memory(student, tolerance):
    """X and Y (or x and y) after `Y = Y + X` and `X += Y` of 2.1.5."""
    (m, n), (X, Y), state = matrices(student)
    if state is None:
        expected_X, expected_Y = STATES["the book's 2.1.5"]
        for name, got, want in ((m, X, expected_X), (n, Y, expected_Y)):
            require(isinstance(got, torch.Tensor), f"{name} at the end of 2.1 is {describe(got)}; expected the "
                    f"3 x 4 matrix of 2.1.5")
            assert_close(got.float(), want, tolerance("exact"),
                         name=f"{name} at the end of 2.1 (after {n} = {n} + {m} and {m} += {n})")


@pytest.mark.exercise("saving_memory")
@pytest.mark.points(0.5)
def test_Z_holds_X_plus_Y(student, tolerance):
    """Z (same memory as zeros_like(Y)) holds X + Y as computed in 2.1.5."""
    name = first_defined(student, "Z", "z")
    Z = student.value(name)
    require(isinstance(Z, torch.Tensor), f"{name} at the end of 2.1 is {describe(Z)}; expected a tensor "
            "(Z = torch.zeros_like(Y); Z[:] = X + Y)")
    assert_close(Z.float(), Z1, tolerance("exact"), name=f"{name} at the end of 2.1 (Z[:] = X + Y after Y = Y + X)")


@pytest.mark.exercise("conversion")
@pytest.mark.points(0.5)
def test_numpy_and_back(student, tolerance):
    """A = X.numpy() is a NumPy array holding X, and B = torch.from_numpy(A) a tensor holding the same."""
    A, B = student.value("A"), student.value("B")
    require(isinstance(A, np.ndarray), f"A at the end of 2.1 is {describe(A)}; expected a NumPy array (A = X.numpy())")
    require(isinstance(B, torch.Tensor), f"B at the end of 2.1 is {describe(B)}; expected a tensor "
            "(B = torch.from_numpy(A))")
    candidates = [x for x, _ in STATES.values()]
    if not any(A.shape == tuple(x.shape) and np.array_equal(A.astype(np.float32), x.numpy()) for x in candidates):
        assert_close(A, candidates[0].numpy(), tolerance("exact"), name="A = X.numpy() at the end of 2.1")
    assert_close(B, torch.from_numpy(np.asarray(A)), tolerance("exact"), name="B = torch.from_numpy(A)")


@pytest.mark.exercise("broadcasting_3d")
@pytest.mark.points(0.5)
def test_broadcasting_with_other_shapes(student, reference):
    """Exercise 2: a and b are tensors of different shapes, one 3-D, that broadcast together."""
    a, b = student.value("a"), student.value("b")
    require(isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor),
            f"a and b at the end of 2.1 are {describe(a)} and {describe(b)}; for exercise 2 make them "
            "tensors of other shapes, e.g. a = torch.arange(6).reshape((2, 3, 1))")
    require(max(a.dim(), b.dim()) >= 3 and a.shape != b.shape,
            f"a and b at the end of 2.1 have shapes {tuple(a.shape)} and {tuple(b.shape)}; exercise 2 asks "
            "for other shapes, e.g. 3-D: a = torch.arange(6).reshape((2, 3, 1)), b = torch.arange(2).reshape((1, 1, 2))")
    try:
        shape = reference.broadcast_shape(tuple(a.shape), tuple(b.shape))
    except ValueError:
        raise Mismatch(f"a and b have shapes {tuple(a.shape)} and {tuple(b.shape)}, which do not broadcast "
                       "together") from None
    require(len(shape) >= 3, f"a + b has shape {shape}; expected a 3-D result")
