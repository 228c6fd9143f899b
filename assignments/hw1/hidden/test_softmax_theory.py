"""Hidden tests for 4.1 Softmax regression (theory)."""
import math

import pytest
import torch

from grader.testing import assert_close, require, expect_tensor, generator


def autograd_hessian(o, y=0):
    """Second derivatives of l(y, softmax(o)) with respect to o, by autograd in float64."""
    loss = lambda logits: -torch.log_softmax(logits, dim=0)[y]  # noqa: E731
    return torch.autograd.functional.hessian(loss, o.to(torch.float64))


# ---------------------------------------------------------------- softmax_ce_hessian

@pytest.mark.exercise("softmax_ce_hessian")
@pytest.mark.points(0.5)
@pytest.mark.parametrize("q", [5, 2], ids=["five-classes", "two-classes"])
def test_softmax_ce_hessian_matches_autograd(student, tolerance, q):
    """The hand-derived Hessian equals autograd's second derivatives of the loss (float64)."""
    o = 2 * torch.randn(q, generator=generator("hessian", q), dtype=torch.float64)
    H = expect_tensor(student.softmax_ce_hessian(o), "softmax_ce_hessian(o)", shape=(q, q))
    assert_close(H, autograd_hessian(o, y=q - 1), tolerance("softmax_theory_float64"),
                 name=f"softmax_ce_hessian(o) for {q} float64 logits")


@pytest.mark.exercise("softmax_ce_hessian")
@pytest.mark.points(0.5)
def test_softmax_ce_hessian_float32(student, reference, tolerance):
    """Ten float32 logits."""
    o = 3 * torch.randn(10, generator=generator("hessian32"))
    H = expect_tensor(student.softmax_ce_hessian(o), "softmax_ce_hessian(o)", shape=(10, 10))
    assert_close(H, reference.softmax_ce_hessian(o), tolerance("float32"), name="softmax_ce_hessian(o)")


@pytest.mark.exercise("softmax_ce_hessian")
@pytest.mark.points(0.25)
def test_softmax_ce_hessian_one_class(student, tolerance):
    """With a single class the loss is constant: its Hessian is [[0]]."""
    H = expect_tensor(student.softmax_ce_hessian(torch.tensor([0.7])), "softmax_ce_hessian(o)", shape=(1, 1))
    assert_close(H, torch.zeros(1, 1), tolerance("float32"), name="softmax_ce_hessian([0.7])")


@pytest.mark.exercise("softmax_ce_hessian")
@pytest.mark.points(0.5)
def test_softmax_ce_hessian_large_logits(student, reference, tolerance):
    """Logits of ±1000 (two of them 1 apart share the probability): finite and correct, not NaN."""
    o = torch.tensor([1000.0, 0.0, -1000.0, 999.0])
    H = expect_tensor(student.softmax_ce_hessian(o), "softmax_ce_hessian(o) with logits of ±1000", shape=(4, 4))
    require(torch.isfinite(H).all(), "softmax_ce_hessian(o) with logits of ±1000 contains NaN or inf: "
          "compute softmax(o) after subtracting max(o)")
    assert_close(H, reference.softmax_ce_hessian(o), tolerance("float32"),
                 name="softmax_ce_hessian(o) with logits of ±1000")


@pytest.mark.exercise("softmax_ce_hessian")
@pytest.mark.points(0.25)
def test_softmax_ce_hessian_is_a_covariance(student, tolerance):
    """The Hessian is symmetric and its rows sum to 0 (softmax ignores a constant shift)."""
    o = torch.randn(6, generator=generator("hessian-cov"), dtype=torch.float64)
    H = expect_tensor(student.softmax_ce_hessian(o), "softmax_ce_hessian(o)", shape=(6, 6))
    assert_close(H, H.T, tolerance("softmax_theory_float64"), name="softmax_ce_hessian(o) against its transpose")
    assert_close(H.sum(dim=1), torch.zeros(6, dtype=torch.float64), tolerance("softmax_theory_float64"),
                 name="the row sums of softmax_ce_hessian(o)")


# ---------------------------------------------------------------- bits_per_observation

BITS = {"one": (1, 3), "three": (3, 3), "five": (5, 3), "hundred": (100, 3),
        "four-classes": (3, 4), "ten-classes": (4, 10)}


@pytest.mark.exercise("bits_per_observation")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("case", list(BITS), ids=list(BITS))
def test_bits_per_observation(student, reference, tolerance, case):
    """Bits per observation for n observations encoded jointly."""
    n, k = BITS[case]
    got = student.bits_per_observation(n, k)
    assert_close(got, reference.bits_per_observation(n, k), tolerance("softmax_theory_exact_float"),
                 name=f"bits_per_observation({n}, {k})")


# ---------------------------------------------------------------- digits_needed

DIGITS = {"binary-0-7": (8, 2), "nine-ternary": (9, 3), "ten-ternary": (10, 3), "one-value": (1, 2),
          "power-of-five": (125, 5), "thousand-decimal": (1000, 10)}


@pytest.mark.exercise("digits_needed")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("case", list(DIGITS), ids=list(DIGITS))
def test_digits_needed(student, reference, tolerance, case):
    """Fewest base-b digits for num_values code words, including exact powers of the base."""
    n, base = DIGITS[case]
    assert_close(student.digits_needed(n, base), reference.digits_needed(n, base), tolerance("exact"),
                 name=f"digits_needed({n}, {base})")


# ---------------------------------------------------------------- real_softmax

@pytest.mark.exercise("real_softmax")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_real_softmax_random(student, reference, tolerance, dtype):
    """real_softmax(a, b, 1.0) on random 3 x 4 tensors."""
    g = generator("real_softmax", str(dtype))
    a, b = torch.randn(3, 4, generator=g).to(dtype), torch.randn(3, 4, generator=g).to(dtype)
    got = expect_tensor(student.real_softmax(a, b, 1.0), "real_softmax(a, b, 1.0)", shape=(3, 4))
    assert_close(got, reference.real_softmax(a, b, 1.0), tolerance("float32"), name="real_softmax(a, b, 1.0)")


@pytest.mark.exercise("real_softmax")
@pytest.mark.points(0.25)
def test_real_softmax_default_lambda(student, tolerance):
    """Without lam, real_softmax(a, b) is log(exp(a) + exp(b))."""
    a, b = torch.tensor([0.5, -2.0]), torch.tensor([1.5, 3.0])
    assert_close(student.real_softmax(a, b), torch.log(torch.exp(a) + torch.exp(b)), tolerance("float32"),
                 name="real_softmax(a, b)")


@pytest.mark.exercise("real_softmax")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("lam", [0.5, 10.0], ids=["half", "ten"])
def test_real_softmax_with_lambda(student, reference, tolerance, lam):
    """lam^-1 RealSoftMax(lam a, lam b) for lam other than 1."""
    g = generator("real_softmax_lam", lam)
    a, b = torch.randn(5, generator=g), torch.randn(5, generator=g)
    assert_close(student.real_softmax(a, b, lam), reference.real_softmax(a, b, lam), tolerance("float32"),
                 name=f"real_softmax(a, b, {lam:g})")


@pytest.mark.exercise("real_softmax")
@pytest.mark.points(0.25)
def test_real_softmax_bounds(student, tolerance):
    """max(a, b) <= real_softmax <= max(a, b) + log(2)/lam, with equality on the right where a == b."""
    a = torch.tensor([0.0, 1.0, -3.0, 2.0], dtype=torch.float64)
    b = torch.tensor([0.0, 4.0, -3.5, 2.0], dtype=torch.float64)
    for lam in (0.5, 2.0):
        got = expect_tensor(student.real_softmax(a, b, lam), f"real_softmax(a, b, {lam:g})", shape=(4,))
        upper = torch.maximum(a, b) + math.log(2) / lam
        require(bool((got >= torch.maximum(a, b)).all()),
              f"real_softmax(a, b, {lam:g}) is below max(a, b) somewhere; it can never be")
        require(bool((got <= upper + 1e-12).all()),
              f"real_softmax(a, b, {lam:g}) exceeds max(a, b) + log(2)/lam somewhere")
        assert_close(got[[0, 3]], upper[[0, 3]], tolerance("softmax_theory_float64"),
                     name=f"real_softmax(a, a, {lam:g})")


@pytest.mark.exercise("real_softmax")
@pytest.mark.points(0.5)
def test_real_softmax_large_inputs(student, reference, tolerance):
    """Inputs in the hundreds (lam = 1): exp() would overflow float32 without shifting by the max."""
    a = torch.tensor([300.0, -500.0, 120.0])
    b = torch.tensor([299.0, -499.0, -700.0])
    got = expect_tensor(student.real_softmax(a, b, 1.0), "real_softmax(a, b, 1.0) with inputs in the hundreds",
                        shape=(3,))
    require(torch.isfinite(got).all(), "real_softmax(a, b, 1.0) with inputs in the hundreds is inf or NaN: "
          "factor out exp(max(a, b)) before taking the log")
    assert_close(got, reference.real_softmax(a, b, 1.0), tolerance("float32"),
                 name="real_softmax(a, b, 1.0) with inputs in the hundreds")


@pytest.mark.exercise("real_softmax")
@pytest.mark.points(0.5)
def test_real_softmax_large_lambda_tends_to_max(student, tolerance):
    """For lam = 1e4, lam^-1 RealSoftMax(lam a, lam b) is max(a, b) up to log(2)/lam."""
    g = generator("real_softmax_limit")
    a, b = 3 * torch.randn(6, generator=g), 3 * torch.randn(6, generator=g)
    got = expect_tensor(student.real_softmax(a, b, 1e4), "real_softmax(a, b, 1e4)", shape=(6,))
    require(torch.isfinite(got).all(), "real_softmax(a, b, 1e4) is inf or NaN: exp(lam * a) overflows; "
          "subtract max(a, b) inside the exponentials")
    assert_close(got, torch.maximum(a, b), tolerance("softmax_theory_limit"), name="real_softmax(a, b, 1e4)")


# ---------------------------------------------------------------- softmin

@pytest.mark.exercise("softmin")
@pytest.mark.points(0.5)
def test_softmin_matrix_rows(student, reference, tolerance):
    """softmin of a 3 x 5 matrix: one value per row."""
    x = 2 * torch.randn(3, 5, generator=generator("softmin rows"))
    got = expect_tensor(student.softmin(x), "softmin(x) for a 3 x 5 x", shape=(3,))
    assert_close(got, reference.softmin(x), tolerance("float32"), name="softmin(x)")


@pytest.mark.exercise("softmin")
@pytest.mark.points(0.5)
def test_softmin_large_inputs(student, reference, tolerance):
    """Entries of ±1000 must not give inf or NaN."""
    x = torch.tensor([[1000.0, 1001.0, 2000.0], [-1000.0, 0.0, 1000.0]])
    got = expect_tensor(student.softmin(x), "softmin(x) with entries of ±1000", shape=(2,))
    require(torch.isfinite(got).all(), "softmin(x) with entries of ±1000 is inf or NaN: shift by min(x) "
          "before exponentiating")
    assert_close(got, reference.softmin(x), tolerance("float32"), name="softmin(x) with entries of ±1000")


@pytest.mark.exercise("softmin")
@pytest.mark.points(0.25)
def test_softmin_is_below_min(student, tolerance):
    """softmin(x) <= min(x), by at most log(n)."""
    x = torch.randn(4, 6, generator=generator("softmin bound"), dtype=torch.float64)
    got = expect_tensor(student.softmin(x), "softmin(x)", shape=(4,))
    low = x.min(dim=1).values
    require(bool((got <= low + 1e-12).all()) and bool((got >= low - math.log(6) - 1e-12).all()),
          "softmin(x) must lie between min(x) - log(n) and min(x) for every row")


@pytest.mark.exercise("softmin")
@pytest.mark.points(0.25)
def test_softmin_float64(student, reference, tolerance):
    """A float64 vector."""
    x = torch.randn(7, generator=generator("softmin64"), dtype=torch.float64)
    assert_close(student.softmin(x), reference.softmin(x), tolerance("softmax_theory_float64"), name="softmin(x)")


# ---------------------------------------------------------------- logsumexp

@pytest.mark.exercise("logsumexp")
@pytest.mark.points(0.5)
def test_logsumexp_matrix_rows(student, tolerance):
    """logsumexp of a 3 x 5 matrix: one value per row."""
    x = 2 * torch.randn(3, 5, generator=generator("lse rows"))
    got = expect_tensor(student.logsumexp(x), "logsumexp(x) for a 3 x 5 x", shape=(3,))
    assert_close(got, torch.logsumexp(x, dim=-1), tolerance("float32"), name="logsumexp(x)")


LARGE = {"vector": torch.tensor([1000.0, 999.0, -1000.0]),
         "matrix": torch.tensor([[1000.0, 0.0, 1000.0, 5.0], [-1000.0, -1001.0, -1002.0, -1000.5]])}


@pytest.mark.exercise("logsumexp")
@pytest.mark.points(0.5)
@pytest.mark.parametrize("case", list(LARGE), ids=list(LARGE))
def test_logsumexp_large_inputs(student, tolerance, case):
    """Entries of ±1000: the answer is finite and exact to float32 precision."""
    x = LARGE[case]
    got = expect_tensor(student.logsumexp(x), "logsumexp(x) with entries of ±1000", shape=x.shape[:-1])
    require(torch.isfinite(got).all(), "logsumexp(x) with entries of ±1000 is inf or NaN: use "
          "g(x) = b + g(x - b) with b = max(x)")
    assert_close(got, torch.logsumexp(x, dim=-1), tolerance("float32"), name="logsumexp(x) with entries of ±1000")


@pytest.mark.exercise("logsumexp")
@pytest.mark.points(0.5)
def test_logsumexp_translation(student, tolerance):
    """g(x + b) = g(x) + b, here with b = 1000."""
    x = torch.randn(2, 4, generator=generator("lse shift"), dtype=torch.float64)
    got = expect_tensor(student.logsumexp(x + 1000), "logsumexp(x + 1000)", shape=(2,))
    assert_close(got, torch.logsumexp(x, dim=-1) + 1000, tolerance("softmax_theory_float64"),
                 name="logsumexp(x + 1000)")


@pytest.mark.exercise("logsumexp")
@pytest.mark.points(0.25)
def test_logsumexp_one_element(student, tolerance):
    """A single entry: g([x]) = x."""
    assert_close(student.logsumexp(torch.tensor([-3.5])), -3.5, tolerance("float32"), name="logsumexp([-3.5])")


@pytest.mark.exercise("logsumexp")
@pytest.mark.points(0.25)
def test_logsumexp_float64(student, tolerance):
    """A float64 vector."""
    x = torch.randn(9, generator=generator("lse64"), dtype=torch.float64)
    assert_close(student.logsumexp(x), torch.logsumexp(x, dim=0), tolerance("softmax_theory_float64"),
                 name="logsumexp(x)")


# ---------------------------------------------------------------- temper

@pytest.mark.exercise("temper")
@pytest.mark.points(0.25)
def test_temper_alpha_one(student, tolerance):
    """alpha = 1 leaves the distribution unchanged."""
    p = torch.softmax(torch.randn(6, generator=generator("temper1")), dim=0)
    assert_close(student.temper(p, 1.0), p, tolerance("float32"), name="temper(p, 1.0)")


@pytest.mark.exercise("temper")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("alpha", [0.5, 2.0], ids=["doubled-temperature", "halved-temperature"])
def test_temper_rescales_temperature(student, tolerance, alpha):
    """For P = softmax(o), temper(P, alpha) = softmax(alpha * o): alpha = 1/2 doubles the temperature."""
    o = torch.randn(5, generator=generator("temper T", alpha))
    assert_close(student.temper(torch.softmax(o, dim=0), alpha), torch.softmax(alpha * o, dim=0),
                 tolerance("float32"), name=f"temper(softmax(o), {alpha:g})")


@pytest.mark.exercise("temper")
@pytest.mark.points(0.25)
def test_temper_matrix_rows(student, reference, tolerance):
    """Each row of a 4 x 3 matrix is its own distribution."""
    p = torch.softmax(torch.randn(4, 3, generator=generator("temper rows")), dim=1)
    got = expect_tensor(student.temper(p, 3.0), "temper(p, 3.0)", shape=(4, 3))
    assert_close(got, reference.temper(p, 3.0), tolerance("float32"), name="temper(p, 3.0)")


@pytest.mark.exercise("temper")
@pytest.mark.points(0.5)
def test_temper_zero_temperature_limit(student, tolerance):
    """alpha = 1000 (temperature near 0): one-hot at the most likely class, not NaN."""
    p = torch.tensor([[0.2, 0.45, 0.35], [0.4, 0.3, 0.3]])
    got = expect_tensor(student.temper(p, 1000.0), "temper(p, 1000.0)", shape=(2, 3))
    require(torch.isfinite(got).all(), "temper(p, 1000.0) contains NaN or inf: every p**1000 underflows to 0; "
          "compute softmax(alpha * log p) instead")
    assert_close(got, torch.tensor([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]), tolerance("float32"),
                 name="temper(p, 1000.0)")
