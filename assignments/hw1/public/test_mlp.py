"""Public checks for 5.2: run them with `grader check`."""
import pytest
import torch

from grader.bookcode.perceptrons import MLP_TRAINING_LOSSES, PARAMETER_SHAPES
from grader.testing import assert_close, require, expect_tensor, generator


@pytest.mark.exercise("relu")
@pytest.mark.points(0.25)
def test_relu_small_example(student, tolerance):
    """relu zeroes the negative entries and keeps the rest."""
    X = torch.tensor([[-2.0, -0.5, 0.0], [0.5, 1.0, 3.0]])
    assert_close(student.relu(X), torch.tensor([[0.0, 0.0, 0.0], [0.5, 1.0, 3.0]]),
                 tolerance("exact"), name="relu(X)")


@pytest.mark.exercise("mlp_scratch")
@pytest.mark.points(0.5)
def test_mlp_scratch_book_shapes(student):
    """MLPScratch(num_inputs=784, num_outputs=10, num_hiddens=256): parameter shapes."""
    model = student.MLPScratch(num_inputs=784, num_outputs=10, num_hiddens=256, lr=0.1)
    shapes = student.run(PARAMETER_SHAPES, model=model, label="MLPScratch's named_parameters()")
    expected = {"W1": (784, 256), "b1": (256,), "W2": (256, 10), "b2": (10,)}
    require({n: tuple(s) for n, s in shapes.items()} == expected,
          f"MLPScratch's parameters are {shapes}; expected nn.Parameters {expected}")


# A short, seeded run: three epochs on (at most) 2000 training images; the mean training
# loss of each epoch comes back.
EPOCHS, TRAIN_SIZE = 3, 2000


def train(student, *, epochs, seed):
    """Mean training loss of each epoch, from a seeded run in the kernel."""
    return list(student.run(MLP_TRAINING_LOSSES, train_size=TRAIN_SIZE, epochs=epochs, seed=seed,
                            label="training MLPScratch"))


@pytest.mark.exercise("mlp_scratch_training")
@pytest.mark.points(0.5)
def test_mlp_scratch_loss_goes_down(student, offline_data):   # ../data as in the grader's kernel, anywhere
    """Three seeded epochs of SGD lower the training loss."""
    losses = train(student, epochs=EPOCHS, seed=0)
    require(losses[-1] < losses[0] - 0.02,
          f"the mean training loss per epoch went {', '.join(f'{l:.4f}' for l in losses)}; it should "
          "fall by more than 0.02 over three epochs: are W1..b2 nn.Parameters with random, non-zero "
          "initial weights?")


@pytest.mark.exercise("mlp_concise")
@pytest.mark.points(0.25)
def test_mlp_book_output_shape(student):
    """MLP(num_outputs=10, num_hiddens=256) maps 2 images to a (2, 10) output."""
    model = student.MLP(num_outputs=10, num_hiddens=256, lr=0.1)
    X = torch.rand((2, 1, 28, 28), generator=generator("public mlp"))
    expect_tensor(model(X), "MLP(...)(X)", shape=(2, 10))


@pytest.mark.exercise("mlp2")
@pytest.mark.points(0.25)
def test_mlp2_output_shape(student):
    """MLP2(num_outputs=10, num_hiddens1=256, num_hiddens2=128) maps 2 images to (2, 10)."""
    model = student.MLP2(num_outputs=10, num_hiddens1=256, num_hiddens2=128, lr=0.1)
    X = torch.rand((2, 1, 28, 28), generator=generator("public mlp2"))
    expect_tensor(model(X), "MLP2(...)(X)", shape=(2, 10))
