"""Reference solutions for 4.2 The image classification dataset (Fashion-MNIST)."""
from __future__ import annotations

import time

import torch
from d2l import torch as d2l


class FashionMNIST(d2l.DataModule):
    """The Fashion-MNIST dataset, read from ``root`` (the book's ``../data``)."""

    def __init__(self, batch_size=64, resize=(28, 28)):
        import torchvision
        from torchvision import transforms
        super().__init__()
        self.save_hyperparameters()
        trans = transforms.Compose([transforms.Resize(resize), transforms.ToTensor()])
        self.train = torchvision.datasets.FashionMNIST(
            root=self.root, train=True, transform=trans, download=True)
        self.val = torchvision.datasets.FashionMNIST(
            root=self.root, train=False, transform=trans, download=True)

    def text_labels(self, indices):
        """Return text labels."""
        labels = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat',
                  'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']
        return [labels[int(i)] for i in indices]

    def get_dataloader(self, train):
        data = self.train if train else self.val
        return torch.utils.data.DataLoader(data, self.batch_size, shuffle=train,
                                           num_workers=self.num_workers)

    def visualize(self, batch, nrows=1, ncols=8, labels=[]):
        X, y = batch
        if not labels:
            labels = self.text_labels(y)
        d2l.show_images(X.squeeze(1), nrows, ncols, titles=labels)


def reading_time(data):
    """Seconds one pass over ``data.train_dataloader()`` takes (exercise 1 of 4.2)."""
    tic = time.time()
    for X, y in data.train_dataloader():
        continue
    return time.time() - tic
