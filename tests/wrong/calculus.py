"""Wrong versions of the 2.4 exercises that students could plausibly write."""
import torch

from tests.wrong import mistake


def f_sign(x):
    return 3 * x ** 2 + 4 * x


def numerical_lim_central(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


def numerical_lim_no_division(f, x, h):
    return f(x + h) - f(x)


def numerical_derivative_forward(f, x, h):
    return (f(x + h) - f(x)) / h


def numerical_derivative_missing_two(f, x, h):
    return (f(x + h) - f(x - h)) / h


def numerical_derivative_precedence(f, x, h):
    return f(x + h) - f(x - h) / (2 * h)


def d_x_pow_x_power_rule(x):
    return x * x ** (x - 1)


def d_x_pow_x_exponential_rule(x):
    return x ** x * torch.log(x)


def tangent_line_intercept_sign(f, x0):
    x = torch.tensor(float(x0), dtype=torch.float64, requires_grad=True)
    y = f(x)
    y.backward()
    return x.grad.item(), y.item() + x.grad.item() * x0


def tangent_line_value_as_intercept(f, x0):
    x = torch.tensor(float(x0), dtype=torch.float64, requires_grad=True)
    y = f(x)
    y.backward()
    return x.grad.item(), y.item()


def tangent_line_big_step(f, x0):
    h = 0.1
    slope = (f(x0 + h) - f(x0)) / h
    return slope, f(x0) - slope * x0


def grad_f_forgot_two(x):
    return torch.stack([3 * x[0], 5 * torch.exp(x[1])])


def grad_f_forgot_five(x):
    return torch.stack([6 * x[0], torch.exp(x[1])])


def grad_l2_norm_nan_at_zero(x):
    return x / torch.linalg.vector_norm(x)


def grad_l2_norm_of_square(x):
    return 2 * x


def grad_l2_norm_no_sqrt(x):
    return x / (x * x).sum()


def chain_rule_grad_missing_z_path(a, b):
    x, y = a * b, a + b ** 2
    return y * b + x, y * a + x * 2 * b


def chain_rule_grad_inner_sign(a, b):
    x, y, z = a * b, a + b ** 2, torch.sin(a - b)
    dz = torch.cos(a - b)
    return y * b + x + 2 * z * dz, y * a + x * 2 * b + 2 * z * dz


def inverse_derivative_at_y(f_prime, f_inv, y):
    return 1 / f_prime(y)


def inverse_derivative_no_reciprocal(f_prime, f_inv, y):
    return f_prime(f_inv(y))


ALL_F = {f"hidden/test_calculus::test_f_values[{c}]"
         for c in ("float", "negative-float", "zero-d", "vector-float32", "matrix-float64")}
LIM_OF_F = {f"hidden/test_calculus::test_numerical_lim_of_f_at_1[{h}]" for h in ("0.1", "0.01", "0.001", "1e-05")}
LIM_OTHER = {"hidden/test_calculus::test_numerical_lim_other_function[cube-at-2]",
             "hidden/test_calculus::test_numerical_lim_other_function[cube-tensor]"}
RULES = {f"hidden/test_calculus::test_numerical_derivative_follows_the_rules[{r}]"
         for r in ("cube", "inverse-square", "square-root", "exp", "log")}
CENTRAL = {"hidden/test_calculus::test_numerical_derivative_is_central[0.1]",
           "hidden/test_calculus::test_numerical_derivative_is_central[0.5]",
           "hidden/test_calculus::test_numerical_derivative_on_a_tensor",
           "public/test_calculus::test_numerical_derivative_of_cube"}
X_POW_X = {f"hidden/test_calculus::test_d_x_pow_x_matches_autograd[{c}]"
           for c in ("float64", "float32-matrix", "zero-d-one", "minimum-1/e", "large", "small")}
TANGENT = {f"hidden/test_calculus::test_tangent_line[{c}]"
           for c in ("book-f-at-1", "exercise-at-1", "exercise-at-2", "exercise-at-negative", "exp-at-0")}
GRAD_F = {f"hidden/test_calculus::test_grad_f_matches_autograd[{c}]"
          for c in ("float32", "float64", "large", "very-negative-x2")}
L2 = {f"hidden/test_calculus::test_grad_l2_norm_matches_autograd[{c}]"
      for c in ("float32", "float64", "one-element", "large-float64", "tiny-float64", "large-float32")}
CHAIN = {f"hidden/test_calculus::test_chain_rule_grad_matches_autograd[{c}]"
         for c in ("float64", "float32-matrix", "zero-d", "large")}
INVERSE = {f"hidden/test_calculus::test_inverse_derivative[{c}]"
           for c in ("exp-log", "sinh", "cube", "tan-float32", "python-floats")}

MISTAKES = [
    mistake("f_sign", "f_calculus", {"f": f_sign},
            ALL_F | LIM_OF_F
            | {"public/test_calculus::test_f_book_example"}, message="expected -1"),
    mistake("numerical_lim_central", "f_calculus", {"numerical_lim": numerical_lim_central},
            LIM_OF_F | LIM_OTHER | {"public/test_calculus::test_f_book_example"}, message="expected 2.3"),
    mistake("numerical_lim_no_division", "f_calculus", {"numerical_lim": numerical_lim_no_division},
            LIM_OF_F | LIM_OTHER | {"public/test_calculus::test_f_book_example"}, message="numerical_lim"),
    mistake("numerical_derivative_forward", "numerical_derivative",
            {"numerical_derivative": numerical_derivative_forward}, RULES | CENTRAL, message="expected 12"),
    mistake("numerical_derivative_missing_two", "numerical_derivative",
            {"numerical_derivative": numerical_derivative_missing_two}, RULES | CENTRAL, message="expected 12"),
    mistake("numerical_derivative_precedence", "numerical_derivative",
            {"numerical_derivative": numerical_derivative_precedence},
            # at h = 0.5, f(2.5) - f(1.5) / 1 happens to equal the central quotient 12.25
            (RULES | CENTRAL) - {"hidden/test_calculus::test_numerical_derivative_is_central[0.5]"}
            | {"hidden/test_calculus::test_numerical_derivative_follows_the_rules[constant]"},
            message="expected 0"),
    mistake("d_x_pow_x_power_rule", "d_x_pow_x", {"d_x_pow_x": d_x_pow_x_power_rule},
            X_POW_X - {"hidden/test_calculus::test_d_x_pow_x_matches_autograd[zero-d-one]"}
            | {"hidden/test_calculus::test_d_x_pow_x_matches_finite_differences",
               "public/test_calculus::test_d_x_pow_x_at_1_and_2"}, message="d_x_pow_x"),
    mistake("d_x_pow_x_exponential_rule", "d_x_pow_x", {"d_x_pow_x": d_x_pow_x_exponential_rule},
            X_POW_X | {"hidden/test_calculus::test_d_x_pow_x_matches_finite_differences",
                       "public/test_calculus::test_d_x_pow_x_at_1_and_2"}, message="d_x_pow_x"),
    mistake("tangent_line_intercept_sign", "tangent_line", {"tangent_line": tangent_line_intercept_sign},
            TANGENT - {"hidden/test_calculus::test_tangent_line[exp-at-0]"}
            | {"hidden/test_calculus::test_tangent_touches_the_curve",
               "public/test_calculus::test_tangent_line_of_exercise_6"}, message="[1]"),
    mistake("tangent_line_value_as_intercept", "tangent_line", {"tangent_line": tangent_line_value_as_intercept},
            TANGENT - {"hidden/test_calculus::test_tangent_line[exp-at-0]"}
            | {"hidden/test_calculus::test_tangent_touches_the_curve",
               "public/test_calculus::test_tangent_line_of_exercise_6"}, message="[1]"),
    mistake("tangent_line_big_step", "tangent_line", {"tangent_line": tangent_line_big_step},
            TANGENT | {"public/test_calculus::test_tangent_line_of_exercise_6"}, message="[0]"),
    mistake("grad_f_forgot_two", "grad_f", {"grad_f": grad_f_forgot_two},
            GRAD_F | {"hidden/test_calculus::test_grad_f_matches_finite_differences",
                      "public/test_calculus::test_grad_f_at_1_0"}, message="grad_f"),
    mistake("grad_f_forgot_five", "grad_f", {"grad_f": grad_f_forgot_five},
            GRAD_F | {"hidden/test_calculus::test_grad_f_matches_autograd[origin]",
                      "hidden/test_calculus::test_grad_f_matches_finite_differences",
                      "public/test_calculus::test_grad_f_at_1_0"}, message="grad_f"),
    mistake("grad_l2_norm_nan_at_zero", "grad_l2_norm", {"grad_l2_norm": grad_l2_norm_nan_at_zero},
            {"hidden/test_calculus::test_grad_l2_norm_at_zero_is_a_subgradient"}, message="NaN"),
    mistake("grad_l2_norm_of_square", "grad_l2_norm", {"grad_l2_norm": grad_l2_norm_of_square},
            L2 | {"hidden/test_calculus::test_grad_l2_norm_matches_finite_differences",
                  "public/test_calculus::test_grad_l2_norm_of_3_4"}, message="grad_l2_norm"),
    mistake("grad_l2_norm_no_sqrt", "grad_l2_norm", {"grad_l2_norm": grad_l2_norm_no_sqrt},
            L2 | {"hidden/test_calculus::test_grad_l2_norm_matches_finite_differences",
               "hidden/test_calculus::test_grad_l2_norm_at_zero_is_a_subgradient",
               "public/test_calculus::test_grad_l2_norm_of_3_4"}, message="grad_l2_norm"),
    mistake("chain_rule_grad_missing_z_path", "chain_rule_grad", {"chain_rule_grad": chain_rule_grad_missing_z_path},
            CHAIN | {"hidden/test_calculus::test_chain_rule_grad_matches_finite_differences",
                     "public/test_calculus::test_chain_rule_grad_at_a_point"}, message="chain_rule_grad"),
    mistake("chain_rule_grad_inner_sign", "chain_rule_grad", {"chain_rule_grad": chain_rule_grad_inner_sign},
            CHAIN | {"hidden/test_calculus::test_chain_rule_grad_matches_finite_differences",
                     "public/test_calculus::test_chain_rule_grad_at_a_point"}, message="[1]"),
    mistake("inverse_derivative_at_y", "inverse_derivative", {"inverse_derivative": inverse_derivative_at_y},
            INVERSE | {"public/test_calculus::test_inverse_derivative_of_log"}, message="inverse_derivative"),
    mistake("inverse_derivative_no_reciprocal", "inverse_derivative",
            {"inverse_derivative": inverse_derivative_no_reciprocal},
            INVERSE | {"public/test_calculus::test_inverse_derivative_of_log"}, message="inverse_derivative"),
]
