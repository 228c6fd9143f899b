"""Public checks for 4.2: run them with `grader check`."""
import pytest
import torch

from grader import datasets
from grader.bookcode import READING_TIME, visualize_once
from grader.bookcode.classification import BOOK_FASHION_MNIST, TEXT_LABELS
from grader.testing import assert_close, require, expect_tensor, generator

pytestmark = pytest.mark.usefixtures("offline_data")


@pytest.mark.exercise("fashion_mnist")
@pytest.mark.points(0.5)
def test_fashion_mnist_book_example(student, offline_data):
    """FashionMNIST(resize=(32, 32)): the sizes of both splits and one image of shape (1, 32, 32)."""
    sizes, image = student.run(BOOK_FASHION_MNIST, label="FashionMNIST(resize=(32, 32))")
    require(tuple(sizes) == (offline_data.train_size, offline_data.test_size),
          f"len(data.train), len(data.val) are {tuple(sizes)}; the files hold "
          f"{offline_data.train_size} training and {offline_data.test_size} test images")
    expect_tensor(image, "data.train[0][0]", shape=(1, 32, 32))


@pytest.mark.exercise("text_labels")
@pytest.mark.points(0.5)
def test_text_labels_book_example(student, tolerance):
    """text_labels([0, 9]) gives ['t-shirt', 'ankle boot']."""
    got = student.run(TEXT_LABELS, labels=[0, 9], label="data.text_labels([0, 9])")
    assert_close(got, ["t-shirt", "ankle boot"], tolerance("exact"), name="data.text_labels([0, 9])")


@pytest.mark.exercise("visualize")
@pytest.mark.points(0.5)
def test_visualize_titles_images_with_their_labels(student):
    """visualize((X, y)) passes the 8 images, as (8, 32, 32), to d2l.show_images with their text labels."""
    g = generator("public visualize")
    X, y = torch.rand(8, 1, 32, 32, generator=g), torch.randint(0, 10, (8,), generator=g)
    call = visualize_once(student, X, y)
    expect_tensor(call["imgs"], "the images visualize passes to d2l.show_images", shape=(8, 32, 32))
    expected = [datasets.TEXT_LABELS[int(i)] for i in y]
    require(call["titles"] == expected,
          f"visualize titled the images {call['titles']}; expected the text labels {expected}")


@pytest.mark.exercise("reading_time")
@pytest.mark.points(0.5)
def test_reading_time_returns_seconds(student):
    """reading_time(data) returns the seconds of one pass as a positive number."""
    student.needs("reading_time")
    seconds = student.run(READING_TIME, batch_size=256, label="reading_time(data)")
    require(isinstance(seconds, (int, float)) and not isinstance(seconds, bool),
          f"reading_time(data) returned a {type(seconds).__name__}; return the elapsed seconds as a float "
          "(time.time() - tic), not a formatted string")
    require(0 < seconds < 3600, "reading_time(data) returned a number that is not the seconds one pass took "
          "(it should be above 0 and below an hour): return the end time minus the start time")
