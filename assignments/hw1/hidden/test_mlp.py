"""Hidden tests for 5.2 Implementation of multilayer perceptrons."""
import pytest
import torch

from grader import datasets
from grader.bookcode.perceptrons import (LINEAR_SHAPES, MLP_GRADIENTS, MLP_TRAINING_AND_OUTPUT,
                                         PARAMETER, PARAMETER_SHAPES, PARAMETER_STD,
                                         RELU_THEN_INPUT, SET_LINEAR, SET_PARAMETERS)
from grader.testing import assert_close, require, expect_tensor, generator

# --------------------------------------------------------------------------- helpers
# Grader-written code run in the kernel. Models stay there; only data comes back.


def images(key, batch):
    """A batch of Fashion-MNIST-like images in [0, 1], shape (batch, 1, 28, 28)."""
    return torch.rand((batch, 1, 28, 28), generator=generator("mlp images", key, batch))


def mlp_weights(key, sizes, scale=0.1):
    """Random (W, b) per layer for widths ``sizes`` in the book's (in, out) layout."""
    g = generator("mlp weights", key, sizes)
    return [(scale * torch.randn((m, n), generator=g), scale * torch.randn(n, generator=g))
            for m, n in zip(sizes[:-1], sizes[1:])]


def reference_output(X, layers):
    """relu between the layers, none after the last; float64."""
    H = X.reshape(len(X), -1).double()
    for i, (W, b) in enumerate(layers):
        H = H @ W.double() + b.double()
        if i < len(layers) - 1:
            H = torch.relu(H)
    return H


def expect_scratch_parameters(student, model, num_inputs, num_hiddens, num_outputs):
    shapes = student.run(PARAMETER_SHAPES, model=model, label="MLPScratch's named_parameters()")
    expected = {"W1": (num_inputs, num_hiddens), "b1": (num_hiddens,),
                "W2": (num_hiddens, num_outputs), "b2": (num_outputs,)}
    missing = [n for n in expected if n not in shapes]
    require(not missing, f"MLPScratch has no parameter(s) {', '.join(missing)} (its parameters are "
          f"{sorted(shapes) or 'none'}); make them attributes holding nn.Parameter(...) so that "
          "the optimizer can train them")
    for name, shape in expected.items():
        require(tuple(shapes[name]) == shape, f"MLPScratch(num_inputs={num_inputs}, num_outputs="
              f"{num_outputs}, num_hiddens={num_hiddens}).{name} has shape {tuple(shapes[name])}; "
              f"expected {shape}")


def expect_linear_shapes(student, model, X, expected, what):
    shapes = student.run(LINEAR_SHAPES, model=model, X=X, label=f"{what}'s linear layers")
    got = [tuple(w) for w, _ in shapes]
    want = [w for w, _ in expected]
    require(len(got) == len(want), f"{what} has {len(got)} linear layers; expected {len(want)}")
    require(got == want, f"{what}'s linear layers have weight shapes {got}; expected {want} "
          "(nn.Linear stores weights as (out_features, in_features))")
    require(all(b is not None for _, b in shapes), f"{what}'s linear layers need biases")


# --------------------------------------------------------------------------- relu

RELU_CASES = {"wide-float32": ((2, 5), torch.float32), "3d-float64": ((4, 1, 3), torch.float64),
              "empty": ((0,), torch.float32), "int64": ((7,), torch.int64)}


@pytest.mark.exercise("relu")
@pytest.mark.points(0.125)
@pytest.mark.parametrize("case", RELU_CASES, ids=RELU_CASES)
def test_relu_matches_max_with_zero(student, tolerance, case):
    """relu(X) equals max(X, 0) for every shape and dtype."""
    shape, dtype = RELU_CASES[case]
    X = (10 * torch.randn(shape, generator=generator("relu", shape))).to(dtype)
    got = expect_tensor(student.relu(X), "relu(X)", shape=shape)
    assert_close(got, torch.clamp(X, min=0), tolerance("exact"), name="relu(X)")


@pytest.mark.exercise("relu")
@pytest.mark.points(0.25)
def test_relu_leaves_its_input_alone(student, tolerance):
    """relu(X) returns a new tensor: X keeps its negative entries."""
    X = torch.tensor([[-1.5, 2.0, -3.0], [0.5, -0.25, 4.0]])
    after = student.run(RELU_THEN_INPUT, X=X.clone(), label="relu(X), then X")
    require(torch.equal(expect_tensor(after, "X after relu(X)"), X),
          "relu(X) changed X itself (its negative entries became 0); build the result in a new "
          "tensor, e.g. torch.max(X, torch.zeros_like(X))")


# --------------------------------------------------------------------------- MLPScratch

SIZES = {"book": (784, 256, 10), "small": (12, 5, 3)}


@pytest.mark.exercise("mlp_scratch")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("sizes", SIZES.values(), ids=SIZES.keys())
def test_mlp_scratch_parameter_shapes(student, sizes):
    """W1, b1, W2, b2 are parameters with the book's shapes."""
    num_inputs, num_hiddens, num_outputs = sizes
    model = student.MLPScratch(num_inputs=num_inputs, num_outputs=num_outputs,
                               num_hiddens=num_hiddens, lr=0.1)
    expect_scratch_parameters(student, model, num_inputs, num_hiddens, num_outputs)


@pytest.mark.exercise("mlp_scratch")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("sigma", [0.01, 0.1], ids=["default", "sigma-0.1"])
def test_mlp_scratch_initial_values(student, tolerance, sigma):
    """Weights start as N(0, sigma²) noise, biases as zeros."""
    kwargs = {} if sigma == 0.01 else {"sigma": sigma}
    model = student.MLPScratch(num_inputs=784, num_outputs=10, num_hiddens=256, lr=0.1, **kwargs)
    expect_scratch_parameters(student, model, 784, 256, 10)
    for name in ("W1", "W2"):
        std = float(student.run(PARAMETER_STD, model=model, name=name, label=f"MLPScratch.{name}.std()"))
        assert_close(std, sigma, tolerance("mlp_init_std"),
                     name=f"the standard deviation of {name} with sigma={sigma}")
    for name in ("b1", "b2"):
        b = expect_tensor(student.run(PARAMETER, model=model, name=name, label=f"MLPScratch.{name}"),
                          f"MLPScratch.{name}")
        assert_close(b, torch.zeros(b.shape), tolerance("exact"), name=f"the initial {name}")


@pytest.mark.exercise("mlp_scratch")
@pytest.mark.points(0.125)
@pytest.mark.parametrize("shape", [(5, 1, 28, 28), (3, 784), (1, 1, 28, 28)], ids=["images", "flat", "one"])
def test_mlp_scratch_output_shape(student, shape):
    """forward reshapes its input: (B, 1, 28, 28) or (B, 784) gives (B, 10)."""
    model = student.MLPScratch(num_inputs=784, num_outputs=10, num_hiddens=32, lr=0.1)
    X = torch.rand(shape, generator=generator("scratch shape", shape))
    expect_tensor(model(X), f"MLPScratch(...)(X) for X of shape {shape}", shape=(shape[0], 10))


@pytest.mark.exercise("mlp_scratch")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("batch", [6, 1], ids=["batch", "one"])
def test_mlp_scratch_forward_matches_formula(student, tolerance, batch):
    """With given weights, forward computes relu(X W1 + b1) W2 + b2."""
    model = student.MLPScratch(num_inputs=784, num_outputs=10, num_hiddens=64, lr=0.1)
    expect_scratch_parameters(student, model, 784, 64, 10)
    (W1, b1), (W2, b2) = mlp_weights("scratch", (784, 64, 10))
    student.run(SET_PARAMETERS, model=model, values={"W1": W1, "b1": b1, "W2": W2, "b2": b2},
                label="setting MLPScratch's parameters")
    X = images("scratch", batch)
    got = expect_tensor(model(X), "MLPScratch(...)(X)", shape=(batch, 10))
    assert_close(got, reference_output(X, [(W1, b1), (W2, b2)]), tolerance("mlp_float32"),
                 name="MLPScratch(...)(X) with the check's weights")


@pytest.mark.exercise("mlp_scratch")
@pytest.mark.points(0.625)
def test_mlp_scratch_gradients_reach_every_parameter(student, reference, tolerance):
    """Backpropagating the cross-entropy gives every parameter its gradient."""
    model = student.MLPScratch(num_inputs=784, num_outputs=10, num_hiddens=16, lr=0.1)
    expect_scratch_parameters(student, model, 784, 16, 10)
    (W1, b1), (W2, b2) = mlp_weights("grads", (784, 16, 10))
    values = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    student.run(SET_PARAMETERS, model=model, values=values, label="setting MLPScratch's parameters")
    X = images("grads", 8)
    y = torch.arange(8) % 10
    grads = student.run(MLP_GRADIENTS, model=model, X=X, y=y, label="backward through MLPScratch")
    expected = reference.MLPScratch(num_inputs=784, num_outputs=10, num_hiddens=16, lr=0.1)
    with torch.no_grad():
        for name, value in values.items():
            getattr(expected, name).copy_(value)
    torch.nn.functional.cross_entropy(expected(X), y).backward()
    for name in values:
        require(grads.get(name) is not None, f"MLPScratch.{name}.grad is None after backward: "
              f"{name} is not connected to the output (a .detach(), .data or a tensor that is "
              "not an nn.Parameter?)")
        assert_close(grads[name], getattr(expected, name).grad, tolerance("mlp_float32"),
                     name=f"MLPScratch.{name}.grad")


# --------------------------------------------------------------------------- training

# Measured by tests/calibration/mlp_training.py (the reference over seeds 0-19).
REFERENCE_ACCURACY = 0.775
TRAIN_SIZE, VAL_SIZE, EPOCHS, SEED = 2000, 500, 10, 474


def validation_set(size):
    """The first ``size`` test images and labels, read by the grader from the files it gives
    the kernel (never from the kernel)."""
    files = datasets.fashion_mnist()
    X = datasets.read_idx(files.raw_dir / datasets.FILES["test", "images"])[:size]
    y = datasets.read_idx(files.raw_dir / datasets.FILES["test", "labels"])[:size]
    return torch.from_numpy(X.copy()).float().div(255).unsqueeze(1), torch.from_numpy(y.astype("int64"))


def train(student, *, epochs, seed):
    """Seeded training of the student's MLPScratch in the kernel; (epoch losses, val accuracy)."""
    X_val, y_val = validation_set(VAL_SIZE)
    losses, logits = student.run(MLP_TRAINING_AND_OUTPUT, train_size=TRAIN_SIZE, epochs=epochs, seed=seed,
                                 X_val=X_val, label="training MLPScratch")
    logits = expect_tensor(logits, "MLPScratch's output on the validation images",
                           shape=(len(y_val), 10))
    return list(losses), float((logits.argmax(dim=1) == y_val).float().mean())


@pytest.mark.exercise("mlp_scratch_training")
@pytest.mark.points(1.5)
def test_mlp_scratch_training_reaches_accuracy(student, tolerance):
    """10 seeded epochs on the offline data clear the validation-accuracy floor."""
    losses, accuracy = train(student, epochs=EPOCHS, seed=SEED)
    floor = REFERENCE_ACCURACY - tolerance("mlp_training_accuracy").atol
    require(all(l == l for l in losses), "the training loss became NaN: check the forward pass and "
          "the initial weights")
    require(accuracy >= floor,
          f"after {EPOCHS} epochs (lr 0.1, batch 256, {TRAIN_SIZE} images) MLPScratch reaches "
          f"validation accuracy {accuracy:.3f}; the reference reaches about {REFERENCE_ACCURACY:.2f} "
          f"and at least {floor:.3f} is expected (training losses per epoch: "
          f"{', '.join(f'{l:.3f}' for l in losses)}). Are W1..b2 nn.Parameters with random "
          "(not zero) weights, and does forward use them?")


# --------------------------------------------------------------------------- concise MLP

@pytest.mark.exercise("mlp_concise")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("shape", [(4, 1, 28, 28), (1, 1, 28, 28)], ids=["images", "one"])
def test_mlp_output_shape(student, shape):
    """MLP(num_outputs=10, ...) maps (B, 1, 28, 28) images to (B, 10)."""
    model = student.MLP(num_outputs=10, num_hiddens=32, lr=0.1)
    X = torch.rand(shape, generator=generator("mlp shape", shape))
    expect_tensor(model(X), f"MLP(...)(X) for X of shape {shape}", shape=(shape[0], 10))


@pytest.mark.exercise("mlp_concise")
@pytest.mark.points(0.25)
def test_mlp_layer_shapes(student):
    """The book's sizes give weights (256, 784) and (10, 256)."""
    model = student.MLP(num_outputs=10, num_hiddens=256, lr=0.1)
    expect_linear_shapes(student, model, images("layers", 2),
                         [((256, 784), (256,)), ((10, 256), (10,))], "MLP(num_outputs=10, num_hiddens=256)")


@pytest.mark.exercise("mlp_concise")
@pytest.mark.points(0.5)
@pytest.mark.parametrize("batch", [5, 1], ids=["batch", "one"])
def test_mlp_equals_scratch_with_copied_weights(student, reference, tolerance, batch):
    """With MLPScratch's weights copied in, MLP computes the same outputs."""
    layers = mlp_weights("copied", (784, 48, 10))
    model = student.MLP(num_outputs=10, num_hiddens=48, lr=0.1)
    X = images("copied", batch)
    expect_linear_shapes(student, model, X, [((48, 784), (48,)), ((10, 48), (10,))],
                         "MLP(num_outputs=10, num_hiddens=48)")
    got = student.run(SET_LINEAR, model=model, X=X, weights=[(W.T.contiguous(), b) for W, b in layers],
                      label="copying weights into MLP")
    scratch = reference.MLPScratch(num_inputs=784, num_outputs=10, num_hiddens=48, lr=0.1)
    with torch.no_grad():
        for name, value in zip(("W1", "b1", "W2", "b2"), (t for layer in layers for t in layer)):
            getattr(scratch, name).copy_(value)
        expected = scratch(X)
    assert_close(expect_tensor(got, "MLP(...)(X)", shape=(batch, 10)), expected,
                 tolerance("mlp_float32"), name="MLP(...)(X) with MLPScratch's weights")


# --------------------------------------------------------------------------- MLP2

@pytest.mark.exercise("mlp2")
@pytest.mark.points(0.25)
@pytest.mark.parametrize("shape", [(3, 1, 28, 28), (1, 1, 28, 28)], ids=["images", "one"])
def test_mlp2_output_shape(student, shape):
    """MLP2 maps (B, 1, 28, 28) images to (B, 10)."""
    model = student.MLP2(num_outputs=10, num_hiddens1=64, num_hiddens2=32, lr=0.1)
    X = torch.rand(shape, generator=generator("mlp2 shape", shape))
    expect_tensor(model(X), f"MLP2(...)(X) for X of shape {shape}", shape=(shape[0], 10))


@pytest.mark.exercise("mlp2")
@pytest.mark.points(0.5)
def test_mlp2_layer_shapes(student):
    """Widths 256 then 128: weights (256, 784), (128, 256), (10, 128)."""
    model = student.MLP2(num_outputs=10, num_hiddens1=256, num_hiddens2=128, lr=0.1)
    expect_linear_shapes(student, model, images("mlp2 layers", 2),
                         [((256, 784), (256,)), ((128, 256), (128,)), ((10, 128), (10,))],
                         "MLP2(num_outputs=10, num_hiddens1=256, num_hiddens2=128)")


@pytest.mark.exercise("mlp2")
@pytest.mark.points(0.375)
@pytest.mark.parametrize("batch", [4, 1], ids=["batch", "one"])
def test_mlp2_forward_with_copied_weights(student, tolerance, batch):
    """With given weights, MLP2 computes relu(relu(X W1 + b1) W2 + b2) W3 + b3."""
    layers = mlp_weights("mlp2", (784, 40, 24, 10), scale=0.2)
    model = student.MLP2(num_outputs=10, num_hiddens1=40, num_hiddens2=24, lr=0.1)
    X = images("mlp2", batch)
    expect_linear_shapes(student, model, X, [((40, 784), (40,)), ((24, 40), (24,)), ((10, 24), (10,))],
                         "MLP2(num_outputs=10, num_hiddens1=40, num_hiddens2=24)")
    got = student.run(SET_LINEAR, model=model, X=X, weights=[(W.T.contiguous(), b) for W, b in layers],
                      label="copying weights into MLP2")
    assert_close(expect_tensor(got, "MLP2(...)(X)", shape=(batch, 10)), reference_output(X, layers),
                 tolerance("mlp_float32"), name="MLP2(...)(X) with the check's weights")
