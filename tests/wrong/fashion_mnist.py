"""Wrong versions of the 4.2 exercises that real students could write."""
import time

import torch
import torchvision
from d2l import torch as d2l
from torchvision import transforms

from reference.fashion_mnist import FashionMNIST
from tests.wrong import mistake


class FashionMNISTSwappedSplits(FashionMNIST):
    """train=False for data.train and train=True for data.val."""
    def __init__(self, batch_size=64, resize=(28, 28)):
        d2l.DataModule.__init__(self)
        self.save_hyperparameters()
        trans = transforms.Compose([transforms.Resize(resize), transforms.ToTensor()])
        self.train = torchvision.datasets.FashionMNIST(root=self.root, train=False, transform=trans, download=True)
        self.val = torchvision.datasets.FashionMNIST(root=self.root, train=True, transform=trans, download=True)


class FashionMNISTNormalized(FashionMNIST):
    """Normalises to [-1, 1] as many tutorials do, which the book does not."""
    def __init__(self, batch_size=64, resize=(28, 28)):
        d2l.DataModule.__init__(self)
        self.save_hyperparameters()
        trans = transforms.Compose([transforms.Resize(resize), transforms.ToTensor(),
                                    transforms.Normalize((0.5,), (0.5,))])
        self.train = torchvision.datasets.FashionMNIST(root=self.root, train=True, transform=trans, download=True)
        self.val = torchvision.datasets.FashionMNIST(root=self.root, train=False, transform=trans, download=True)


class FashionMNISTIgnoresResize(FashionMNIST):
    """Forgets transforms.Resize: images stay 28 x 28."""
    def __init__(self, batch_size=64, resize=(28, 28)):
        d2l.DataModule.__init__(self)
        self.save_hyperparameters()
        trans = transforms.ToTensor()
        self.train = torchvision.datasets.FashionMNIST(root=self.root, train=True, transform=trans, download=True)
        self.val = torchvision.datasets.FashionMNIST(root=self.root, train=False, transform=trans, download=True)


class FashionMNISTShufflesAll(FashionMNIST):
    def get_dataloader(self, train):
        data = self.train if train else self.val
        return torch.utils.data.DataLoader(data, self.batch_size, shuffle=True, num_workers=self.num_workers)


class FashionMNISTFixedBatch(FashionMNIST):
    def get_dataloader(self, train):
        data = self.train if train else self.val
        return torch.utils.data.DataLoader(data, 64, shuffle=train, num_workers=self.num_workers)


class FashionMNISTNoTextLabels(FashionMNIST):
    """S1's notebook: text_labels was never added to the class."""
    def __getattribute__(self, name):
        if name == "text_labels":
            raise AttributeError(f"'{type(self).__name__}' object has no attribute 'text_labels'")
        return super().__getattribute__(name)


class FashionMNISTNoSqueeze(FashionMNIST):
    def visualize(self, batch, nrows=1, ncols=8, labels=[]):
        X, y = batch
        if not labels:
            labels = self.text_labels(y)
        d2l.show_images(X, nrows, ncols, titles=labels)


class FashionMNISTIgnoresLabels(FashionMNIST):
    def visualize(self, batch, nrows=1, ncols=8, labels=[]):
        X, y = batch
        d2l.show_images(X.squeeze(1), nrows, ncols, titles=self.text_labels(y))


def reading_time_string(data):
    tic = time.time()
    for X, y in data.train_dataloader():
        continue
    return f'{time.time() - tic:.2f} sec'


def reading_time_one_batch(data):
    tic = time.time()
    X, y = next(iter(data.train_dataloader()))
    return time.time() - tic


MISTAKES = [
    mistake("fashion_mnist_swapped_splits", "fashion_mnist", {"FashionMNIST": FashionMNISTSwappedSplits}, {
        "hidden/test_fashion_mnist::test_fashion_mnist_images",
        "hidden/test_fashion_mnist::test_fashion_mnist_loaders_use_the_right_split",
        "hidden/test_fashion_mnist::test_fashion_mnist_sizes",
        "public/test_fashion_mnist::test_fashion_mnist_book_example",
    }),
    mistake("fashion_mnist_normalized", "fashion_mnist", {"FashionMNIST": FashionMNISTNormalized}, {
        "hidden/test_fashion_mnist::test_fashion_mnist_images",
        "hidden/test_fashion_mnist::test_fashion_mnist_minibatch",
    },
            message="in [0, 1]"),
    mistake("fashion_mnist_ignores_resize", "fashion_mnist", {"FashionMNIST": FashionMNISTIgnoresResize}, {
        "hidden/test_fashion_mnist::test_fashion_mnist_images",
        "hidden/test_fashion_mnist::test_fashion_mnist_minibatch",
        "public/test_fashion_mnist::test_fashion_mnist_book_example",
    }),
    mistake("fashion_mnist_shuffles_validation", "fashion_mnist", {"FashionMNIST": FashionMNISTShufflesAll}, {
        "hidden/test_fashion_mnist::test_fashion_mnist_loaders_use_the_right_split",
    }),
    mistake("fashion_mnist_fixed_batch_size", "fashion_mnist", {"FashionMNIST": FashionMNISTFixedBatch}, {
        "hidden/test_fashion_mnist::test_fashion_mnist_batch_size_and_resize",
    }),
    mistake("text_labels_missing", "text_labels", {"FashionMNIST": FashionMNISTNoTextLabels}, {
        "hidden/test_fashion_mnist::test_text_labels_all_classes",
        "hidden/test_fashion_mnist::test_text_labels_of_a_tensor",
        "public/test_fashion_mnist::test_text_labels_book_example",
    },
            message="text_labels"),
    mistake("visualize_without_text_labels", "visualize", {"FashionMNIST": FashionMNISTNoTextLabels}, {
        "hidden/test_fashion_mnist::test_visualize_grid",
        "public/test_fashion_mnist::test_visualize_titles_images_with_their_labels",
    },
            message="text_labels"),
    mistake("visualize_no_squeeze", "visualize", {"FashionMNIST": FashionMNISTNoSqueeze}, {
        "hidden/test_fashion_mnist::test_visualize_grid",
        "public/test_fashion_mnist::test_visualize_titles_images_with_their_labels",
    }),
    mistake("visualize_ignores_labels", "visualize", {"FashionMNIST": FashionMNISTIgnoresLabels}, {
        "hidden/test_fashion_mnist::test_visualize_given_labels",
    }),
    mistake("reading_time_string", "reading_time", {"reading_time": reading_time_string}, {
        "hidden/test_fashion_mnist::test_reading_time_times_a_whole_pass",
        "public/test_fashion_mnist::test_reading_time_returns_seconds",
    },
            message="not a formatted string"),
    mistake("reading_time_one_batch", "reading_time", {"reading_time": reading_time_one_batch}, {
        "hidden/test_fashion_mnist::test_reading_time_times_a_whole_pass",
    },
            message="must time one whole pass"),
]
