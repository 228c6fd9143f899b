"""Public checks for 4.2: run them with `grader check`."""
import os

import pytest
import torch

from grader import datasets
from grader.testing import assert_close, check, expect_tensor, generator


@pytest.fixture(autouse=True)
def offline_data(tmp_path, monkeypatch):
    """Run in a folder whose ../data/FashionMNIST/raw holds the offline files, as the grader's
    kernel does; code running in this process (`grader check`) then finds them too."""
    files = datasets.fashion_mnist()
    raw = tmp_path / "data" / "FashionMNIST" / "raw"
    raw.parent.mkdir(parents=True)
    os.symlink(files.raw_dir, raw, target_is_directory=True)
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    return files


@pytest.mark.exercise("fashion_mnist")
@pytest.mark.points(0.5)
def test_fashion_mnist_book_example(student, offline_data):
    """FashionMNIST(resize=(32, 32)): the sizes of both splits and one image of shape (1, 32, 32)."""
    sizes, image = student.run("data = FashionMNIST(resize=(32, 32))\n"
                               "(len(data.train), len(data.val)), data.train[0][0]",
                               label="FashionMNIST(resize=(32, 32))")
    check(tuple(sizes) == (offline_data.train_size, offline_data.test_size),
          f"len(data.train), len(data.val) are {tuple(sizes)}; the files hold "
          f"{offline_data.train_size} training and {offline_data.test_size} test images")
    expect_tensor(image, "data.train[0][0]", shape=(1, 32, 32))


@pytest.mark.exercise("text_labels")
@pytest.mark.points(0.5)
def test_text_labels_book_example(student, tolerance):
    """text_labels([0, 9]) gives ['t-shirt', 'ankle boot']."""
    got = student.run("FashionMNIST(resize=(32, 32)).text_labels([0, 9])", label="data.text_labels([0, 9])")
    assert_close(got, ["t-shirt", "ankle boot"], tolerance("exact"), name="data.text_labels([0, 9])")


VISUALIZE = """
from d2l import torch as d2l
calls = []
def capture(imgs, num_rows, num_cols, titles=None, scale=1.5):
    calls.append({"imgs": imgs, "num_rows": num_rows, "num_cols": num_cols,
                  "titles": None if titles is None else list(titles)})
original = d2l.show_images
d2l.show_images = capture
try:
    FashionMNIST(resize=(32, 32)).visualize((X, y))
finally:
    d2l.show_images = original
calls
"""


@pytest.mark.exercise("visualize")
@pytest.mark.points(0.5)
def test_visualize_titles_images_with_their_labels(student):
    """visualize((X, y)) passes the 8 images, as (8, 32, 32), to d2l.show_images with their text labels."""
    g = generator("public visualize")
    X, y = torch.rand(8, 1, 32, 32, generator=g), torch.randint(0, 10, (8,), generator=g)
    calls = student.run(VISUALIZE, X=X, y=y, label="data.visualize((X, y))")
    check(len(calls) == 1, f"data.visualize((X, y)) called d2l.show_images {len(calls)} times; expected once")
    expect_tensor(calls[0]["imgs"], "the images visualize passes to d2l.show_images", shape=(8, 32, 32))
    expected = [datasets.TEXT_LABELS[int(i)] for i in y]
    check(calls[0]["titles"] == expected,
          f"visualize titled the images {calls[0]['titles']}; expected the text labels {expected}")


READING = """
import torch
import torchvision
from d2l import torch as d2l

class Reader(d2l.DataModule):
    \"\"\"Fashion-MNIST's training images, already decoded into one tensor.\"\"\"
    def __init__(self, batch_size):
        super().__init__(num_workers=0)
        self.batch_size = batch_size
        train = torchvision.datasets.FashionMNIST(root=self.root, train=True, download=False)
        self.train = torch.utils.data.TensorDataset(train.data.unsqueeze(1).float() / 255, train.targets)

    def get_dataloader(self, train):
        return torch.utils.data.DataLoader(self.train, self.batch_size, shuffle=train,
                                           num_workers=self.num_workers)

reading_time(Reader(batch_size))
"""


@pytest.mark.exercise("reading_time")
@pytest.mark.points(0.5)
def test_reading_time_returns_seconds(student):
    """reading_time(data) returns the seconds of one pass as a positive number."""
    seconds = student.run(READING, batch_size=256, label="reading_time(data)")
    check(isinstance(seconds, (int, float)) and not isinstance(seconds, bool),
          f"reading_time(data) returned {seconds!r}; return the elapsed seconds as a float "
          "(time.time() - tic), not a formatted string")
    check(0 < seconds < 3600, f"reading_time(data) returned {seconds:g}; expected the seconds one pass "
          "took (end time minus start time)")
