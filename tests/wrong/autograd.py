"""Wrong versions of the 2.5 exercises that students could plausibly write."""
import torch

from tests.wrong import mistake


def detach_grads_grad_accumulates(x):
    x = x.detach().clone().requires_grad_(True)
    y = x * x
    u = y.detach()
    z = u * x
    z.sum().backward()
    grad_z = x.grad.clone()
    y.sum().backward()                   # forgot x.grad.zero_(): adds 2x to u
    return grad_z, x.grad


def detach_grads_aliased(x):
    x = x.detach().clone().requires_grad_(True)
    y = x * x
    u = y.detach()
    z = u * x
    z.sum().backward()
    grad_z = x.grad                      # the same tensor that zero_() and backward() change
    x.grad.zero_()
    y.sum().backward()
    return grad_z, x.grad


def detach_grads_no_detach(x):
    x = x.detach().clone().requires_grad_(True)
    y = x * x
    z = y * x
    z.sum().backward(retain_graph=True)
    grad_z = x.grad.clone()
    x.grad.zero_()
    y.sum().backward()
    return grad_z, x.grad


def backward_twice_resets(x):
    x = x.detach().clone().requires_grad_(True)
    y = 2 * torch.dot(x, x)
    y.backward(retain_graph=True)
    x.grad.zero_()
    y.backward()
    return x.grad


def backward_twice_no_retain(x):
    x = x.detach().clone().requires_grad_(True)
    y = 2 * torch.dot(x, x)
    y.backward()
    y.backward()
    return x.grad


def backward_twice_on_caller(x):
    x.requires_grad_(True)
    y = 2 * torch.dot(x, x)
    y.backward(retain_graph=True)
    y.backward()
    return x.grad


def f_graph_cut_by_detach(a):
    b = a.detach() * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


def f_scalar_only(a):
    b = a * 2
    while abs(b) < 1000:
        b = b * 2
    if b > 0:
        c = b
    else:
        c = 100 * b
    return c


def f_elementwise_branch(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    return torch.where(b > 0, b, 100 * b)


def f_if_not_while(a):
    b = a * 2
    if b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


def grad_is_d_over_a_float_equality(f, a):
    a = a.detach().clone().requires_grad_(True)
    d = f(a)
    d.sum().backward()
    return bool((a.grad == d / a).all())


def grad_is_d_over_a_elementwise(f, a):
    a = a.detach().clone().requires_grad_(True)
    d = f(a)
    d.sum().backward()
    return torch.isclose(a.grad, d.detach() / a.detach())


def grad_is_d_over_a_no_sum(f, a):
    a = a.detach().clone().requires_grad_(True)
    d = f(a)
    d.backward()
    return bool(torch.allclose(a.grad, d.detach() / a.detach()))


def grad_is_d_over_a_forgot_division(f, a):
    a = a.detach().clone().requires_grad_(True)
    d = f(a)
    d.sum().backward()
    return bool(torch.allclose(a.grad, d.detach()))


def sin_derivative_uses_cos(x):
    return torch.cos(x)


def sin_derivative_grad_accumulates(x):
    x.requires_grad_(True)
    torch.sin(x).sum().backward()
    return x.grad


def sin_derivative_clone_not_leaf(x):
    x = x.clone().requires_grad_(True)
    torch.sin(x).sum().backward()
    return x.grad


def sin_derivative_grad_of_y(x):
    x = x.detach().clone().requires_grad_(True)
    y = torch.sin(x).sum()
    y.backward()
    return y.grad


def f_prime_manual_no_product_rule(x):
    return 2 / x * torch.cos(x) - 1 / x ** 2


def f_prime_manual_log_of_square(x):
    return 1 / x ** 2 * torch.sin(x) + torch.log(x ** 2) * torch.cos(x) - 1 / x ** 2


def f_prime_manual_sign(x):
    return 2 / x * torch.sin(x) + torch.log(x ** 2) * torch.cos(x) + 1 / x ** 2


def f_prime_manual_by_autograd(x):
    x = x.detach().clone().requires_grad_(True)
    (torch.log(x ** 2) * torch.sin(x) + 1 / x).sum().backward()
    return x.grad


H = "hidden/test_autograd::"
DETACH = {f"{H}test_detach_grads[{c}]" for c in ("book", "float64", "matrix", "one-element")}
TWICE = {f"{H}test_backward_twice_accumulates[{c}]" for c in ("book", "float64", "one-element", "empty")}
CONTROL = ("scalar", "scalar-negative", "vector", "matrix", "negative-sum-vector", "one-element", "large",
           "float64-matrix")
F_VALUES = {f"{H}test_f_values[{c}]" for c in CONTROL}
F_GRADS = {f"{H}test_f_gradient_is_f_over_a[{c}]" for c in CONTROL}
SIN = {f"{H}test_sin_derivative_values[{c}]"
       for c in ("vector", "float64-matrix", "zero-d", "one-element", "empty", "large")}
SIN_TWICE = {f"{H}test_sin_derivative_twice_on_the_same_x[{c}]" for c in ("plain-x", "x-requires-grad")}
F_PRIME = {f"{H}test_f_prime_manual_matches_autograd[{c}]"
           for c in ("positive-float64", "negative-float64", "zero-d", "float32-matrix", "large")}
GRAD_CHECK_VECTORS = (
    {f"{H}test_grad_is_d_over_a[{c}]"
     for c in ("book-f-vector", "book-f-matrix", "book-f-float64", "piecewise-linear", "square", "affine")}
    | {"public/test_autograd::test_grad_is_d_over_a_for_simple_functions"})
F_PRIME_ALL = F_PRIME | {f"{H}test_f_prime_manual_matches_finite_differences",
                         f"{H}test_f_prime_manual_without_autograd",
                         "public/test_autograd::test_f_prime_manual_matches_autograd"}

MISTAKES = [
    mistake("grad_accumulates", "detach_grads", {"detach_grads": detach_grads_grad_accumulates},
            DETACH | {"public/test_autograd::test_detach_grads_book_example"},
            message="reset x.grad before this pass"),
    mistake("grad_aliased", "detach_grads", {"detach_grads": detach_grads_aliased},
            DETACH | {"public/test_autograd::test_detach_grads_book_example"}, message="as u is detached"),
    mistake("detach_forgotten", "detach_grads", {"detach_grads": detach_grads_no_detach},
            DETACH | {"public/test_autograd::test_detach_grads_book_example"}, message="as u is detached"),
    mistake("backward_twice_resets", "backward_twice", {"backward_twice": backward_twice_resets},
            TWICE - {f"{H}test_backward_twice_accumulates[empty]"}
            | {f"{H}test_backward_twice_leaves_its_argument_alone",
               "public/test_autograd::test_backward_twice_book_example"}, message="backward_twice(x)"),
    mistake("backward_twice_no_retain", "backward_twice", {"backward_twice": backward_twice_no_retain},
            TWICE | {f"{H}test_backward_twice_leaves_its_argument_alone",
                     "public/test_autograd::test_backward_twice_book_example"}, message="retain_graph"),
    mistake("backward_twice_on_caller", "backward_twice", {"backward_twice": backward_twice_on_caller},
            {f"{H}test_backward_twice_leaves_its_argument_alone"}, message="called again on the same x"),
    mistake("graph_cut_by_detach", "f_control_flow", {"f": f_graph_cut_by_detach},
            F_GRADS | {"public/test_autograd::test_f_gradient_for_a_vector"}, message="the graph was cut"),
    mistake("f_scalar_only", "f_control_flow", {"f": f_scalar_only},
            {f"{H}test_f_values[{c}]" for c in ("vector", "matrix", "negative-sum-vector", "large", "float64-matrix")}
            | {f"{H}test_f_gradient_is_f_over_a[{c}]"
               for c in ("vector", "matrix", "negative-sum-vector", "large", "float64-matrix")}
            | {"public/test_autograd::test_f_gradient_for_a_vector"}, message="ambiguous"),
    mistake("f_elementwise_branch", "f_control_flow", {"f": f_elementwise_branch},
            {f"{H}test_f_values[{c}]" for c in ("vector", "matrix", "negative-sum-vector", "large", "float64-matrix")}
            | {f"{H}test_f_gradient_is_f_over_a[{c}]"
               for c in ("vector", "matrix", "negative-sum-vector", "large", "float64-matrix")},
            message="f(a)"),
    mistake("f_if_not_while", "f_control_flow", {"f": f_if_not_while},
            (F_VALUES | F_GRADS) - {f"{H}test_f_values[large]", f"{H}test_f_gradient_is_f_over_a[large]"},
            message="f(a)"),
    mistake("float_equality", "grad_is_d_over_a", {"grad_is_d_over_a": grad_is_d_over_a_float_equality},
            {f"{H}test_grad_is_d_over_a[book-f-scalar]", f"{H}test_grad_is_d_over_a[book-f-vector]"},
            message="compare floats with torch.allclose"),
    mistake("grad_is_d_over_a_elementwise", "grad_is_d_over_a",
            {"grad_is_d_over_a": grad_is_d_over_a_elementwise}, GRAD_CHECK_VECTORS, message="return one bool"),
    mistake("grad_is_d_over_a_no_sum", "grad_is_d_over_a", {"grad_is_d_over_a": grad_is_d_over_a_no_sum},
            GRAD_CHECK_VECTORS, message="scalar outputs"),
    mistake("grad_is_d_over_a_forgot_division", "grad_is_d_over_a",
            {"grad_is_d_over_a": grad_is_d_over_a_forgot_division},
            {f"{H}test_grad_is_d_over_a[{c}]" for c in ("book-f-scalar", "book-f-positive-scalar", "book-f-vector",
                                                       "book-f-matrix", "book-f-float64", "piecewise-linear")}
            | {"public/test_autograd::test_grad_is_d_over_a_for_simple_functions"}, message="expected True"),
    mistake("sin_derivative_uses_cos", "sin_derivative", {"sin_derivative": sin_derivative_uses_cos},
            {f"{H}test_sin_derivative_without_cos"}, message="not from cos"),
    mistake("sin_grad_accumulates", "sin_derivative", {"sin_derivative": sin_derivative_grad_accumulates},
            SIN_TWICE, message="called again on the same x"),
    mistake("sin_derivative_clone_not_leaf", "sin_derivative", {"sin_derivative": sin_derivative_clone_not_leaf},
            {f"{H}test_sin_derivative_twice_on_the_same_x[x-requires-grad]"}, message="is not a leaf"),
    mistake("sin_derivative_grad_of_y", "sin_derivative", {"sin_derivative": sin_derivative_grad_of_y},
            SIN | SIN_TWICE | {f"{H}test_sin_derivative_without_cos",
                               "public/test_autograd::test_sin_derivative_is_cos"}, message="returned None"),
    mistake("f_prime_manual_no_product_rule", "f_prime_manual",
            {"f_prime_manual": f_prime_manual_no_product_rule}, F_PRIME_ALL, message="f_prime_manual(x)"),
    mistake("f_prime_manual_log_of_square", "f_prime_manual",
            {"f_prime_manual": f_prime_manual_log_of_square}, F_PRIME_ALL, message="f_prime_manual(x)"),
    mistake("f_prime_manual_sign", "f_prime_manual", {"f_prime_manual": f_prime_manual_sign},
            F_PRIME_ALL, message="f_prime_manual(x)"),
    mistake("f_prime_manual_by_autograd", "f_prime_manual", {"f_prime_manual": f_prime_manual_by_autograd},
            {f"{H}test_f_prime_manual_without_autograd"}, message="does not require grad"),
]
