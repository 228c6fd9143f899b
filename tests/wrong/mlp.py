"""Wrong versions of the 5.2 exercises that real students could write."""
import torch
from d2l import torch as d2l
from torch import nn

from tests.wrong import mistake


def relu_in_place(X):
    X[X < 0] = 0
    return X


def relu_elementwise_loop(X):
    # One element at a time; torch.stack of an empty list raises for an empty X.
    return torch.stack([torch.max(v, torch.zeros_like(v)) for v in X.reshape(-1)]).reshape(X.shape)


def relu_mask(X):
    return (X > 0).to(X.dtype)


class MLPScratchZeroInit(d2l.Classifier):
    """Weights initialised to zeros: every hidden unit stays identical and, with ReLU,
    gets no gradient at all."""

    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        super().__init__()
        self.save_hyperparameters()
        self.W1 = nn.Parameter(torch.zeros(num_inputs, num_hiddens))
        self.b1 = nn.Parameter(torch.zeros(num_hiddens))
        self.W2 = nn.Parameter(torch.zeros(num_hiddens, num_outputs))
        self.b2 = nn.Parameter(torch.zeros(num_outputs))

    def forward(self, X):
        X = X.reshape((-1, self.num_inputs))
        H = torch.relu(torch.matmul(X, self.W1) + self.b1)
        return torch.matmul(H, self.W2) + self.b2


class MLPScratchPlainTensors(d2l.Classifier):
    """Weights made with requires_grad=True but not wrapped in nn.Parameter: the optimizer
    never sees them."""

    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        super().__init__()
        self.save_hyperparameters()
        self.W1 = torch.randn(num_inputs, num_hiddens, requires_grad=True) * sigma
        self.b1 = nn.Parameter(torch.zeros(num_hiddens))
        self.W2 = torch.randn(num_hiddens, num_outputs, requires_grad=True) * sigma
        self.b2 = nn.Parameter(torch.zeros(num_outputs))

    def forward(self, X):
        X = X.reshape((-1, self.num_inputs))
        H = torch.relu(torch.matmul(X, self.W1) + self.b1)
        return torch.matmul(H, self.W2) + self.b2


MISTAKES = []


class MLPScratchNoRelu(d2l.Classifier):
    """Forgets the activation: two stacked linear layers."""

    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        super().__init__()
        self.save_hyperparameters()
        self.W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens) * sigma)
        self.b1 = nn.Parameter(torch.zeros(num_hiddens))
        self.W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs) * sigma)
        self.b2 = nn.Parameter(torch.zeros(num_outputs))

    def forward(self, X):
        X = X.reshape((-1, self.num_inputs))
        return torch.matmul(torch.matmul(X, self.W1) + self.b1, self.W2) + self.b2


class MLPScratchNoReshape(MLPScratchNoRelu):
    """Forgets to flatten the images."""

    def forward(self, X):
        H = torch.relu(torch.matmul(X, self.W1) + self.b1)
        return torch.matmul(H, self.W2) + self.b2


class MLPScratchNoSigma(MLPScratchNoRelu):
    """Standard normal weights: sigma is accepted but never used."""

    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        super().__init__(num_inputs, num_outputs, num_hiddens, lr, sigma)
        self.W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens))
        self.W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs))

    def forward(self, X):
        X = X.reshape((-1, self.num_inputs))
        H = torch.relu(torch.matmul(X, self.W1) + self.b1)
        return torch.matmul(H, self.W2) + self.b2


class MLPScratchDetachedHidden(MLPScratchNoSigma):
    """Detaches the hidden layer (e.g. to plot it): W1 and b1 never get gradients."""

    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        MLPScratchNoRelu.__init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma)

    def forward(self, X):
        X = X.reshape((-1, self.num_inputs))
        H = torch.relu(torch.matmul(X, self.W1) + self.b1).detach()
        return torch.matmul(H, self.W2) + self.b2


class MLPScratchImageReshape(MLPScratchNoSigma):
    """Flattens with the image's own dimensions, so flat (B, 784) input breaks."""

    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        MLPScratchNoRelu.__init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma)

    def forward(self, X):
        X = X.reshape(X.shape[0], X.shape[2] * X.shape[3])
        H = torch.relu(torch.matmul(X, self.W1) + self.b1)
        return torch.matmul(H, self.W2) + self.b2


class MLPNoFlatten(d2l.Classifier):
    def __init__(self, num_outputs, num_hiddens, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.LazyLinear(num_hiddens), nn.ReLU(), nn.LazyLinear(num_outputs))


class MLPNoRelu(d2l.Classifier):
    def __init__(self, num_outputs, num_hiddens, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Flatten(), nn.LazyLinear(num_hiddens), nn.LazyLinear(num_outputs))


class MLP2OneRelu(d2l.Classifier):
    """Two hidden layers but only one ReLU: the second hidden layer is linear."""

    def __init__(self, num_outputs, num_hiddens1, num_hiddens2, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Flatten(), nn.LazyLinear(num_hiddens1), nn.ReLU(),
                                 nn.LazyLinear(num_hiddens2), nn.LazyLinear(num_outputs))


class MLP2SwappedWidths(d2l.Classifier):
    def __init__(self, num_outputs, num_hiddens1, num_hiddens2, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Flatten(), nn.LazyLinear(num_hiddens2), nn.ReLU(),
                                 nn.LazyLinear(num_hiddens1), nn.ReLU(), nn.LazyLinear(num_outputs))


class MLP2NoFlatten(d2l.Classifier):
    def __init__(self, num_outputs, num_hiddens1, num_hiddens2, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.LazyLinear(num_hiddens1), nn.ReLU(), nn.LazyLinear(num_hiddens2),
                                 nn.ReLU(), nn.LazyLinear(num_outputs))


MISTAKES += [
    mistake("relu_in_place", "relu", {"relu": relu_in_place}, {
        "hidden/test_mlp::test_relu_leaves_its_input_alone",
    }, message="changed X itself"),
    mistake("relu_mask", "relu", {"relu": relu_mask}, {
        "public/test_mlp::test_relu_small_example",
        "hidden/test_mlp::test_relu_matches_max_with_zero[3d-float64]",
        "hidden/test_mlp::test_relu_matches_max_with_zero[int64]",
        "hidden/test_mlp::test_relu_matches_max_with_zero[wide-float32]",
    }, message="relu(X)"),
    mistake("mlp_scratch_plain_tensors", "mlp_scratch", {"MLPScratch": MLPScratchPlainTensors}, {
        "public/test_mlp::test_mlp_scratch_book_shapes",
        "hidden/test_mlp::test_mlp_scratch_forward_matches_formula[batch]",
        "hidden/test_mlp::test_mlp_scratch_forward_matches_formula[one]",
        "hidden/test_mlp::test_mlp_scratch_gradients_reach_every_parameter",
        "hidden/test_mlp::test_mlp_scratch_initial_values[default]",
        "hidden/test_mlp::test_mlp_scratch_initial_values[sigma-0.1]",
        "hidden/test_mlp::test_mlp_scratch_parameter_shapes[book]",
        "hidden/test_mlp::test_mlp_scratch_parameter_shapes[small]",
    }, message="nn.Parameter"),
    mistake("mlp_scratch_no_relu", "mlp_scratch", {"MLPScratch": MLPScratchNoRelu}, {
        "hidden/test_mlp::test_mlp_scratch_forward_matches_formula[batch]",
        "hidden/test_mlp::test_mlp_scratch_forward_matches_formula[one]",
        "hidden/test_mlp::test_mlp_scratch_gradients_reach_every_parameter",
    }, message="MLPScratch(...)(X) with the check's weights"),
    mistake("mlp_scratch_no_reshape", "mlp_scratch", {"MLPScratch": MLPScratchNoReshape}, {
        "hidden/test_mlp::test_mlp_scratch_forward_matches_formula[batch]",
        "hidden/test_mlp::test_mlp_scratch_forward_matches_formula[one]",
        "hidden/test_mlp::test_mlp_scratch_gradients_reach_every_parameter",
        "hidden/test_mlp::test_mlp_scratch_output_shape[images]",
        "hidden/test_mlp::test_mlp_scratch_output_shape[one]",
    }),
    mistake("mlp_scratch_no_sigma", "mlp_scratch", {"MLPScratch": MLPScratchNoSigma}, {
        "hidden/test_mlp::test_mlp_scratch_initial_values[default]",
        "hidden/test_mlp::test_mlp_scratch_initial_values[sigma-0.1]",
    }, message="standard deviation of W1"),
    mistake("mlp_scratch_detached_hidden", "mlp_scratch", {"MLPScratch": MLPScratchDetachedHidden}, {
        "hidden/test_mlp::test_mlp_scratch_gradients_reach_every_parameter",
    }, message="MLPScratch.W1.grad is None"),
    mistake("mlp_scratch_zero_init", "mlp_scratch_training", {"MLPScratch": MLPScratchZeroInit}, {
        "public/test_mlp::test_mlp_scratch_loss_goes_down",
        "hidden/test_mlp::test_mlp_scratch_training_reaches_accuracy",
    }, message="validation accuracy"),
    mistake("mlp_no_flatten", "mlp_concise", {"MLP": MLPNoFlatten}, {
        "public/test_mlp::test_mlp_book_output_shape",
        "hidden/test_mlp::test_mlp_equals_scratch_with_copied_weights[batch]",
        "hidden/test_mlp::test_mlp_equals_scratch_with_copied_weights[one]",
        "hidden/test_mlp::test_mlp_layer_shapes",
        "hidden/test_mlp::test_mlp_output_shape[images]",
        "hidden/test_mlp::test_mlp_output_shape[one]",
    }),
    mistake("mlp_no_relu", "mlp_concise", {"MLP": MLPNoRelu}, {
        "hidden/test_mlp::test_mlp_equals_scratch_with_copied_weights[batch]",
        "hidden/test_mlp::test_mlp_equals_scratch_with_copied_weights[one]",
    }, message="with MLPScratch's weights"),
    mistake("mlp2_one_relu", "mlp2", {"MLP2": MLP2OneRelu}, {
        "hidden/test_mlp::test_mlp2_forward_with_copied_weights[batch]",
        "hidden/test_mlp::test_mlp2_forward_with_copied_weights[one]",
    }, message="MLP2(...)(X)"),
    mistake("mlp2_swapped_widths", "mlp2", {"MLP2": MLP2SwappedWidths}, {
        "hidden/test_mlp::test_mlp2_forward_with_copied_weights[batch]",
        "hidden/test_mlp::test_mlp2_forward_with_copied_weights[one]",
        "hidden/test_mlp::test_mlp2_layer_shapes",
    }, message="weight shapes"),
    mistake("relu_elementwise_loop", "relu", {"relu": relu_elementwise_loop}, {
        "hidden/test_mlp::test_relu_matches_max_with_zero[empty]",
    }, message="stack"),
    mistake("mlp_scratch_image_reshape", "mlp_scratch", {"MLPScratch": MLPScratchImageReshape}, {
        "hidden/test_mlp::test_mlp_scratch_output_shape[flat]",
    }),
    mistake("mlp2_no_flatten", "mlp2", {"MLP2": MLP2NoFlatten}, {
        "public/test_mlp::test_mlp2_output_shape",
        "hidden/test_mlp::test_mlp2_forward_with_copied_weights[batch]",
        "hidden/test_mlp::test_mlp2_forward_with_copied_weights[one]",
        "hidden/test_mlp::test_mlp2_layer_shapes",
        "hidden/test_mlp::test_mlp2_output_shape[images]",
        "hidden/test_mlp::test_mlp2_output_shape[one]",
    }, message="expected shape (2, 10)"),
]
