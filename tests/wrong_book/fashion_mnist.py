"""Wrong versions of 4.2 The image classification dataset."""
import torch
from d2l import torch as d2l

from grader import datasets
from reference.fashion_mnist import FashionMNIST
from tests.wrong_book import mistake


class TextLabelsShifted(FashionMNIST):
    def text_labels(self, indices):
        labels = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat',
                  'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']
        return [labels[int(i) - 1] for i in indices]


class VisualizeWithoutTextLabels(FashionMNIST):
    def visualize(self, batch, nrows=1, ncols=8, labels=[]):
        X, y = batch
        d2l.show_images(X.squeeze(1), nrows, ncols, titles=labels)


class VisualizeFixedGrid(FashionMNIST):
    def visualize(self, batch, nrows=1, ncols=8, labels=[]):
        X, y = batch
        if not labels:
            labels = self.text_labels(y)
        d2l.show_images(X.squeeze(1), 1, 8, titles=labels)


for cls in (TextLabelsShifted, VisualizeWithoutTextLabels, VisualizeFixedGrid):
    cls.__name__ = "FashionMNIST"


def _labels(split):
    files = datasets.fashion_mnist()
    return torch.from_numpy(datasets.read_idx(files.raw_dir / datasets.FILES[split, "labels"]).astype("int64"))


class _Split:
    def __init__(self, targets):
        self.targets = targets


class FashionMNISTBothTrain:
    """data whose val split was read with train=True."""
    def __init__(self):
        self.train, self.val, self.resize = _Split(_labels("train")), _Split(_labels("train")), (32, 32)


FashionMNISTBothTrain.__name__ = "FashionMNIST"
_shuffled = _labels("test")[:64][torch.randperm(64, generator=torch.Generator().manual_seed(0))]

MISTAKES = [
    mistake("text_labels_shifted", "text_labels", {"FashionMNIST": TextLabelsShifted}, {
        "hidden/test_fashion_mnist::test_text_labels_of_every_class",
        "hidden/test_fashion_mnist::test_text_labels_of_a_label_tensor",
        "hidden/test_fashion_mnist::test_visualize_titles_with_text_labels",
    }, message="text_labels("),
    mistake("visualize_without_text_labels", "visualize", {"FashionMNIST": VisualizeWithoutTextLabels},
            {"hidden/test_fashion_mnist::test_visualize_titles_with_text_labels"}, message="titled the images"),
    mistake("visualize_fixed_grid", "visualize", {"FashionMNIST": VisualizeFixedGrid},
            {"hidden/test_fashion_mnist::test_visualize_given_labels_and_grid"}, message="2 x 3"),
    mistake("val_read_with_train_true", "fashion_mnist_data", {"data": FashionMNISTBothTrain()},
            {"hidden/test_fashion_mnist::test_data_holds_both_splits"}, message="data.val"),
    mistake("val_loader_shuffles", "fashion_mnist_data", {"batch": [torch.rand(64, 1, 32, 32), _shuffled]},
            {"hidden/test_fashion_mnist::test_first_validation_batch"}, message="the labels of batch"),
]
