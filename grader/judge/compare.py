"""Tolerance-aware comparison of what a student returned with what the reference returned.

Every failure explains itself in words a student can act on: what kind of value, which
shape, where the worst difference is, and how far it is from the declared tolerance.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from grader.assignment import Tolerance
from grader.text import shorten

MAX_ITEMS_SHOWN = 3
NAME_CHARS = 100        # a type's name, as quoted in a message
VALUE_CHARS = 80        # a string or number the student returned, as quoted in a message
WORST_ENTRIES = 5       # entries listed in a mismatch's detail
GRID_CELLS = 12         # a 2-D mismatch's map has at most this many cells per side


class Mismatch(AssertionError):
    """A check failed; the message is safe to show the student. ``detail`` describes a tensor
    mismatch as data (see ``mismatch_detail``) for reports; empty otherwise."""

    def __init__(self, message: str, detail: dict | None = None) -> None:
        super().__init__(message)
        self.detail = detail or {}


def describe(value: Any) -> str:
    """A short human name for a value's kind and shape."""
    import torch
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)} ({str(value.dtype).replace('torch.', '')})"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} ({value.dtype})"
    if value is None:
        return "None"
    kind = shorten(type(value).__name__, NAME_CHARS)
    if kind == "Ref":
        return f"a {shorten(value.type_name, NAME_CHARS)} object"
    return f"a {kind}" if not isinstance(value, (int, float, bool, str)) else f"{kind} {shorten(repr(value), VALUE_CHARS)}"


def assert_close(actual: Any, expected: Any, tolerance: Tolerance, *, name: str = "the result",
                 check_dtype: bool = False) -> None:
    """Raise Mismatch unless ``actual`` matches ``expected`` within ``tolerance``."""
    _compare(actual, expected, tolerance, name, check_dtype)


def require(condition: Any, message: str) -> None:
    """Raise Mismatch(message) unless ``condition`` holds."""
    if not bool(condition):
        raise Mismatch(message)


def _compare(actual: Any, expected: Any, tol: Tolerance, name: str, check_dtype: bool) -> None:
    import torch
    if isinstance(expected, (torch.Tensor, np.ndarray)):
        _compare_arrays(actual, expected, tol, name, check_dtype)
        return
    if isinstance(expected, bool) or expected is None or isinstance(expected, str):
        if type(actual) is not type(expected) and not (isinstance(expected, bool) and _is_boolish(actual)):
            raise Mismatch(f"{name} is {describe(actual)}; expected {describe(expected)}")
        if bool(actual) != expected if isinstance(expected, bool) else actual != expected:
            raise Mismatch(f"{name} is {shorten(repr(actual), VALUE_CHARS)}; expected {shorten(repr(expected), VALUE_CHARS)}")
        return
    if isinstance(expected, (int, float)):
        value = _as_number(actual)
        if value is None:
            raise Mismatch(f"{name} is {describe(actual)}; expected a number close to {expected:.6g}")
        _compare_numbers(value, float(expected), tol, name)
        return
    if isinstance(expected, (list, tuple)):
        if not isinstance(actual, (list, tuple)) and not _is_array(actual):
            raise Mismatch(f"{name} is {describe(actual)}; expected a {type(expected).__name__} "
                           f"of {len(expected)} items")
        items = list(actual) if not _is_array(actual) else list(_to_numpy(actual))
        if len(items) != len(expected):
            raise Mismatch(f"{name} has {len(items)} items; expected {len(expected)}")
        for i, (a, e) in enumerate(zip(items, expected)):
            _compare(a, e, tol, f"{name}[{i}]", check_dtype)
        return
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            raise Mismatch(f"{name} is {describe(actual)}; expected a dict")
        missing = [k for k in expected if k not in actual]
        if missing:
            raise Mismatch(f"{name} lacks the key(s) {', '.join(map(repr, missing))}")
        for key, e in expected.items():
            _compare(actual[key], e, tol, f"{name}[{key!r}]", check_dtype)
        return
    if actual != expected:
        raise Mismatch(f"{name} is {describe(actual)}; expected {describe(expected)}")


def _is_boolish(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_)) or (_is_array(value) and _to_numpy(value).size == 1
                                                    and _to_numpy(value).dtype == np.bool_)


def _is_array(value: Any) -> bool:
    import torch
    return isinstance(value, (torch.Tensor, np.ndarray))


def _to_numpy(value: Any) -> np.ndarray:
    import torch
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if _is_array(value):
        arr = _to_numpy(value)
        if arr.size == 1 and arr.dtype.kind in "biuf":
            return float(arr.reshape(-1)[0])
    return None


def _compare_numbers(got: float, want: float, tol: Tolerance, name: str) -> None:
    if math.isnan(want):
        if not math.isnan(got):
            raise Mismatch(f"{name} is {got:.6g}; expected NaN")
        return
    if math.isnan(got) or math.isinf(got) != math.isinf(want):
        raise Mismatch(f"{name} is {got}; expected {want:.6g}")
    if math.isinf(want):
        if got != want:
            raise Mismatch(f"{name} is {got}; expected {want}")
        return
    bound = tol.atol + tol.rtol * abs(want)
    if abs(got - want) > bound:
        raise Mismatch(f"{name} is {got:.6g}; expected {want:.6g} "
                       f"(|difference| {abs(got - want):.3g} > allowed {bound:.3g})")


def _compare_arrays(actual: Any, expected: Any, tol: Tolerance, name: str, check_dtype: bool) -> None:
    kind = "tensor" if not isinstance(expected, np.ndarray) else "array"
    if not _is_array(actual):
        number = _as_number(actual)
        exp = _to_numpy(expected)
        if number is not None and exp.size == 1 and exp.ndim == 0:
            _compare_numbers(number, float(exp), tol, name)
            return
        raise Mismatch(f"{name} is {describe(actual)}; expected a {kind} of shape {tuple(exp.shape)}")
    got, want = _to_numpy(actual), _to_numpy(expected)
    if got.ndim == 0 and want.ndim == 0 and got.dtype.kind in "biuf" and want.dtype.kind in "biuf":
        if want.dtype.kind in "biu":
            if got.item() != want.item():
                raise Mismatch(f"{name} is {got.item()!r}; expected {want.item()!r}")
            return
        _compare_numbers(float(got), float(want), tol, name)
        return
    if got.shape != want.shape:
        raise Mismatch(f"{name} has shape {tuple(got.shape)}; expected shape {tuple(want.shape)}")
    if check_dtype and got.dtype != want.dtype:
        raise Mismatch(f"{name} has dtype {_dtype_name(actual)}; expected {_dtype_name(expected)}")
    if want.dtype.kind in "biu" and got.dtype.kind in "biu":
        wrong = got != want
        if wrong.any():
            order = np.where(wrong.reshape(-1))[0][:WORST_ENTRIES]
            raise Mismatch(_exact_message(name, got, want, wrong),
                           mismatch_detail(name, got, want, wrong, order))
        return
    if got.dtype.kind not in "biufc":
        raise Mismatch(f"{name} has dtype {got.dtype}; expected numbers")
    g = got.astype(np.complex128 if "c" in (got.dtype.kind + want.dtype.kind) else np.float64)
    w = want.astype(g.dtype)
    bad_nan = np.isnan(g) & ~np.isnan(w)
    if bad_nan.any():
        raise Mismatch(f"{name} contains NaN at {int(bad_nan.sum())} of {g.size} entries "
                       f"(first at {_index(np.argwhere(bad_nan)[0])}); expected finite values")
    bad_inf = np.isinf(g) & ~np.isinf(w)
    if bad_inf.any():
        raise Mismatch(f"{name} contains inf at {int(bad_inf.sum())} of {g.size} entries "
                       f"(first at {_index(np.argwhere(bad_inf)[0])}); expected finite values")
    with np.errstate(invalid="ignore"):
        diff = np.abs(g - w)
        bound = tol.atol + tol.rtol * np.abs(w)
        same_special = (np.isnan(g) & np.isnan(w)) | (np.isinf(w) & (g == w))
        wrong = ~same_special & ~(diff <= bound)
    if wrong.any():
        excess = np.where(wrong, np.nan_to_num(diff - bound, nan=np.inf, posinf=np.inf), -np.inf)
        worst = np.unravel_index(int(np.argmax(excess)), g.shape) if g.ndim else ()
        gv, wv = g[worst], w[worst]
        order = np.argsort(-excess.reshape(-1), kind="stable")[:min(WORST_ENTRIES, int(wrong.sum()))]
        detail = mismatch_detail(name, got, want, wrong, order, tol=tol)
        raise Mismatch(
            f"{name} differs from the expected values at {int(wrong.sum())} of {g.size} entries; "
            f"worst at {_index(worst)}: got {_fmt(gv)}, expected {_fmt(wv)} "
            f"(|difference| {_fmt(abs(gv - wv))} > allowed {_fmt(tol.atol + tol.rtol * abs(wv))}: "
            f"atol {tol.atol:g} + rtol {tol.rtol:g}·|expected|)", detail)


def mismatch_detail(name: str, got: np.ndarray, want: np.ndarray, wrong: np.ndarray,
                    order: np.ndarray, *, tol: Tolerance | None = None) -> dict:
    """A tensor mismatch as JSON-safe data: which entries are wrong and by how much.

    ``order`` holds flat indices of the entries to list (worst first). For 2-D results,
    ``grid`` maps the share of wrong entries in each block of at most GRID_CELLS x GRID_CELLS
    blocks, enough to see a wrong row, column or diagonal at a glance."""
    entries = []
    for flat in order:
        idx = np.unravel_index(int(flat), got.shape) if got.ndim else ()
        entry = {"index": [int(i) for i in idx], "got": _plain(got[idx]), "expected": _plain(want[idx])}
        if got.dtype.kind in "fc" or want.dtype.kind in "fc":
            with np.errstate(invalid="ignore", over="ignore"):
                entry["difference"] = _plain(abs(complex(got[idx]) - complex(want[idx])))
        entries.append(entry)
    detail = {"name": name, "shape": [int(n) for n in got.shape], "wrong": int(wrong.sum()),
              "total": int(wrong.size), "worst": entries}
    if tol is not None:
        detail["tolerance"] = {"rtol": tol.rtol, "atol": tol.atol}
    if got.ndim == 2 and wrong.size:
        detail["grid"] = _grid(wrong)
    return detail


def _grid(wrong: np.ndarray) -> list[list[float]]:
    rows, cols = wrong.shape
    row_edges = np.linspace(0, rows, min(rows, GRID_CELLS) + 1).astype(int)
    col_edges = np.linspace(0, cols, min(cols, GRID_CELLS) + 1).astype(int)
    return [[round(float(wrong[r0:r1, c0:c1].mean()), 3)
             for c0, c1 in zip(col_edges[:-1], col_edges[1:])]
            for r0, r1 in zip(row_edges[:-1], row_edges[1:])]


def _plain(x: Any) -> Any:
    """A number as JSON can hold it: bool, int, float, or a string for NaN, inf and complex."""
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, bool) or isinstance(x, int):
        return x
    if isinstance(x, complex):
        return f"{x:.6g}"
    x = float(x)
    return x if math.isfinite(x) else str(x)


def _exact_message(name: str, got: np.ndarray, want: np.ndarray, wrong: np.ndarray) -> str:
    first = tuple(np.argwhere(wrong)[0]) if got.ndim else ()
    return (f"{name} differs from the expected values at {int(wrong.sum())} of {got.size} entries; "
            f"first at {_index(first)}: got {got[first].item()!r}, expected {want[first].item()!r}")


def _dtype_name(value: Any) -> str:
    return str(value.dtype).replace("torch.", "")


def _index(idx: Any) -> str:
    return "[" + ", ".join(str(int(i)) for i in idx) + "]"


def _fmt(x: Any) -> str:
    if isinstance(x, complex) or np.iscomplexobj(x):
        return f"{complex(x):.6g}"
    return f"{float(x):.6g}"
