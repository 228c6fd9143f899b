"""Wrong versions of 4.3 The base classification model."""
import torch

from reference.classifier import Classifier
from tests.wrong_book import mistake


class AccuracyWithoutReshape(Classifier):
    def accuracy(self, Y_hat, Y, averaged=True):
        preds = Y_hat.argmax(axis=1).type(Y.dtype)
        compare = (preds == Y.reshape(-1)).type(torch.float32)
        return compare.mean() if averaged else compare


class AccuracyCounts(Classifier):
    def accuracy(self, Y_hat, Y, averaged=True):
        Y_hat = Y_hat.reshape((-1, Y_hat.shape[-1]))
        compare = (Y_hat.argmax(axis=1).type(Y.dtype) == Y.reshape(-1)).type(torch.float32)
        return compare.sum() if averaged else compare


class AccuracyAlwaysAveraged(Classifier):
    def accuracy(self, Y_hat, Y, averaged=True):
        return super().accuracy(Y_hat, Y, averaged=True)


class ValidationPlotsAsTraining(Classifier):
    def validation_step(self, batch):
        Y_hat = self(*batch[:-1])
        self.plot('loss', self.loss(Y_hat, batch[-1]), train=True)
        self.plot('acc', self.accuracy(Y_hat, batch[-1]), train=True)


for cls in (AccuracyWithoutReshape, AccuracyCounts, AccuracyAlwaysAveraged, ValidationPlotsAsTraining):
    cls.__name__ = "Classifier"

MISTAKES = [
    mistake("accuracy_without_reshape", "accuracy", {"Classifier": AccuracyWithoutReshape},
            {"hidden/test_classifier::test_accuracy_three_axes"}, message="accuracy"),
    mistake("accuracy_counts", "accuracy", {"Classifier": AccuracyCounts}, {
        "hidden/test_classifier::test_accuracy_averaged", "hidden/test_classifier::test_accuracy_three_axes",
        "hidden/test_classifier::test_validation_step_plots_loss_and_accuracy",   # it plots the accuracy
    }, message="accuracy(Y_hat, Y)"),
    mistake("accuracy_always_averaged", "accuracy", {"Classifier": AccuracyAlwaysAveraged},
            {"hidden/test_classifier::test_accuracy_per_example"}, message="averaged=False"),
    mistake("validation_plots_as_training", "validation_step", {"Classifier": ValidationPlotsAsTraining},
            {"hidden/test_classifier::test_validation_step_plots_loss_and_accuracy"}, message="train=False"),
]
