"""Hidden tests for 4.4 softmax and cross-entropy."""
import pytest
import torch

from grader.testing import assert_close, check, expect_tensor, generator

SHAPES = {"wide": (2, 5), "tall": (7, 3)}


@pytest.mark.exercise("softmax")
@pytest.mark.points(0.5)
@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_softmax_rows_sum_to_one(student, tolerance, shape):
    """Every row of softmax(X) sums to 1 (non-square X catches a wrong axis)."""
    X = torch.randn(shape, generator=generator("rows", shape))
    probs = expect_tensor(student.softmax(X), "softmax(X)", shape=shape)
    assert_close(probs.sum(dim=1), torch.ones(shape[0]), tolerance("float32"),
                 name="the row sums of softmax(X)")


@pytest.mark.exercise("softmax")
@pytest.mark.points(0.375)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("shape", [(3, 4), (1, 10)], ids=["3x4", "one-row"])
def test_softmax_matches_reference(student, reference, tolerance, shape, dtype):
    """softmax(X) equals the reference on random inputs."""
    X = (3 * torch.randn(shape, generator=generator("match", shape))).to(dtype)
    probs = expect_tensor(student.softmax(X), "softmax(X)", shape=shape)
    assert_close(probs, reference.softmax(X), tolerance("float32"), name="softmax(X)")


@pytest.mark.exercise("softmax")
@pytest.mark.points(1)
@pytest.mark.parametrize("scale", [100.0, 1000.0], ids=["hundred", "thousand"])
def test_softmax_is_stable_for_large_inputs(student, reference, tolerance, scale):
    """Exercise 1 of 4.4: inputs like 100 or -1000 must not give NaN or inf."""
    X = torch.tensor([[scale, 0.0, -scale], [-scale, -scale - 1.0, -scale - 2.0]])
    probs = expect_tensor(student.softmax(X), f"softmax(X) with entries of ±{scale:g}", shape=(2, 3))
    check(torch.isfinite(probs).all(),
          f"softmax(X) with entries of ±{scale:g} contains NaN or inf: exp() overflowed or every "
          "exp() underflowed to 0; subtract each row's max before exp()")
    assert_close(probs, reference.softmax(X), tolerance("float32"), name=f"softmax(X) with entries of ±{scale:g}")


@pytest.mark.exercise("cross_entropy")
@pytest.mark.points(1)
@pytest.mark.parametrize("shape", [(7, 5), (1, 3)], ids=["batch", "one-example"])
def test_cross_entropy_matches_reference(student, reference, tolerance, shape):
    """cross_entropy on random probabilities and labels."""
    g = generator("ce", shape)
    y_hat = torch.softmax(torch.randn(shape, generator=g), dim=1)
    y = torch.randint(0, shape[1], (shape[0],), generator=g)
    assert_close(student.cross_entropy(y_hat, y), reference.cross_entropy(y_hat, y),
                 tolerance("float32"), name="cross_entropy(y_hat, y)")
