"""Wrong versions of 5.2 Implementation of multilayer perceptrons."""
import torch
from d2l import torch as d2l
from torch import nn

from reference.mlp import MLP, MLPScratch
from tests.wrong_book import mistake


def relu_abs(X):
    return torch.abs(X)


class ScratchTransposed(MLPScratch):
    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        super().__init__(num_inputs, num_outputs, num_hiddens, lr, sigma)
        self.W1 = nn.Parameter(torch.randn(num_hiddens, num_inputs) * sigma)

    def forward(self, X):
        X = X.reshape((-1, self.num_inputs))
        return torch.relu(X @ self.W1.T + self.b1) @ self.W2 + self.b2


class ScratchSigmaIgnored(MLPScratch):
    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        super().__init__(num_inputs, num_outputs, num_hiddens, lr, sigma)
        self.W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens))


class ScratchWithoutRelu(MLPScratch):
    def forward(self, X):
        X = X.reshape((-1, self.num_inputs))
        return (X @ self.W1 + self.b1) @ self.W2 + self.b2


class ConciseWithoutRelu(d2l.Classifier):
    def __init__(self, num_outputs, num_hiddens, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Flatten(), nn.LazyLinear(num_hiddens), nn.LazyLinear(num_outputs))


class ConciseFixedWidth(d2l.Classifier):
    def __init__(self, num_outputs, num_hiddens, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Flatten(), nn.LazyLinear(128), nn.ReLU(), nn.LazyLinear(num_outputs))


class OneHiddenLayerOnly(d2l.Classifier):
    """Exercise 2 with the second width accepted but no second layer."""
    def __init__(self, num_outputs, num_hiddens1, num_hiddens2, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Flatten(), nn.LazyLinear(num_hiddens1), nn.ReLU(), nn.LazyLinear(num_outputs))


for cls in (ScratchTransposed, ScratchSigmaIgnored, ScratchWithoutRelu):
    cls.__name__ = "MLPScratch"
for cls in (ConciseWithoutRelu, ConciseFixedWidth):
    cls.__name__ = "MLP"
OneHiddenLayerOnly.__name__ = "MLP2"

MISTAKES = [
    mistake("relu_abs", "relu", {"relu": relu_abs},
            {"hidden/test_mlp::test_relu[matrix]", "hidden/test_mlp::test_relu[3-d]"}, message="relu(X)"),
    mistake("scratch_W1_transposed", "mlp_scratch", {"MLPScratch": ScratchTransposed}, {
        "hidden/test_mlp::test_scratch_parameter_shapes", "hidden/test_mlp::test_scratch_initialisation",
        "hidden/test_mlp::test_scratch_forward",
    }, message="model.W1"),
    mistake("scratch_sigma_ignored", "mlp_scratch", {"MLPScratch": ScratchSigmaIgnored},
            {"hidden/test_mlp::test_scratch_initialisation"}, message="standard deviation of model.W1"),
    mistake("scratch_without_relu", "mlp_scratch", {"MLPScratch": ScratchWithoutRelu},
            {"hidden/test_mlp::test_scratch_forward"}, message="model(X)"),
    mistake("concise_without_relu", "mlp", {"MLP": ConciseWithoutRelu},
            {"hidden/test_mlp::test_concise_forward"}, message="with its own weights"),
    mistake("concise_fixed_width", "mlp", {"MLP": ConciseFixedWidth},
            {"hidden/test_mlp::test_concise_layers", "hidden/test_mlp::test_concise_forward"}, message="shapes"),
    mistake("no_second_hidden_layer", "two_hidden_layers", {"MLP2": OneHiddenLayerOnly},
            {"hidden/test_mlp::test_two_hidden_layers"}, message="shapes"),
    mistake("model_not_trained", "mlp_training", {"model": MLP(num_outputs=10, num_hiddens=256, lr=0.1)},
            {"hidden/test_mlp::test_trained_model_accuracy"}, message="validation accuracy"),
]
