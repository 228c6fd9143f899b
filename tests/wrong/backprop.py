"""Wrong versions of the 5.3 exercises that real students could write (S0 in the catalogue
dropped the λW terms; the others are the classic slips of a hand derivation)."""
import torch

from tests.wrong import mistake


def forward_penalty_without_half(x, y, W1, W2, lam):
    z = W1 @ x
    h = torch.tanh(z)
    o = W2 @ h
    L = 0.5 * ((o - y) ** 2).sum()
    s = lam * ((W1 ** 2).sum() + (W2 ** 2).sum())
    return z, h, o, L, s, L + s


def forward_loss_without_half(x, y, W1, W2, lam):
    z = W1 @ x
    h = torch.tanh(z)
    o = W2 @ h
    L = ((o - y) ** 2).sum()
    s = lam / 2 * ((W1 ** 2).sum() + (W2 ** 2).sum())
    return z, h, o, L, s, L + s


def backward_missing_lambda(x, y, W1, W2, lam):
    # ∂J/∂W = (∂J/∂o) hᵀ only: the path through the penalty s is forgotten.
    h = torch.tanh(W1 @ x)
    dJ_do = W2 @ h - y
    dJ_dz = (W2.T @ dJ_do) * (1 - h ** 2)
    return torch.outer(dJ_dz, x), torch.outer(dJ_do, h)


def backward_transposed(x, y, W1, W2, lam):
    # ∂J/∂h = W2 ∂J/∂o instead of W2ᵀ ∂J/∂o (runs only when W2 is square).
    h = torch.tanh(W1 @ x)
    dJ_do = W2 @ h - y
    dJ_dz = (W2 @ dJ_do) * (1 - h ** 2)
    return torch.outer(dJ_dz, x) + lam * W1, torch.outer(dJ_do, h) + lam * W2


def backward_wrong_activation_grad(x, y, W1, W2, lam):
    # Uses the sigmoid's derivative h(1 - h) for tanh.
    h = torch.tanh(W1 @ x)
    dJ_do = W2 @ h - y
    dJ_dz = (W2.T @ dJ_do) * h * (1 - h)
    return torch.outer(dJ_dz, x) + lam * W1, torch.outer(dJ_do, h) + lam * W2


def input_grad_flattened(f, X):
    X = X.clone().requires_grad_(True)
    f(X).backward()
    return X.grad.reshape(-1)


def backward_with_bias_penalises_bias(x, y, W1, b1, W2, lam):
    h = torch.tanh(W1 @ x + b1)
    dJ_do = W2 @ h - y
    dJ_dz = (W2.T @ dJ_do) * (1 - h ** 2)
    return torch.outer(dJ_dz, x) + lam * W1, dJ_dz + lam * b1, torch.outer(dJ_do, h) + lam * W2


def backward_with_bias_skips_activation(x, y, W1, b1, W2, lam):
    # ∂J/∂b1 taken as ∂J/∂h: the tanh′ factor is missing for the bias only.
    h = torch.tanh(W1 @ x + b1)
    dJ_do = W2 @ h - y
    dJ_dh = W2.T @ dJ_do
    dJ_dz = dJ_dh * (1 - h ** 2)
    return torch.outer(dJ_dz, x) + lam * W1, dJ_dh, torch.outer(dJ_do, h) + lam * W2


def backward_with_bias_wrong_order(x, y, W1, b1, W2, lam):
    h = torch.tanh(W1 @ x + b1)
    dJ_do = W2 @ h - y
    dJ_dz = (W2.T @ dJ_do) * (1 - h ** 2)
    return torch.outer(dJ_dz, x) + lam * W1, torch.outer(dJ_do, h) + lam * W2, dJ_dz


def activation_memory_values_not_bytes(batch, d, h, q):
    return batch * (d + 2 * h + q), batch * max(d + h, 2 * h, h + q)


def activation_memory_forgets_z(batch, d, h, q):
    # Counts H but not Z, which tanh′(z) (or relu′) needs in the backward pass.
    return 4 * batch * (d + h + q), 4 * batch * max(d + h, 2 * h, h + q)


MISTAKES = [
    mistake("forward_penalty_without_half", "backprop_forward", {"forward": forward_penalty_without_half}, {
        "public/test_backprop::test_forward_small_example",
        "hidden/test_backprop::test_forward_values[float32]",
        "hidden/test_backprop::test_forward_values[float64]",
        "hidden/test_backprop::test_forward_values[one-unit]",
    }, message="s "),
    mistake("forward_loss_without_half", "backprop_forward", {"forward": forward_loss_without_half}, {
        "public/test_backprop::test_forward_small_example",
        "hidden/test_backprop::test_forward_values[float32]",
        "hidden/test_backprop::test_forward_values[float64]",
        "hidden/test_backprop::test_forward_values[no-penalty]",
        "hidden/test_backprop::test_forward_values[one-unit]",
    }, message="L "),
    mistake("backward_missing_lambda", "backprop_backward", {"backward": backward_missing_lambda}, {
        "public/test_backprop::test_backward_against_autograd",
        "hidden/test_backprop::test_backward_float32",
        "hidden/test_backprop::test_backward_matches_autograd[square]",
        "hidden/test_backprop::test_backward_matches_autograd[tall]",
        "hidden/test_backprop::test_backward_matches_autograd[wide]",
        "hidden/test_backprop::test_backward_matches_finite_differences[square]",
        "hidden/test_backprop::test_backward_matches_finite_differences[wide]",
    }, message="∂J/∂W1 differs from the expected values"),
    mistake("backward_transposed", "backprop_backward", {"backward": backward_transposed}, {
        "public/test_backprop::test_backward_against_autograd",
        "hidden/test_backprop::test_backward_float32",
        "hidden/test_backprop::test_backward_matches_autograd[no-penalty]",
        "hidden/test_backprop::test_backward_matches_autograd[square]",
        "hidden/test_backprop::test_backward_matches_autograd[tall]",
        "hidden/test_backprop::test_backward_matches_autograd[wide]",
        "hidden/test_backprop::test_backward_matches_finite_differences[square]",
        "hidden/test_backprop::test_backward_matches_finite_differences[wide]",
    }, message="∂J/∂W1 differs from the expected values"),
    mistake("backward_wrong_activation_grad", "backprop_backward", {"backward": backward_wrong_activation_grad}, {
        "public/test_backprop::test_backward_against_autograd",
        "hidden/test_backprop::test_backward_float32",
        "hidden/test_backprop::test_backward_matches_autograd[no-penalty]",
        "hidden/test_backprop::test_backward_matches_autograd[square]",
        "hidden/test_backprop::test_backward_matches_autograd[tall]",
        "hidden/test_backprop::test_backward_matches_autograd[wide]",
        "hidden/test_backprop::test_backward_matches_finite_differences[square]",
        "hidden/test_backprop::test_backward_matches_finite_differences[wide]",
    }, message="∂J/∂W1 differs from the expected values"),
    mistake("input_grad_flattened", "input_grad", {"input_grad": input_grad_flattened}, {
        "public/test_backprop::test_input_grad_shape",
        "hidden/test_backprop::test_input_grad_shape_and_values[columns-3x5]",
        "hidden/test_backprop::test_input_grad_shape_and_values[norm-4x1]",
        "hidden/test_backprop::test_input_grad_shape_and_values[squares-2x3]",
    }, message="expected shape"),
    mistake("backward_with_bias_penalises_bias", "backward_with_bias",
            {"backward_with_bias": backward_with_bias_penalises_bias}, {
        "public/test_backprop::test_backward_with_bias_against_autograd",
        "hidden/test_backprop::test_backward_with_bias_float32",
        "hidden/test_backprop::test_backward_with_bias_matches_autograd[penalty]",
        "hidden/test_backprop::test_backward_with_bias_matches_finite_differences",
    }, message="∂J/∂b1"),
    mistake("backward_with_bias_skips_activation", "backward_with_bias",
            {"backward_with_bias": backward_with_bias_skips_activation}, {
        "public/test_backprop::test_backward_with_bias_against_autograd",
        "hidden/test_backprop::test_backward_with_bias_float32",
        "hidden/test_backprop::test_backward_with_bias_matches_autograd[no-penalty]",
        "hidden/test_backprop::test_backward_with_bias_matches_autograd[penalty]",
        "hidden/test_backprop::test_backward_with_bias_matches_finite_differences",
    }, message="∂J/∂b1"),
    mistake("backward_with_bias_wrong_order", "backward_with_bias",
            {"backward_with_bias": backward_with_bias_wrong_order}, {
        "public/test_backprop::test_backward_with_bias_against_autograd",
        "hidden/test_backprop::test_backward_with_bias_float32",
        "hidden/test_backprop::test_backward_with_bias_gradient_shapes",
        "hidden/test_backprop::test_backward_with_bias_matches_autograd[no-penalty]",
        "hidden/test_backprop::test_backward_with_bias_matches_autograd[penalty]",
        "hidden/test_backprop::test_backward_with_bias_matches_finite_differences",
    }, message="∂J/∂b1 has shape"),
    mistake("activation_memory_values_not_bytes", "activation_memory",
            {"activation_memory": activation_memory_values_not_bytes}, {
        "public/test_backprop::test_activation_memory_book_sizes",
        "hidden/test_backprop::test_activation_memory[large]",
        "hidden/test_backprop::test_activation_memory[one]",
        "hidden/test_backprop::test_activation_memory[wide-hidden]",
        "hidden/test_backprop::test_activation_memory[wide-input]",
        "hidden/test_backprop::test_activation_memory[wide-output]",
    }, message="train_bytes"),
    mistake("activation_memory_forgets_z", "activation_memory",
            {"activation_memory": activation_memory_forgets_z}, {
        "public/test_backprop::test_activation_memory_book_sizes",
        "hidden/test_backprop::test_activation_memory[large]",
        "hidden/test_backprop::test_activation_memory[one]",
        "hidden/test_backprop::test_activation_memory[wide-hidden]",
        "hidden/test_backprop::test_activation_memory[wide-input]",
        "hidden/test_backprop::test_activation_memory[wide-output]",
    }, message="train_bytes"),
]
