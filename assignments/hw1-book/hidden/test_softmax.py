"""Hidden tests for 4.4 Softmax regression from scratch.

The book's softmax is the naive exp(X) / sum (all five real notebooks used it): the softmax
checks use logits where it is exact, and stability for large logits is the optional
exercise. The trained model is judged by its own predictions on the offline validation
images, sent from here; their labels come from the files, never from the notebook.
"""
import math

import pytest
import torch

from grader import datasets
from grader.bookcode import fashion_mnist_labels
from grader.testing import Mismatch, assert_close, describe, expect_tensor, generator, require

pytestmark = pytest.mark.usefixtures("offline_data")

NAMES = list(datasets.TEXT_LABELS)
SHAPES = {"wide": (2, 5), "tall": (7, 3)}


# ---------------------------------------------------------------- softmax

@pytest.mark.exercise("softmax")
@pytest.mark.points(0.5)
@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_softmax_rows_sum_to_one(student, tolerance, shape):
    """Every row of softmax(X) sums to 1 (a non-square X catches a wrong axis or keepdims)."""
    X = torch.randn(shape, generator=generator("4.4 rows", shape))
    probs = expect_tensor(student.softmax(X), "softmax(X)", shape=shape)
    assert_close(probs.sum(dim=1), torch.ones(shape[0]), tolerance("float32"), name="the row sums of softmax(X)")


@pytest.mark.exercise("softmax")
@pytest.mark.points(0.5)
def test_softmax_matches_reference(student, reference, tolerance):
    """softmax(X) equals the reference for logits of moderate size (3 x 4, entries ~ 3 N(0, 1))."""
    X = 3 * torch.randn(3, 4, generator=generator("4.4 match"))
    probs = expect_tensor(student.softmax(X), "softmax(X)", shape=(3, 4))
    assert_close(probs, reference.softmax(X), tolerance("float32"), name="softmax(X)")


@pytest.mark.exercise("softmax")
@pytest.mark.points(0.5)
def test_X_prob_of_the_section(student, tolerance):
    """X_prob = softmax(torch.rand((2, 5))): rows of probabilities (inputs in [0, 1) keep every
    entry above 1/(4e + 1))."""
    X_prob = expect_tensor(student.value("X_prob"), "X_prob at the end of 4.4", shape=(2, 5))
    assert_close(X_prob.sum(dim=1), torch.ones(2), tolerance("float32"), name="the row sums of X_prob")
    # exp(u) for u in [0, 1): an entry is at least 1 / (1 + 4e) and at most e / (e + 4).
    require(bool((X_prob > 1 / (1 + 4 * math.e)).all() and (X_prob < math.e / (math.e + 4)).all()),
            f"X_prob has entries outside what softmax of torch.rand((2, 5)) can give: {X_prob.tolist()}")


@pytest.mark.exercise("stable_softmax")
@pytest.mark.points(0.5)
@pytest.mark.parametrize("scale", [100.0, 1000.0], ids=["hundred", "thousand"])
def test_softmax_is_stable_for_large_inputs(student, reference, tolerance, scale):
    """Exercise 1: inputs like 100 or -1000 give probabilities, not NaN."""
    X = torch.tensor([[scale, 0.0, -scale], [-scale, -scale - 1.0, -scale - 2.0]])
    probs = expect_tensor(student.softmax(X), f"softmax(X) with entries of ±{scale:g}", shape=(2, 3))
    require(torch.isfinite(probs).all(),
            f"softmax(X) with entries of ±{scale:g} contains NaN or inf (exp overflows for large inputs and "
            "underflows to 0 for very negative rows); subtract each row's max before exp()")
    assert_close(probs, reference.softmax(X), tolerance("float32"), name=f"softmax(X) with entries of ±{scale:g}")


# ---------------------------------------------------------------- cross_entropy

@pytest.mark.exercise("cross_entropy")
@pytest.mark.points(0.75)
def test_cross_entropy_matches_reference(student, reference, tolerance):
    """cross_entropy on 7 random probability rows of 5 classes."""
    g = generator("4.4 cross entropy")
    y_hat = torch.softmax(torch.randn(7, 5, generator=g), dim=1)
    y = torch.randint(0, 5, (7,), generator=g)
    assert_close(student.cross_entropy(y_hat, y), reference.cross_entropy(y_hat, y), tolerance("float32"),
                 name="cross_entropy(y_hat, y)")


# ---------------------------------------------------------------- SoftmaxRegressionScratch

def book_model(student):
    return student.SoftmaxRegressionScratch(num_inputs=784, num_outputs=10, lr=0.1)


@pytest.mark.exercise("softmax_regression_scratch")
@pytest.mark.points(0.5)
def test_parameters(student, tolerance):
    """W is 784 x 10 and b zeros(10), both requiring grad; parameters() gives them."""
    model = book_model(student)
    W = expect_tensor(model.W, "model.W", shape=(784, 10))
    b = expect_tensor(model.b, "model.b", shape=(10,))
    require(W.requires_grad and b.requires_grad, "model.W and model.b must be created with requires_grad=True")
    assert_close(b, torch.zeros(10), tolerance("exact"), name="the initial model.b")
    params = model.parameters()
    require(isinstance(params, (list, tuple)) and len(params) == 2,
            f"model.parameters() is {describe(params)}; expected [self.W, self.b]")


@pytest.mark.exercise("softmax_regression_scratch")
@pytest.mark.points(0.25)
def test_initialisation(student, tolerance):
    """W ~ N(0, sigma^2) with the default sigma = 0.01."""
    W = expect_tensor(book_model(student).W, "model.W", shape=(784, 10))
    assert_close(float(W.std()), 0.01, tolerance("softmax_init_std"), name="the standard deviation of W")
    require(abs(float(W.mean())) < 0.001, f"the mean of W is {float(W.mean()):.3g}; expected about 0")


@pytest.mark.exercise("softmax_regression_scratch")
@pytest.mark.points(0.75)
def test_forward(student, reference, tolerance):
    """model(X) on images (5, 1, 28, 28) is softmax(X W + b) with each image flattened, b set to random values."""
    g = generator("4.4 forward")
    model = book_model(student)
    model.b = torch.randn(10, generator=g).requires_grad_(True)
    W = expect_tensor(model.W, "model.W", shape=(784, 10)).detach()
    b = expect_tensor(model.b, "model.b", shape=(10,)).detach()
    X = torch.rand(5, 1, 28, 28, generator=g)
    got = expect_tensor(model(X), "model(X) for 5 images of 1 x 28 x 28", shape=(5, 10))
    assert_close(got, reference.softmax(X.reshape(5, 784) @ W + b), tolerance("mlp_float32"), name="model(X)")


@pytest.mark.exercise("softmax_regression_scratch")
@pytest.mark.points(0.5)
def test_loss_is_cross_entropy(student, reference, tolerance):
    """model.loss(y_hat, y) is the cross-entropy of y_hat at the labels y."""
    g = generator("4.4 loss")
    y_hat = torch.softmax(torch.randn(6, 10, generator=g), dim=1)
    y = torch.randint(0, 10, (6,), generator=g)
    assert_close(book_model(student).loss(y_hat, y), reference.cross_entropy(y_hat, y), tolerance("float32"),
                 name="model.loss(y_hat, y)")


# ---------------------------------------------------------------- the trained model and its predictions

REFERENCE_ACCURACY = 0.948   # median over seeds 0-19, python -m tests.calibration.book_training


def validation_images(files):
    """The offline validation images as the book's d2l.FashionMNIST gives them (Resize((28, 28)) is
    the identity, ToTensor divides by 255), and their labels, both read here from the files."""
    images = datasets.read_idx(files.raw_dir / datasets.FILES["test", "images"])
    X = torch.from_numpy(images.copy()).float().div(255).unsqueeze(1)
    return X, fashion_mnist_labels(files, "test")


def validation_accuracy(model, files):
    """The accuracy of ``model`` (called in the kernel) on every offline validation image."""
    X, y = validation_images(files)
    y_hat = expect_tensor(model(X), "model(X) on the validation images", shape=(len(y), 10))
    return float((y_hat.argmax(dim=1) == y).float().mean())


@pytest.mark.exercise("softmax_training")
@pytest.mark.points(2)
def test_trained_model_accuracy(student, offline_data, tolerance):
    """The model 4.4 ends with classifies the offline validation images about as well as the reference."""
    model = student.value("model")
    require(getattr(model, "is_callable", False), f"model at the end of 4.4 is {describe(model)}; expected the "
            "trained SoftmaxRegressionScratch (trainer.fit(model, data))")
    floor = REFERENCE_ACCURACY - tolerance("softmax_val_accuracy").atol
    accuracy = validation_accuracy(model, offline_data)
    require(accuracy >= floor, f"the trained model's validation accuracy is {accuracy:.3f}; the book's 10 "
            f"epochs reach at least {floor:.2f} on this data. Check softmax, cross_entropy and that "
            "trainer.fit(model, data) ran")


@pytest.mark.exercise("prediction")
@pytest.mark.points(1)
def test_misclassified_examples(student, offline_data, tolerance):
    """wrong marks the misclassified images of the first validation minibatch; y, preds and labels
    keep only those, with labels = 'true\\npredicted' from text_labels."""
    wrong = expect_tensor(student.value("wrong"), "wrong at the end of 4.4", shape=(256,))
    require(wrong.dtype == torch.bool, f"wrong is {describe(wrong)}; expected the boolean mask preds != y")
    first = fashion_mnist_labels(offline_data, "test")[:256]
    y = expect_tensor(student.value("y"), "y at the end of 4.4", shape=(int(wrong.sum()),))
    assert_close(y, first[wrong], tolerance("exact"), name="y (the labels of the misclassified images)")
    preds = expect_tensor(student.value("preds"), "preds at the end of 4.4", shape=(int(wrong.sum()),))
    require(bool((preds != y).all()), "preds holds correct predictions: keep only the wrong ones "
            "(X, y, preds = X[wrong], y[wrong], preds[wrong])")
    labels = student.value("labels")
    expected = [NAMES[int(t)] + "\n" + NAMES[int(p)] for t, p in zip(y, preds)]
    if labels != expected:
        raise Mismatch(f"labels is {describe(labels)} starting {labels[:2] if isinstance(labels, list) else labels!r}; "
                       f"expected one 'true\\npredicted' string per wrong image, starting {expected[:2]}")
