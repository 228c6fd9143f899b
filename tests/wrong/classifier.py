"""Wrong versions of the 4.3 exercises that real students could write."""
import torch
from d2l import torch as d2l

from reference.classifier import Classifier
from tests.wrong import mistake


class AccuracyNoReshape(Classifier):
    def accuracy(self, Y_hat, Y, averaged=True):
        preds = Y_hat.argmax(axis=1).type(Y.dtype)
        compare = (preds == Y).type(torch.float32)
        return compare.mean() if averaged else compare


class AccuracyCount(Classifier):
    def accuracy(self, Y_hat, Y, averaged=True):
        Y_hat = Y_hat.reshape((-1, Y_hat.shape[-1]))
        compare = (Y_hat.argmax(axis=1).type(Y.dtype) == Y.reshape(-1)).type(torch.float32)
        return compare.sum() if averaged else compare


class AccuracyBool(Classifier):
    def accuracy(self, Y_hat, Y, averaged=True):
        Y_hat = Y_hat.reshape((-1, Y_hat.shape[-1]))
        compare = Y_hat.argmax(axis=1).type(Y.dtype) == Y.reshape(-1)
        return compare.float().mean() if averaged else compare


class AccuracyArgmaxAxis0(Classifier):
    def accuracy(self, Y_hat, Y, averaged=True):
        Y_hat = Y_hat.reshape((-1, Y_hat.shape[-1]))
        compare = (Y_hat.argmax(axis=0).type(Y.dtype) == Y.reshape(-1)).type(torch.float32)
        return compare.mean() if averaged else compare


class ValidationStepLossOnly(Classifier):
    """The class without its own validation_step: d2l.Module's plots only the loss."""
    validation_step = d2l.Module.validation_step


class ValidationStepTrainTrue(Classifier):
    def validation_step(self, batch):
        Y_hat = self(*batch[:-1])
        self.plot('loss', self.loss(Y_hat, batch[-1]), train=True)
        self.plot('acc', self.accuracy(Y_hat, batch[-1]), train=True)


class ValidationStepFirstInput(Classifier):
    def validation_step(self, batch):
        X, Y = batch[0], batch[-1]
        Y_hat = self(X)
        self.plot('loss', self.loss(Y_hat, Y), train=False)
        self.plot('acc', self.accuracy(Y_hat, Y), train=False)


def exact_val_loss_floor(quick, last, n, batch_size):
    k = n // batch_size
    last_size = n - (k - 1) * batch_size
    return (batch_size * (k * quick - last) + last_size * last) / n


def exact_val_loss_remainder(quick, last, n, batch_size):
    k = -(-n // batch_size)
    last_size = n % batch_size
    return (batch_size * (k * quick - last) + last_size * last) / n


def exact_val_loss_padded_count(quick, last, n, batch_size):
    k = -(-n // batch_size)
    last_size = n - (k - 1) * batch_size
    return (batch_size * (k * quick - last) + last_size * last) / (k * batch_size)


def exact_val_loss_quick(quick, last, n, batch_size):
    return quick


def bayes_decision_transposed(loss_matrix, p):
    return (p @ loss_matrix.T.type(p.dtype)).argmin(dim=1)


def bayes_decision_argmax(loss_matrix, p):
    return (p @ loss_matrix.type(p.dtype)).argmax(dim=1)


def bayes_decision_most_likely(loss_matrix, p):
    return p.argmax(dim=1)


def bayes_decision_as_list(loss_matrix, p):
    return (p @ loss_matrix.type(p.dtype)).argmin(dim=1).tolist()


MISTAKES = [
    mistake("accuracy_no_reshape", "accuracy", {"Classifier": AccuracyNoReshape}, {
        "hidden/test_classifier::test_accuracy_extra_axes",
    }),
    mistake("accuracy_count", "accuracy", {"Classifier": AccuracyCount}, {
        "hidden/test_classifier::test_accuracy_averaged",
        "hidden/test_classifier::test_accuracy_extra_axes",
        "public/test_classifier::test_accuracy_book_example",
    }),
    mistake("accuracy_bool", "accuracy", {"Classifier": AccuracyBool}, {
        "hidden/test_classifier::test_accuracy_per_example",
    }, message="expected float32"),
    mistake("accuracy_argmax_axis0", "accuracy", {"Classifier": AccuracyArgmaxAxis0}, {
        "hidden/test_classifier::test_accuracy_averaged",
        "hidden/test_classifier::test_accuracy_extra_axes",
        "hidden/test_classifier::test_accuracy_one_example",
        "hidden/test_classifier::test_accuracy_per_example",
        "public/test_classifier::test_accuracy_book_example",
    }),
    mistake("validation_step_loss_only", "validation_step", {"Classifier": ValidationStepLossOnly}, {
        "hidden/test_classifier::test_validation_step_passes_every_input",
        "public/test_classifier::test_validation_step_plots_loss_and_accuracy",
    },
            message="expected 'loss' and 'acc'"),
    mistake("validation_step_train_true", "validation_step", {"Classifier": ValidationStepTrainTrue}, {
        "hidden/test_classifier::test_validation_step_passes_every_input",
        "public/test_classifier::test_validation_step_plots_loss_and_accuracy",
    },
            message="train=False"),
    mistake("validation_step_first_input", "validation_step", {"Classifier": ValidationStepFirstInput}, {
        "hidden/test_classifier::test_validation_step_passes_every_input",
    }),
    mistake("exact_val_loss_floor", "exact_val_loss", {"exact_val_loss": exact_val_loss_floor}, {
        "hidden/test_classifier::test_exact_val_loss[last-of-one]",
        "hidden/test_classifier::test_exact_val_loss[uneven]",
        "public/test_classifier::test_exact_val_loss_small_example",
    }),
    mistake("exact_val_loss_remainder", "exact_val_loss", {"exact_val_loss": exact_val_loss_remainder}, {
        "hidden/test_classifier::test_exact_val_loss[batch-size-one]",
        "hidden/test_classifier::test_exact_val_loss[even]",
    }),
    mistake("exact_val_loss_padded_count", "exact_val_loss", {"exact_val_loss": exact_val_loss_padded_count}, {
        "hidden/test_classifier::test_exact_val_loss[last-of-one]",
        "hidden/test_classifier::test_exact_val_loss[one-batch]",
        "hidden/test_classifier::test_exact_val_loss[uneven]",
        "public/test_classifier::test_exact_val_loss_small_example",
    }),
    mistake("exact_val_loss_quick", "exact_val_loss", {"exact_val_loss": exact_val_loss_quick}, {
        "hidden/test_classifier::test_exact_val_loss[last-of-one]",
        "hidden/test_classifier::test_exact_val_loss[uneven]",
        "public/test_classifier::test_exact_val_loss_small_example",
    }),
    mistake("bayes_decision_transposed", "bayes_decision", {"bayes_decision": bayes_decision_transposed}, {
        "hidden/test_classifier::test_bayes_decision_abstain",
        "hidden/test_classifier::test_bayes_decision_medical",
        "hidden/test_classifier::test_bayes_decision_one_example_float64",
        "hidden/test_classifier::test_bayes_decision_random_loss",
    }),
    mistake("bayes_decision_argmax", "bayes_decision", {"bayes_decision": bayes_decision_argmax}, {
        "hidden/test_classifier::test_bayes_decision_abstain",
        "hidden/test_classifier::test_bayes_decision_medical",
        "hidden/test_classifier::test_bayes_decision_one_example_float64",
        "hidden/test_classifier::test_bayes_decision_random_loss",
        "public/test_classifier::test_bayes_decision_zero_one_loss",
    }),
    mistake("bayes_decision_most_likely", "bayes_decision", {"bayes_decision": bayes_decision_most_likely}, {
        "hidden/test_classifier::test_bayes_decision_abstain",
        "hidden/test_classifier::test_bayes_decision_medical",
        "hidden/test_classifier::test_bayes_decision_random_loss",
    }),
    mistake("bayes_decision_as_list", "bayes_decision", {"bayes_decision": bayes_decision_as_list}, {
        "hidden/test_classifier::test_bayes_decision_abstain",
        "hidden/test_classifier::test_bayes_decision_medical",
        "hidden/test_classifier::test_bayes_decision_one_example_float64",
        "hidden/test_classifier::test_bayes_decision_random_loss",
        "hidden/test_classifier::test_bayes_decision_returns_int64",
        "public/test_classifier::test_bayes_decision_zero_one_loss",
    }),
]
