"""Wrong versions of the 2.1 exercises that real students could write."""
import torch

from tests.wrong import mistake


def compare_swapped(X, Y):
    return X == Y, X > Y, X < Y


def compare_floats(X, Y):
    return (X == Y).float(), (X < Y).float(), (X > Y).float()


def broadcast_shape_max(a, b):
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    return tuple(max(p, q) for p, q in zip(a, b))


def broadcast_shape_list(a, b):
    return list(torch.broadcast_shapes(a, b))


def broadcast_shape_torch(a, b):
    return tuple(torch.broadcast_shapes(a, b))


def add_into_rebinds(Z, X, Y):
    Z = X + Y
    return Z


def add_into_new_memory(Z, X, Y):
    Z.data = X + Y
    return Z


MISTAKES = [
    mistake("compare_swapped", "compare", {"compare": compare_swapped}, {
        "public/test_tensors::test_compare_book_example",
        "hidden/test_tensors::test_compare_random_integers[wide]",
        "hidden/test_tensors::test_compare_random_integers[column]",
        "hidden/test_tensors::test_compare_random_integers[vector]",
        "hidden/test_tensors::test_compare_broadcasts",
    }, message="differs from the expected values"),
    mistake("compare_floats", "compare", {"compare": compare_floats},
            {"hidden/test_tensors::test_compare_returns_booleans"}, message="expected bool"),
    mistake("broadcast_shape_max", "broadcast_shape", {"broadcast_shape": broadcast_shape_max}, {
        "hidden/test_tensors::test_broadcast_shape[zero-length]",
        "hidden/test_tensors::test_broadcast_shape_rejects_incompatible",
    }, message="expected it to raise ValueError"),
    mistake("broadcast_shape_list", "broadcast_shape", {"broadcast_shape": broadcast_shape_list}, {
        "hidden/test_tensors::test_broadcast_shape_returns_tuple",
        "hidden/test_tensors::test_broadcast_shape_rejects_incompatible",
    }, message="return a tuple"),
    mistake("broadcast_shape_torch", "broadcast_shape", {"broadcast_shape": broadcast_shape_torch},
            {"hidden/test_tensors::test_broadcast_shape_rejects_incompatible"}, message="raised RuntimeError; expected ValueError"),
    mistake("add_into_rebinds", "add_into", {"add_into": add_into_rebinds}, {
        "public/test_tensors::test_add_into_writes_sum",
        "hidden/test_tensors::test_add_into_keeps_memory",
        "hidden/test_tensors::test_add_into_broadcasts",
    }, message="Z after add_into"),
    mistake("add_into_new_memory", "add_into", {"add_into": add_into_new_memory},
            {"hidden/test_tensors::test_add_into_keeps_memory"}, message="new memory"),
]


def broadcast_shape_first(a, b):
    return tuple(a)


def broadcast_shape_product(a, b):
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    return tuple(p * q for p, q in zip(a, b))


MISTAKES += [
    mistake("broadcast_shape_first", "broadcast_shape", {"broadcast_shape": broadcast_shape_first}, {
        "public/test_tensors::test_broadcast_shape_book_example",
        "hidden/test_tensors::test_broadcast_shape[book-2d]",
        "hidden/test_tensors::test_broadcast_shape[book-3d]",
        "hidden/test_tensors::test_broadcast_shape[different-ranks]",
        "hidden/test_tensors::test_broadcast_shape[scalar]",
        "hidden/test_tensors::test_broadcast_shape[zero-length]",
        "hidden/test_tensors::test_broadcast_shape_returns_tuple",
        "hidden/test_tensors::test_broadcast_shape_rejects_incompatible",
    }),
    mistake("broadcast_shape_product", "broadcast_shape", {"broadcast_shape": broadcast_shape_product}, {
        "hidden/test_tensors::test_broadcast_shape[same]",
        "hidden/test_tensors::test_broadcast_shape_rejects_incompatible",
    }),
]


def broadcast_add_plain(a, b):
    return a + b


def broadcast_add_repeat_sizes(a, b):
    from reference.tensors import broadcast_shape
    shape = broadcast_shape(a.shape, b.shape)
    return a.repeat(shape) + b.repeat(shape)


MISTAKES += [
    mistake("broadcast_add_plain", "broadcast_add", {"broadcast_add": broadcast_add_plain},
            {"hidden/test_tensors::test_broadcast_add_rejects_incompatible"},
            message="raised RuntimeError; expected ValueError"),
    mistake("broadcast_add_repeat_sizes", "broadcast_add", {"broadcast_add": broadcast_add_repeat_sizes}, {
        "public/test_tensors::test_broadcast_add_book_3d_example",
        "hidden/test_tensors::test_broadcast_add_matches_plus[book-2d]",
        "hidden/test_tensors::test_broadcast_add_matches_plus[book-3d]",
        "hidden/test_tensors::test_broadcast_add_matches_plus[different-ranks]",
        "hidden/test_tensors::test_broadcast_add_matches_plus[scalar]",
    }, message="must match the size"),
]
