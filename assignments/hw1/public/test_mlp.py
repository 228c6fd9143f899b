"""Public checks for 5.2: run them with `grader check`."""
import pytest
import torch

from grader.testing import assert_close, check, expect_tensor, generator


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
    shapes = student.run("{n: tuple(p.shape) for n, p in model.named_parameters()}", model=model)
    expected = {"W1": (784, 256), "b1": (256,), "W2": (256, 10), "b2": (10,)}
    check({n: tuple(s) for n, s in shapes.items()} == expected,
          f"MLPScratch's parameters are {shapes}; expected nn.Parameters {expected}")


# A short, seeded run: three epochs on (at most) 2000 training images.
EPOCHS = 3

TRAIN_CODE = """
import torch
from torch.nn import functional as F
from d2l import torch as d2l
data = d2l.FashionMNIST(batch_size=256)
data.num_workers = 0
subset = torch.utils.data.Subset(data.train, range(min(2000, len(data.train))))
X, y = next(iter(torch.utils.data.DataLoader(subset, batch_size=len(subset))))
torch.manual_seed(seed)
model = MLPScratch(num_inputs=784, num_outputs=10, num_hiddens=256, lr=0.1)
optim = torch.optim.SGD(model.parameters(), lr=0.1)
order = torch.Generator().manual_seed(seed)
losses = []
for epoch in range(epochs):
    total = 0.0
    for idx in torch.randperm(len(y), generator=order).split(256):
        loss = F.cross_entropy(model(X[idx]), y[idx])
        optim.zero_grad()
        loss.backward()
        optim.step()
        total += float(loss.detach()) * len(idx)
    losses.append(total / len(y))
losses
"""


def train(student, *, epochs, seed):
    """Mean training loss of each epoch, from a seeded run in the kernel."""
    return list(student.run(TRAIN_CODE, epochs=epochs, seed=seed, label="training MLPScratch"))


@pytest.mark.exercise("mlp_scratch_training")
@pytest.mark.points(0.5)
def test_mlp_scratch_loss_goes_down(student):
    """Three seeded epochs of SGD lower the training loss."""
    losses = train(student, epochs=EPOCHS, seed=0)
    check(losses[-1] < losses[0] - 0.02,
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
