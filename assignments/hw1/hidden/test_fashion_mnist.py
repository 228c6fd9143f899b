"""Hidden tests for 4.2 The image classification dataset (Fashion-MNIST).

The data come from the offline IDX files only. Expected sizes and labels are read from the
files by the grader (grader.datasets), never taken from the kernel.
"""
import math

import pytest
import torch

from grader import datasets
from grader.bookcode import READING_TIME, fashion_mnist_labels, visualize_once
from grader.bookcode.classification import (FASHION_MNIST, FIRST_EXAMPLES, FIRST_TRAIN_MINIBATCH,
                                            FIRST_VAL_MINIBATCH, LOADER_SIZES, SPLIT_SIZES,
                                            TEXT_LABELS)
from grader.testing import assert_close, require, expect_tensor, generator

pytestmark = pytest.mark.usefixtures("offline_data")


def make_data(student, **options):
    """The notebook's FashionMNIST(**options), kept in the kernel (resize=(32, 32) by default)."""
    options = options or {"resize": (32, 32)}
    call = f"FashionMNIST({', '.join(f'{k}={v!r}' for k, v in options.items())})"
    return student.run(FASHION_MNIST, options=options, keep=True, label=call)


# ---------------------------------------------------------------- fashion_mnist

@pytest.mark.exercise("fashion_mnist")
@pytest.mark.points(0.5)
def test_fashion_mnist_sizes(student, offline_data):
    """data.train and data.val hold every training and test image of the files."""
    data = make_data(student)
    sizes = student.run(SPLIT_SIZES, data=data, label="len(data.train), len(data.val)")
    require(tuple(sizes) == (offline_data.train_size, offline_data.test_size),
          f"len(data.train), len(data.val) are {tuple(sizes)}; expected {offline_data.train_size} "
          f"training and {offline_data.test_size} test images: train=True for data.train, "
          "train=False for data.val")


@pytest.mark.exercise("fashion_mnist")
@pytest.mark.points(0.5)
def test_fashion_mnist_images(student, reference, tolerance):
    """The first test image, resized to 32 x 32: float32 pixels in [0, 1] equal to the reference's."""
    data = make_data(student)
    first_val, first_train = student.run(FIRST_EXAMPLES, data=data, label="data.val[0]")
    image = expect_tensor(first_val[0], "data.val[0][0]", shape=(1, 32, 32))
    require(image.dtype == torch.float32, f"data.val[0][0] has dtype {str(image.dtype).replace('torch.', '')}; "
          "expected float32 (transforms.ToTensor())")
    require(0 <= float(image.min()) and float(image.max()) <= 1,
          f"data.val[0][0] has pixels between {float(image.min()):.3g} and {float(image.max()):.3g}; "
          "ToTensor() gives values in [0, 1] (no normalisation here)")
    expected = reference.FashionMNIST(resize=(32, 32)).val[0]
    assert_close(image, expected[0], tolerance("fashion_mnist_pixels"), name="data.val[0][0]")
    require(int(first_val[1]) == int(expected[1]), f"data.val[0] has label {first_val[1]!r}; the first test "
          f"image's label is {int(expected[1])}")
    expect_tensor(first_train[0], "data.train[0][0]", shape=(1, 32, 32))


@pytest.mark.exercise("fashion_mnist")
@pytest.mark.points(0.5)
def test_fashion_mnist_minibatch(student):
    """A training minibatch: X (64, 1, 32, 32) float32 in [0, 1], y (64,) int64."""
    data = make_data(student)
    X, y = student.run(FIRST_TRAIN_MINIBATCH, data=data, label="next(iter(data.train_dataloader()))")
    X = expect_tensor(X, "X of a training minibatch", shape=(64, 1, 32, 32))
    y = expect_tensor(y, "y of a training minibatch", shape=(64,))
    require(X.dtype == torch.float32 and 0 <= float(X.min()) and float(X.max()) <= 1,
          "X of a training minibatch must be float32 with values in [0, 1]")
    require(y.dtype == torch.int64, f"y of a training minibatch has dtype {str(y.dtype).replace('torch.', '')}; "
          "expected int64 labels")


@pytest.mark.exercise("fashion_mnist")
@pytest.mark.points(0.5)
def test_fashion_mnist_batch_size_and_resize(student):
    """FashionMNIST(batch_size=16, resize=(28, 28)) gives validation minibatches of shape (16, 1, 28, 28)."""
    data = make_data(student, batch_size=16, resize=(28, 28))
    X, y = student.run(FIRST_VAL_MINIBATCH, data=data, label="next(iter(data.val_dataloader()))")
    expect_tensor(X, "X of a validation minibatch with batch_size=16, resize=(28, 28)", shape=(16, 1, 28, 28))
    expect_tensor(y, "y of a validation minibatch with batch_size=16", shape=(16,))


@pytest.mark.exercise("fashion_mnist")
@pytest.mark.points(0.5)
def test_fashion_mnist_loaders_use_the_right_split(student, tolerance, offline_data):
    """The training loader covers data.train; the validation loader covers data.val in file order."""
    data = make_data(student)
    n_train, n_val, y = student.run(LOADER_SIZES, data=data, label="data.train_dataloader(), data.val_dataloader()")
    expected = (math.ceil(offline_data.train_size / 64), math.ceil(offline_data.test_size / 64))
    require((n_train, n_val) == expected,
          f"the training and validation loaders have {n_train} and {n_val} minibatches of 64; expected "
          f"{expected[0]} and {expected[1]}: get_dataloader(train) must use data.train when train is true "
          "and data.val otherwise")
    y = expect_tensor(y, "the labels of the first validation minibatch", shape=(64,))
    assert_close(y, fashion_mnist_labels(offline_data, "test")[:64], tolerance("exact"),
                 name="the labels of the first validation minibatch (validation data are not shuffled)")


# ---------------------------------------------------------------- text_labels

@pytest.mark.exercise("text_labels")
@pytest.mark.points(0.25)
def test_text_labels_all_classes(student, tolerance):
    """All ten labels, in order."""
    got = student.run(TEXT_LABELS, labels=list(range(10)), label="data.text_labels(range(10))")
    assert_close(got, list(datasets.TEXT_LABELS), tolerance("exact"), name="data.text_labels(range(10))")


@pytest.mark.exercise("text_labels")
@pytest.mark.points(0.25)
def test_text_labels_of_a_tensor(student, tolerance):
    """Labels given as an int64 tensor (as y of a minibatch), with repeats."""
    y = torch.tensor([3, 8, 3, 1, 6])
    got = student.run(TEXT_LABELS, labels=y, label="data.text_labels(y)")
    assert_close(got, [datasets.TEXT_LABELS[i] for i in y.tolist()], tolerance("exact"),
                 name="data.text_labels(y) for y = tensor([3, 8, 3, 1, 6])")


# ---------------------------------------------------------------- visualize

@pytest.mark.exercise("visualize")
@pytest.mark.points(0.25)
def test_visualize_given_labels(student):
    """Labels passed to visualize are used as titles instead of the text labels."""
    g = generator("visualize labels")
    X, y = torch.rand(4, 1, 32, 32, generator=g), torch.randint(0, 10, (4,), generator=g)
    labels = ["a\nb", "c\nd", "e\nf", "g\nh"]
    call = visualize_once(student, X, y, nrows=1, ncols=4, labels=labels)
    require(call["titles"] == labels, f"visualize(batch, labels=...) titled the images {call['titles']}; "
          f"expected the given labels {labels}")


@pytest.mark.exercise("visualize")
@pytest.mark.points(0.25)
def test_visualize_grid(student):
    """nrows and ncols reach d2l.show_images, with the channel axis squeezed away."""
    g = generator("visualize grid")
    X, y = torch.rand(6, 1, 32, 32, generator=g), torch.randint(0, 10, (6,), generator=g)
    call = visualize_once(student, X, y, nrows=2, ncols=3)
    require((call["num_rows"], call["num_cols"]) == (2, 3),
          f"visualize(batch, nrows=2, ncols=3) asked d2l.show_images for a {call['num_rows']} x "
          f"{call['num_cols']} grid; expected 2 x 3")
    expect_tensor(call["imgs"], "the images visualize passes to d2l.show_images", shape=(6, 32, 32))


# ---------------------------------------------------------------- reading_time

@pytest.mark.exercise("reading_time")
@pytest.mark.points(1.5)
def test_reading_time_times_a_whole_pass(student, source):
    """reading_time reads a clock, loops over data.train_dataloader() and reads the clock again
    (from the notebook's source), and returns positive seconds. Whether batch size 1 reads
    slower is asked in words (reader_speed): a timing here would depend on the machine's load."""
    usage = source.usage("reading_time")
    require(not usage.dynamic, f"reading_time uses {', '.join(sorted(usage.dynamic))}, so the grader cannot "
            "tell from its source what it times; write it plainly, as the book's timing loop")
    passes = [over for over in source.timed_loops("reading_time") if over.endswith(".train_dataloader")]
    require(passes, "reading_time must time one whole pass: read a clock (tic = time.time()), loop over "
            "data.train_dataloader() with a for loop, and read the clock again after the loop")
    seconds = student.run(READING_TIME, batch_size=256, label="reading_time(data)")
    # The messages never quote the value: it is a time, and a message must not depend on the clock.
    require(isinstance(seconds, (int, float)) and not isinstance(seconds, bool),
            f"reading_time(data) returned a {type(seconds).__name__}; return the elapsed seconds as a float")
    require(0 < seconds < 3600, "reading_time(data) returned a number that is not the seconds one pass took "
            "(it should be above 0 and below an hour): return the end time minus the start time")
