"""Hidden tests for 4.2 The image classification dataset.

The grader's offline Fashion-MNIST files are where the book looks for them (../data); the
labels the checks expect are read here from the same files. `data` and `batch` are read as
of the end of 4.2.
"""
import pytest
import torch

from grader import datasets
from grader.bookcode import fashion_mnist_labels, visualize_once
from grader.testing import assert_close, describe, expect_tensor, generator, require

pytestmark = pytest.mark.usefixtures("offline_data")

NAMES = list(datasets.TEXT_LABELS)   # the book's list in text_labels


# ---------------------------------------------------------------- text_labels and visualize

@pytest.mark.exercise("text_labels")
@pytest.mark.points(0.25)
def test_text_labels_of_every_class(student):
    """FashionMNIST(resize=(32, 32)).text_labels(range(10)) names the ten classes in order."""
    got = student.FashionMNIST(resize=(32, 32)).text_labels(list(range(10)))
    require(list(got) == NAMES, f"text_labels([0, ..., 9]) is {got}; expected {NAMES}")


@pytest.mark.exercise("text_labels")
@pytest.mark.points(0.25)
def test_text_labels_of_a_label_tensor(student):
    """text_labels accepts a tensor of labels, as 4.4.5 passes it (int(i) for each entry)."""
    y = torch.tensor([9, 0, 3, 3])
    got = student.FashionMNIST(resize=(32, 32)).text_labels(y)
    require(list(got) == [NAMES[i] for i in y.tolist()],
            f"text_labels(torch.tensor([9, 0, 3, 3])) is {got}; expected {[NAMES[i] for i in y.tolist()]}")


@pytest.mark.exercise("visualize")
@pytest.mark.points(0.25)
def test_visualize_titles_with_text_labels(student):
    """Without labels, visualize((X, y)) titles the images with text_labels(y), channel axis squeezed."""
    g = generator("4.2 visualize")
    X, y = torch.rand(8, 1, 32, 32, generator=g), torch.randint(0, 10, (8,), generator=g)
    call = visualize_once(student, X, y)
    require(call["titles"] == [NAMES[i] for i in y.tolist()],
            f"visualize((X, y)) titled the images {call['titles']}; expected text_labels(y)")
    expect_tensor(call["imgs"], "the images visualize passes to d2l.show_images", shape=(8, 32, 32))


@pytest.mark.exercise("visualize")
@pytest.mark.points(0.25)
def test_visualize_given_labels_and_grid(student):
    """Given labels and a 2 x 3 grid reach d2l.show_images unchanged."""
    g = generator("4.2 visualize grid")
    X, y = torch.rand(6, 1, 32, 32, generator=g), torch.randint(0, 10, (6,), generator=g)
    labels = [f"label {i}" for i in range(6)]
    call = visualize_once(student, X, y, nrows=2, ncols=3, labels=labels)
    require(call["titles"] == labels, f"visualize(batch, labels=...) titled the images {call['titles']}; "
            f"expected the given labels {labels}")
    require((call["num_rows"], call["num_cols"]) == (2, 3),
            f"visualize(batch, nrows=2, ncols=3) asked d2l.show_images for a {call['num_rows']} x "
            f"{call['num_cols']} grid; expected 2 x 3")


# ---------------------------------------------------------------- the section's data and batch

@pytest.mark.exercise("fashion_mnist_data")
@pytest.mark.points(0.5)
def test_data_holds_both_splits(student, offline_data, tolerance):
    """data = FashionMNIST(resize=(32, 32)): data.train and data.val are the training and test files."""
    data = student.value("data")
    require(getattr(data, "type_name", None) == "FashionMNIST",
            f"data at the end of 4.2 is {describe(data)}; expected data = FashionMNIST(resize=(32, 32))")
    assert_close(data.train.targets, fashion_mnist_labels(offline_data, "train"), tolerance("exact"),
                 name="the labels of data.train (train=True)")
    assert_close(data.val.targets, fashion_mnist_labels(offline_data, "test"), tolerance("exact"),
                 name="the labels of data.val (train=False)")
    require(tuple(data.resize) == (32, 32), f"data.resize is {data.resize}; expected (32, 32)")


@pytest.mark.exercise("fashion_mnist_data")
@pytest.mark.points(0.5)
def test_first_validation_batch(student, offline_data, tolerance):
    """batch = next(iter(data.val_dataloader())): 64 images of 1 x 32 x 32 in [0, 1], the first 64
    test labels in order (the validation loader does not shuffle)."""
    batch = student.value("batch")
    require(isinstance(batch, (list, tuple)) and len(batch) == 2,
            f"batch at the end of 4.2 is {describe(batch)}; expected [X, y] from next(iter(data.val_dataloader()))")
    X = expect_tensor(batch[0], "the images of batch", shape=(64, 1, 32, 32))
    require(X.dtype == torch.float32 and float(X.min()) >= 0 and float(X.max()) <= 1,
            f"the images of batch are {X.dtype} in [{float(X.min()):.3g}, {float(X.max()):.3g}]; expected "
            "float32 in [0, 1] (transforms.ToTensor())")
    assert_close(batch[1], fashion_mnist_labels(offline_data, "test")[:64], tolerance("exact"),
                 name="the labels of batch (shuffle=train keeps the validation order)")
