"""Wrong versions of the optional 5.3 derivation in code (S0 dropped the lambda W terms)."""
import torch

from reference.backprop import forward as book_forward
from tests.wrong_book import mistake


def forward_without_penalty(x, y, W1, W2, lam):
    z, h, o, L, s, J = book_forward(x, y, W1, W2, lam)
    return z, h, o, L, torch.zeros_like(s), L


def backward_without_lambda(x, y, W1, W2, lam):
    z, h, o, L, s, J = book_forward(x, y, W1, W2, lam)
    dJ_do = o - y
    dJ_dz = (W2.T @ dJ_do) * (1 - h ** 2)
    return torch.outer(dJ_dz, x), torch.outer(dJ_do, h)


MISTAKES = [
    mistake("forward_without_penalty", "backprop", {"forward": forward_without_penalty},
            {"hidden/test_backprop::test_forward"}, message="from forward(x, y, W1, W2, 0.1)"),
    mistake("backward_without_lambda", "backprop", {"backward": backward_without_lambda},
            {"hidden/test_backprop::test_backward"}, message="dJ/dW1"),
]
