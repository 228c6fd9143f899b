"""Public checks for 4.1: run them with `grader check`."""
import pytest
import torch

from grader.testing import assert_close, expect_tensor


@pytest.mark.exercise("softmax_ce_hessian")
@pytest.mark.points(0.5)
def test_softmax_ce_hessian_small_example(student, tolerance):
    """softmax_ce_hessian(o) for o = [1, 2, 3] is diag(p) - p p^T with p = softmax(o)."""
    o = torch.tensor([1.0, 2.0, 3.0])
    p = torch.softmax(o, dim=0)
    H = expect_tensor(student.softmax_ce_hessian(o), "softmax_ce_hessian(o)", shape=(3, 3))
    assert_close(H, torch.diag(p) - torch.outer(p, p), tolerance("float32"), name="softmax_ce_hessian(o)")


@pytest.mark.exercise("bits_per_observation")
@pytest.mark.points(0.5)
def test_bits_per_observation_pairs(student, tolerance):
    """Two observations of three classes: 9 sequences need 4 bits, 2 bits each."""
    assert_close(student.bits_per_observation(2), 2.0, tolerance("softmax_theory_exact_float"),
                 name="bits_per_observation(2)")


@pytest.mark.exercise("digits_needed")
@pytest.mark.points(0.5)
def test_digits_needed_book_example(student, tolerance):
    """The integers 0..7 need 2 ternary units."""
    assert_close(student.digits_needed(8, 3), 2, tolerance("exact"), name="digits_needed(8, 3)")


@pytest.mark.exercise("real_softmax")
@pytest.mark.points(0.5)
def test_real_softmax_small_example(student, tolerance):
    """real_softmax(a, b, 1.0) on small inputs is log(exp(a) + exp(b))."""
    a, b = torch.tensor([1.0, 0.0, -1.0]), torch.tensor([0.0, 2.0, -1.0])
    assert_close(student.real_softmax(a, b, 1.0), torch.log(torch.exp(a) + torch.exp(b)),
                 tolerance("float32"), name="real_softmax(a, b, 1.0)")


@pytest.mark.exercise("softmin")
@pytest.mark.points(0.5)
def test_softmin_vector(student, tolerance):
    """softmin of a short vector is -log(sum(exp(-x)))."""
    x = torch.tensor([1.0, 2.0, 3.0])
    assert_close(student.softmin(x), -torch.log(torch.exp(-x).sum()), tolerance("float32"), name="softmin(x)")


@pytest.mark.exercise("logsumexp")
@pytest.mark.points(0.5)
def test_logsumexp_vector(student, tolerance):
    """logsumexp of a short vector equals log(sum(exp(x)))."""
    x = torch.tensor([0.0, 1.0, 2.0])
    assert_close(student.logsumexp(x), torch.log(torch.exp(x).sum()), tolerance("float32"),
                 name="logsumexp(x)")


@pytest.mark.exercise("temper")
@pytest.mark.points(0.5)
def test_temper_square(student, tolerance):
    """temper(p, 2) of a distribution over three classes is p**2 / sum(p**2)."""
    p = torch.tensor([0.5, 0.3, 0.2])
    assert_close(student.temper(p, 2.0), p ** 2 / (p ** 2).sum(), tolerance("float32"),
                 name="temper(p, 2.0)")
