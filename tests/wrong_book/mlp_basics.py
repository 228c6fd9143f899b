"""Wrong versions of 5.1 Multilayer perceptrons: the state the activation cells leave, and the
exercises' pReLU and Swish."""
import torch

from tests.wrong_book import mistake


def grid(requires_grad=True):
    return torch.arange(-8.0, 8.0, 0.1, requires_grad=requires_grad)


def gradients_not_reset():
    """tanh's backward without x.grad.data.zero_() after sigmoid's: the derivatives add up."""
    x = grid()
    torch.sigmoid(x).sum().backward()
    y = torch.tanh(x)
    y.sum().backward(retain_graph=True)
    return x, y


def prelu_scales_positive(x, alpha):
    return alpha * torch.max(torch.zeros_like(x), x) + torch.min(torch.zeros_like(x), x)


def swish_without_beta(x, beta):
    return x * torch.sigmoid(x)


_x, _y = gradients_not_reset()

MISTAKES = [
    mistake("x_without_grad", "activations", {"x": grid(requires_grad=False)}, {
        "hidden/test_mlp_basics::test_x_is_the_books_grid",
        "hidden/test_mlp_basics::test_gradient_of_the_last_activation",
    }, message="x"),
    mistake("gradients_not_reset", "activations", {"x": _x, "y": _y},
            {"hidden/test_mlp_basics::test_gradient_of_the_last_activation"}, message="zero_()"),
    mistake("prelu_scales_positive", "prelu", {"pReLU": prelu_scales_positive},
            {"hidden/test_mlp_basics::test_prelu"}, message="pReLU(x, 0.1)"),
    mistake("swish_without_beta", "swish", {"swish": swish_without_beta},
            {"hidden/test_mlp_basics::test_swish"}, message="swish(x, 2)"),
]
