"""Hidden tests for 5.2 Implementation of multilayer perceptrons.

The book's classes are built in the kernel with the book's calls; their weights come back
as data and the expected outputs are computed here from them. The trained model is judged
by its own predictions on the offline validation images, sent from here."""
import pytest
import torch

from grader import datasets
from grader.bookcode import fashion_mnist_labels
from grader.testing import assert_close, describe, expect_tensor, generator, require

pytestmark = pytest.mark.usefixtures("offline_data")


def images(key, n=4):
    return torch.rand(n, 1, 28, 28, generator=generator("5.2", key))


# ---------------------------------------------------------------- relu

@pytest.mark.exercise("relu")
@pytest.mark.points(0.5)
@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 5)], ids=["matrix", "3-d"])
def test_relu(student, reference, tolerance, shape):
    """relu(X) = max(X, 0) elementwise, for any shape."""
    X = torch.randn(shape, generator=generator("5.2 relu", shape))
    got = expect_tensor(student.relu(X), "relu(X)", shape=shape)
    assert_close(got, reference.relu(X), tolerance("exact"), name="relu(X)")


# ---------------------------------------------------------------- MLPScratch

def scratch(student):
    return student.MLPScratch(num_inputs=784, num_outputs=10, num_hiddens=256, lr=0.1)


SHAPES = {"W1": (784, 256), "b1": (256,), "W2": (256, 10), "b2": (10,)}


@pytest.mark.exercise("mlp_scratch")
@pytest.mark.points(0.5)
def test_scratch_parameter_shapes(student):
    """W1 784 x 256, b1 256, W2 256 x 10, b2 10, all requiring grad (nn.Parameter)."""
    model = scratch(student)
    for name, shape in SHAPES.items():
        t = expect_tensor(getattr(model, name), f"model.{name}", shape=shape)
        require(t.requires_grad, f"model.{name} does not require grad; make it an nn.Parameter")


@pytest.mark.exercise("mlp_scratch")
@pytest.mark.points(0.5)
def test_scratch_initialisation(student, tolerance):
    """Weights ~ N(0, sigma^2) with sigma = 0.01, biases zero."""
    model = scratch(student)
    for name in ("W1", "W2"):
        W = expect_tensor(getattr(model, name), f"model.{name}", shape=SHAPES[name])
        assert_close(float(W.std()), 0.01, tolerance("mlp_init_std"), name=f"the standard deviation of model.{name}")
    for name in ("b1", "b2"):
        assert_close(getattr(model, name), torch.zeros(SHAPES[name]), tolerance("exact"), name=f"model.{name}")


@pytest.mark.exercise("mlp_scratch")
@pytest.mark.points(1)
def test_scratch_forward(student, reference, tolerance):
    """model(X) for images (4, 1, 28, 28) is relu(X W1 + b1) W2 + b2 with each image flattened
    (weights and biases loaded from here with load_state_dict)."""
    g = generator("5.2 scratch weights")
    weights = {name: 0.1 * torch.randn(shape, generator=g) for name, shape in SHAPES.items()}
    model = scratch(student)
    model.load_state_dict(weights)
    X = images("scratch forward")
    got = expect_tensor(model(X), "model(X) for 4 images of 1 x 28 x 28", shape=(4, 10))
    expected = reference.relu(X.reshape(4, 784) @ weights["W1"] + weights["b1"]) @ weights["W2"] + weights["b2"]
    assert_close(got, expected, tolerance("mlp_float32"), name="model(X)")


# ---------------------------------------------------------------- the concise MLP

def linear_layers(state, sizes):
    """The (weight, bias) pairs of a state_dict, in order, checked against ``sizes`` (in, out, ...)."""
    tensors = list(state.values())
    expected = [s for n_in, n_out in zip(sizes, sizes[1:]) for s in ((n_out, n_in), (n_out,))]
    got = [tuple(t.shape) for t in tensors]
    require(got == expected, f"the model's parameters have shapes {got}; expected {expected} "
            f"(nn.LazyLinear layers of sizes {' -> '.join(map(str, sizes))} after nn.Flatten())")
    return [(tensors[i].detach(), tensors[i + 1].detach()) for i in range(0, len(tensors), 2)]


def forward_here(layers, X):
    H = X.reshape(len(X), -1)
    for i, (W, b) in enumerate(layers):
        H = H @ W.T + b
        if i < len(layers) - 1:
            H = torch.relu(H)
    return H


def check_concise(model, sizes, what, tolerance):
    X = images(what)
    got = expect_tensor(model(X), f"{what}(X) for 4 images of 1 x 28 x 28", shape=(4, sizes[-1]))
    state = model.state_dict()
    require(isinstance(state, dict), f"{what}.state_dict() is {describe(state)}")
    layers = linear_layers(state, sizes)
    assert_close(got, forward_here(layers, X), tolerance("mlp_float32"), name=f"{what}(X) with its own weights")


@pytest.mark.exercise("mlp")
@pytest.mark.points(1)
def test_concise_layers(student):
    """MLP(num_outputs=10, num_hiddens=256, lr=0.1): after one call, layers 784 -> 256 -> 10."""
    model = student.MLP(num_outputs=10, num_hiddens=256, lr=0.1)
    expect_tensor(model(images("concise layers")), "MLP(...)(X)", shape=(4, 10))
    state = model.state_dict()
    require(isinstance(state, dict), f"model.state_dict() is {describe(state)}")
    linear_layers(state, (784, 256, 10))


@pytest.mark.exercise("mlp")
@pytest.mark.points(1)
def test_concise_forward(student, tolerance):
    """MLP's output is relu(X W1^T + b1) W2^T + b2 with the weights it holds."""
    check_concise(student.MLP(num_outputs=10, num_hiddens=256, lr=0.1), (784, 256, 10), "MLP", tolerance)


@pytest.mark.exercise("two_hidden_layers")
@pytest.mark.points(1)
def test_two_hidden_layers(student, tolerance):
    """Exercise 2: MLP2(num_outputs=10, num_hiddens1=256, num_hiddens2=128, lr=0.1) (or an MLP
    taking these arguments): layers 784 -> 256 -> 128 -> 10 with ReLUs in between."""
    name = "MLP2" if student.defines("MLP2") else "MLP"
    model = student[name](num_outputs=10, num_hiddens1=256, num_hiddens2=128, lr=0.1)
    check_concise(model, (784, 256, 128, 10), name, tolerance)


# ---------------------------------------------------------------- the trained model

REFERENCE_ACCURACY = 0.766   # MLPScratch, median over seeds 0-9: python -m tests.calibration.book_training


def validation_accuracy(model, files):
    """The accuracy of ``model`` (called in the kernel) on every offline validation image, sent as
    the book's d2l.FashionMNIST gives them (ToTensor: /255); the labels are read here."""
    images = datasets.read_idx(files.raw_dir / datasets.FILES["test", "images"])
    X = torch.from_numpy(images.copy()).float().div(255).unsqueeze(1)
    y = fashion_mnist_labels(files, "test")
    y_hat = expect_tensor(model(X), "model(X) on the validation images", shape=(len(y), 10))
    return float((y_hat.argmax(dim=1) == y).float().mean())


@pytest.mark.exercise("mlp_training")
@pytest.mark.points(2)
def test_trained_model_accuracy(student, offline_data, tolerance):
    """The model 5.2 ends with classifies the offline validation images about as well as the reference."""
    model = student.value("model")
    require(getattr(model, "is_callable", False), f"model at the end of 5.2 is {describe(model)}; expected the "
            "trained MLP (trainer.fit(model, data))")
    floor = REFERENCE_ACCURACY - tolerance("mlp_training_accuracy").atol
    accuracy = validation_accuracy(model, offline_data)
    require(accuracy >= floor, f"the trained model's validation accuracy is {accuracy:.3f}; the book's 10 "
            f"epochs reach at least {floor:.2f} on this data. Check relu, forward and that "
            "trainer.fit(model, data) ran")
