"""Hidden tests for 4.3 The base classification model."""
import pytest
import torch

from grader.bookcode import CLASSIFIER_ACCURACY, validation_probe
from grader.testing import assert_close, require, expect_tensor, generator


def accuracy(student, Y_hat, Y, averaged=True):
    return student.run(CLASSIFIER_ACCURACY, Y_hat=Y_hat, Y=Y, averaged=averaged,
                       label=f"Classifier().accuracy(Y_hat, Y, averaged={averaged})")


def scores(key, shape, q):
    g = generator("accuracy", key)
    return torch.randn(*shape, q, generator=g), torch.randint(0, q, shape, generator=g)


# ---------------------------------------------------------------- accuracy

@pytest.mark.exercise("accuracy")
@pytest.mark.points(0.5)
def test_accuracy_averaged(student, reference, tolerance):
    """The fraction of correct predictions for 7 examples of 4 classes."""
    Y_hat, Y = scores("averaged", (7,), 4)
    expected = reference.Classifier.accuracy(None, Y_hat, Y)
    assert_close(accuracy(student, Y_hat, Y), expected, tolerance("float32"), name="accuracy(Y_hat, Y)")


@pytest.mark.exercise("accuracy")
@pytest.mark.points(0.75)
def test_accuracy_per_example(student, reference, tolerance):
    """averaged=False gives one float32 1 or 0 per example."""
    Y_hat, Y = scores("per example", (9,), 5)
    got = expect_tensor(accuracy(student, Y_hat, Y, averaged=False), "accuracy(Y_hat, Y, averaged=False)",
                        shape=(9,))
    require(got.dtype == torch.float32, f"accuracy(Y_hat, Y, averaged=False) has dtype "
          f"{str(got.dtype).replace('torch.', '')}; expected float32 1s and 0s (cast the comparison)")
    assert_close(got, reference.Classifier.accuracy(None, Y_hat, Y, averaged=False), tolerance("exact"),
                 name="accuracy(Y_hat, Y, averaged=False)")


@pytest.mark.exercise("accuracy")
@pytest.mark.points(0.75)
def test_accuracy_extra_axes(student, reference, tolerance):
    """Y_hat of shape (2, 3, 5) with Y of shape (2, 3): rows are reshaped to (-1, 5)."""
    Y_hat, Y = scores("3d", (2, 3), 5)
    assert_close(accuracy(student, Y_hat, Y), reference.Classifier.accuracy(None, Y_hat, Y),
                 tolerance("float32"), name="accuracy(Y_hat, Y) for Y_hat of shape (2, 3, 5)")


@pytest.mark.exercise("accuracy")
@pytest.mark.points(0.5)
def test_accuracy_one_example(student, tolerance):
    """A single example of 10 classes, predicted right."""
    Y_hat = torch.zeros(1, 10)
    Y_hat[0, 7] = 1.0
    assert_close(accuracy(student, Y_hat, torch.tensor([7])), 1.0, tolerance("float32"),
                 name="accuracy(Y_hat, Y) for one example")


# ---------------------------------------------------------------- validation_step

# A Classifier whose forward adds its two inputs: validation_step must pass it every element
# of the batch but the last.


@pytest.mark.exercise("validation_step")
@pytest.mark.points(0.5)
def test_validation_step_passes_every_input(student, tolerance):
    """A batch (X1, X2, Y): the model gets every element but the last as its inputs."""
    g = generator("validation step")
    X1, X2 = torch.randn(6, 4, generator=g), torch.randn(6, 4, generator=g)
    Y = torch.randint(0, 4, (6,), generator=g)
    plotted = student.run(validation_probe("X1", "X2"), batch=(X1, X2, Y),
                          label="Classifier.validation_step((X1, X2, Y))")
    got = {key: (value, train) for key, value, train in plotted}
    require(set(got) == {"loss", "acc"}, f"validation_step plotted {sorted(got)}; expected 'loss' and 'acc'")
    Y_hat = X1 + X2
    assert_close(got["loss"][0], torch.nn.functional.cross_entropy(Y_hat, Y), tolerance("float32"),
                 name="the plotted 'loss'")
    assert_close(got["acc"][0], (Y_hat.argmax(dim=1) == Y).float().mean(), tolerance("float32"),
                 name="the plotted 'acc'")
    require(not got["loss"][1] and not got["acc"][1], "validation_step must plot with train=False")


# ---------------------------------------------------------------- exact_val_loss

SPLITS = {"uneven": (1000, 64), "even": (512, 64), "one-batch": (20, 64), "last-of-one": (65, 64),
          "batch-size-one": (7, 1)}


@pytest.mark.exercise("exact_val_loss")
@pytest.mark.points(0.5)
@pytest.mark.parametrize("case", list(SPLITS), ids=list(SPLITS))
def test_exact_val_loss(student, tolerance, case):
    """The mean of n per-example losses, rebuilt from the quick estimate and the last minibatch."""
    n, batch_size = SPLITS[case]
    losses = torch.rand(n, generator=generator("val loss", case), dtype=torch.float64) * 3
    means = [float(b.mean()) for b in losses.split(batch_size)]
    quick, last = sum(means) / len(means), means[-1]
    assert_close(student.exact_val_loss(quick, last, n, batch_size), float(losses.mean()),
                 tolerance("classifier_float64"), name=f"exact_val_loss(quick, last, {n}, {batch_size})")


# ---------------------------------------------------------------- bayes_decision

@pytest.mark.exercise("bayes_decision")
@pytest.mark.points(0.5)
def test_bayes_decision_medical(student, tolerance):
    """Missing a disease costs 20, a false alarm 1: even a 10% chance of disease means 'treat'."""
    loss_matrix = torch.tensor([[0.0, 1.0], [20.0, 0.0]])   # rows: healthy, sick; columns: send home, treat
    p = torch.tensor([[0.9, 0.1], [0.99, 0.01], [0.3, 0.7]])
    assert_close(student.bayes_decision(loss_matrix, p), torch.tensor([1, 0, 1]), tolerance("exact"),
                 name="bayes_decision(loss_matrix, p) for the medical loss")


@pytest.mark.exercise("bayes_decision")
@pytest.mark.points(0.5)
def test_bayes_decision_random_loss(student, reference, tolerance):
    """A random asymmetric 4 x 4 loss matrix and 8 examples."""
    g = generator("bayes random")
    loss_matrix = torch.rand(4, 4, generator=g) * 5
    p = torch.softmax(2 * torch.randn(8, 4, generator=g), dim=1)
    assert_close(student.bayes_decision(loss_matrix, p), reference.bayes_decision(loss_matrix, p),
                 tolerance("exact"), name="bayes_decision(loss_matrix, p)")


@pytest.mark.exercise("bayes_decision")
@pytest.mark.points(0.5)
def test_bayes_decision_abstain(student, reference, tolerance):
    """Three labels and four choices, the last one 'abstain' at a fixed cost of 0.4."""
    loss_matrix = torch.cat([1 - torch.eye(3), torch.full((3, 1), 0.4)], dim=1)
    p = torch.tensor([[0.9, 0.05, 0.05], [0.4, 0.35, 0.25], [0.1, 0.2, 0.7], [0.34, 0.33, 0.33]])
    got = expect_tensor(student.bayes_decision(loss_matrix, p), "bayes_decision(loss_matrix, p)", shape=(4,))
    assert_close(got, torch.tensor([0, 3, 2, 3]), tolerance("exact"),
                 name="bayes_decision(loss_matrix, p) with an abstain choice")


@pytest.mark.exercise("bayes_decision")
@pytest.mark.points(0.5)
def test_bayes_decision_one_example_float64(student, reference, tolerance):
    """One float64 probability row."""
    loss_matrix = torch.tensor([[0.0, 2.0, 5.0], [1.0, 0.0, 1.0], [4.0, 3.0, 0.0]], dtype=torch.float64)
    p = torch.tensor([[0.5, 0.2, 0.3]], dtype=torch.float64)
    assert_close(student.bayes_decision(loss_matrix, p), reference.bayes_decision(loss_matrix, p),
                 tolerance("exact"), name="bayes_decision(loss_matrix, p) for one example")


@pytest.mark.exercise("bayes_decision")
@pytest.mark.points(0.5)
def test_bayes_decision_returns_int64(student):
    """The choices are an int64 tensor, like argmax gives."""
    got = expect_tensor(student.bayes_decision(1 - torch.eye(2), torch.tensor([[0.3, 0.7], [0.8, 0.2]])),
                        "bayes_decision(loss_matrix, p)", shape=(2,))
    require(got.dtype == torch.int64, f"bayes_decision returned dtype {str(got.dtype).replace('torch.', '')}; "
          "expected int64 indices")
