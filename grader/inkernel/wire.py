"""The data-only wire format between the grader and a student kernel.

Values cross as JSON. Tensors and arrays cross as raw little-endian bytes with a dtype from
a fixed list and a shape, so nothing received can execute code and nothing depends on
either side's numpy, pandas or torch version. Objects that are not data stay where they
are and cross as a reference (``{"$ref": ...}``).

This module is also sent, as source, into student kernels (see grader/inkernel): it imports
only the standard library at module level and must stay runnable on the course's Python and
packages.
"""
from __future__ import annotations

import base64
import json
import math
from typing import Any, Callable

MAX_DEPTH = 32
MAX_ITEMS = 100_000
MAX_STR = 1_000_000
ENVELOPE_CHARS = 64 * 1024   # room kept in every message for its header and signature

# dtype name -> numpy type string (little-endian on the wire)
DTYPES = {
    "bool": "|b1",
    "uint8": "|u1",
    "int8": "|i1",
    "int16": "<i2",
    "int32": "<i4",
    "int64": "<i8",
    "float16": "<f2",
    "float32": "<f4",
    "float64": "<f8",
    "complex64": "<c8",
    "complex128": "<c16",
}
ITEMSIZE = {"bool": 1, "uint8": 1, "int8": 1, "int16": 2, "int32": 4, "int64": 8,
            "float16": 2, "float32": 4, "float64": 8, "complex64": 8, "complex128": 16}


class WireFormatError(Exception):
    """A value cannot be put on, or read from, the wire."""


def _human_bytes(n: float) -> str:
    unit = "B"
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024:
            break
        n /= 1024
    else:
        unit = "TB"
    return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"


class Budget:
    """Counts the bytes of array data put on the wire against a cap."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.used = 0

    def take(self, nbytes: int, what: str) -> None:
        if self.used + nbytes > self.max_bytes:
            raise WireFormatError(
                f"{what} is {_human_bytes(nbytes)}, over the {_human_bytes(self.max_bytes)} "
                "limit for values returned to the grader")
        self.used += nbytes


# ---------------------------------------------------------------------------- encoding


def encode(value: Any, *, budget: Budget, make_ref: Callable[[Any], dict] | None,
           depth: int = 0) -> Any:
    """Turn ``value`` into JSON-ready data; objects that are not data become references."""
    if depth > MAX_DEPTH:
        raise WireFormatError(f"value is nested deeper than {MAX_DEPTH} levels")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) >= 2 ** 63:
            return {"$bigint": str(value)}
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return {"$float": repr(value)}
        return value
    if isinstance(value, str):
        if len(value) > MAX_STR:
            raise WireFormatError(f"string of {len(value)} characters is over the limit")
        return value
    if isinstance(value, (bytes, bytearray)):
        budget.take(len(value), "a bytes value")
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    kind = _array_kind(value)
    if kind == "tensor":
        return _encode_tensor(value, budget)
    if kind == "ndarray":
        return _encode_ndarray(value, budget)
    if kind == "numpy_scalar":
        return encode(value.item(), budget=budget, make_ref=make_ref, depth=depth)
    if kind == "torch_dtype":
        return {"$dtype": str(value).replace("torch.", "")}
    if kind == "dataframe":
        return _encode_dataframe(value, budget)
    if kind == "series":
        return _encode_series(value, budget)
    if isinstance(value, (list, tuple, set, frozenset)):
        if len(value) > MAX_ITEMS:
            raise WireFormatError(f"a sequence of {len(value)} items is over the limit")
        items = [encode(v, budget=budget, make_ref=make_ref, depth=depth + 1) for v in value]
        tag = "$list" if isinstance(value, list) else "$tuple" if isinstance(value, tuple) else "$set"
        return {tag: items}
    if isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            raise WireFormatError(f"a dict of {len(value)} items is over the limit")
        return {"$dict": [[encode(k, budget=budget, make_ref=make_ref, depth=depth + 1),
                           encode(v, budget=budget, make_ref=make_ref, depth=depth + 1)]
                          for k, v in value.items()]}
    if make_ref is None:
        raise WireFormatError(f"a {type(value).__name__} cannot be sent as data")
    return make_ref(value)


def _array_kind(value: Any) -> str | None:
    module = type(value).__module__ or ""
    if module.startswith("torch"):
        import torch
        if isinstance(value, torch.Tensor):
            return "tensor"
        if isinstance(value, torch.dtype):
            return "torch_dtype"
        if isinstance(value, torch.Size):
            return None  # a tuple: encoded as one
    if module.startswith("numpy"):
        import numpy
        if isinstance(value, numpy.ndarray):
            return "ndarray"
        if isinstance(value, numpy.generic):
            return "numpy_scalar"
    if module.startswith("pandas"):
        import pandas
        if isinstance(value, pandas.DataFrame):
            return "dataframe"
        if isinstance(value, pandas.Series):
            return "series"
    # Tensor subclasses defined by students live in other modules.
    try:
        import sys
        torch = sys.modules.get("torch")
        if torch is not None and isinstance(value, torch.Tensor):
            return "tensor"
        numpy = sys.modules.get("numpy")
        if numpy is not None and isinstance(value, numpy.ndarray):
            return "ndarray"
    except Exception:  # a hostile __class__ property
        return None
    return None


def _encode_tensor(t: Any, budget: Budget) -> dict:
    import torch
    requires_grad = bool(t.requires_grad)
    t = torch.Tensor.detach(t)
    if t.layout != torch.strided:
        t = t.to_dense()
    name = str(t.dtype).replace("torch.", "")
    if name not in DTYPES:
        if t.is_floating_point():
            t, name = t.to(torch.float64), "float64"
        else:
            raise WireFormatError(f"tensors of dtype {name} cannot be sent as data")
    shape = [int(s) for s in t.shape]
    numel = 1
    for s in shape:
        numel *= s
    budget.take(numel * ITEMSIZE[name], f"a tensor of shape {tuple(shape)}")
    flat = torch.Tensor.contiguous(t.cpu()).reshape(-1)
    raw = flat.view(torch.uint8).numpy().tobytes() if numel else b""
    return {"$tensor": {"dtype": name, "shape": shape, "data": base64.b64encode(raw).decode("ascii"),
                        "requires_grad": requires_grad}}


def _encode_ndarray(a: Any, budget: Budget) -> dict:
    import numpy
    name = a.dtype.name
    if name not in DTYPES:
        if a.dtype.kind in "OUS":  # object or strings: send as a list
            if a.size > MAX_ITEMS:
                raise WireFormatError(f"an array of {a.size} objects is over the limit")
            items = encode(a.tolist(), budget=budget, make_ref=None)
            return {"$objarray": {"shape": list(a.shape), "items": items}}
        raise WireFormatError(f"arrays of dtype {name} cannot be sent as data")
    budget.take(int(a.size) * ITEMSIZE[name], f"an array of shape {a.shape}")
    raw = numpy.ascontiguousarray(a, dtype=numpy.dtype(DTYPES[name])).tobytes()
    return {"$ndarray": {"dtype": name, "shape": list(a.shape),
                         "data": base64.b64encode(raw).decode("ascii")}}


def _encode_series(s: Any, budget: Budget) -> dict:
    values = s.to_numpy()
    return {"$series": {"name": encode(s.name, budget=budget, make_ref=None),
                        "dtype": str(s.dtype),
                        "index": encode(list(s.index), budget=budget, make_ref=None),
                        "values": _encode_column(values, budget)}}


def _encode_dataframe(df: Any, budget: Budget) -> dict:
    return {"$dataframe": {
        "columns": [encode(c, budget=budget, make_ref=None) for c in df.columns],
        "dtypes": [str(d) for d in df.dtypes],
        "index": encode(list(df.index), budget=budget, make_ref=None),
        "data": [_encode_column(df.iloc[:, i].to_numpy(), budget) for i in range(df.shape[1])],
    }}


def _encode_column(values: Any, budget: Budget) -> Any:
    if values.dtype.name in DTYPES:
        return _encode_ndarray(values, budget)
    items = []
    for v in values.tolist():
        if isinstance(v, float) and math.isnan(v):
            items.append(None)
        else:
            items.append(encode(v, budget=budget, make_ref=None))
    return {"$list": items}


# ---------------------------------------------------------------------------- decoding


def decode(data: Any, *, resolve_ref: Callable[[dict], Any] | None, target: str = "torch",
           depth: int = 0) -> Any:
    """Rebuild a value from wire data. ``target`` says whether tensors become torch or numpy."""
    if depth > MAX_DEPTH + 4:
        raise WireFormatError("value is nested too deeply")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):  # bare lists are not produced by encode; accept as lists
        return [decode(v, resolve_ref=resolve_ref, target=target, depth=depth + 1) for v in data]
    if not isinstance(data, dict) or len(data) != 1:
        raise WireFormatError("malformed value on the wire")
    (tag, body), = data.items()
    rec = lambda v: decode(v, resolve_ref=resolve_ref, target=target, depth=depth + 1)  # noqa: E731
    if tag == "$float":
        if body not in ("nan", "inf", "-inf"):
            raise WireFormatError("malformed float on the wire")
        return float(body)
    if tag == "$bigint":
        if not isinstance(body, str) or len(body) > 4000:
            raise WireFormatError("malformed integer on the wire")
        return int(body)
    if tag == "$bytes":
        return base64.b64decode(body, validate=True)
    if tag == "$list":
        return [rec(v) for v in _seq(body)]
    if tag == "$tuple":
        return tuple(rec(v) for v in _seq(body))
    if tag == "$set":
        return set(rec(v) for v in _seq(body))
    if tag == "$dict":
        return {rec(k): rec(v) for k, v in (_pair(p) for p in _seq(body))}
    if tag == "$dtype":
        import torch
        if body not in DTYPES and body not in ("bfloat16",):
            raise WireFormatError("unknown dtype on the wire")
        return getattr(torch, body)
    if tag in ("$tensor", "$ndarray"):
        array = _decode_array(body)
        if tag == "$tensor" and target == "torch":
            import torch
            t = torch.from_numpy(array.copy())
            if body.get("requires_grad") is True and t.is_floating_point():
                t.requires_grad_(True)
            return t
        return array
    if tag == "$objarray":
        import numpy
        items = rec(body["items"])
        arr = numpy.empty(len(items) if isinstance(items, list) else 0, dtype=object)
        arr[:] = items if isinstance(items, list) else []
        return arr.reshape([int(s) for s in body["shape"]])
    if tag == "$series":
        import pandas
        return pandas.Series(_column(body["values"], rec), index=rec(body["index"]),
                             name=rec(body["name"]))
    if tag == "$dataframe":
        import pandas
        columns = [rec(c) for c in _seq(body["columns"])]
        data = {i: _column(col, rec) for i, col in enumerate(_seq(body["data"]))}
        df = pandas.DataFrame(data, index=rec(body["index"]))
        df.columns = columns
        return df
    if tag == "$ref":
        if resolve_ref is None:
            raise WireFormatError("unexpected reference on the wire")
        return resolve_ref(body)
    raise WireFormatError(f"unknown tag {tag!r} on the wire")


def _seq(body: Any) -> list:
    if not isinstance(body, list) or len(body) > MAX_ITEMS:
        raise WireFormatError("malformed sequence on the wire")
    return body


def _pair(p: Any) -> tuple:
    if not isinstance(p, list) or len(p) != 2:
        raise WireFormatError("malformed dict entry on the wire")
    return p[0], p[1]


def _column(col: Any, rec: Callable[[Any], Any]) -> Any:
    if isinstance(col, dict) and "$ndarray" in col:
        return _decode_array(col["$ndarray"])
    return rec(col)


def _decode_array(body: Any) -> Any:
    import numpy
    if not isinstance(body, dict):
        raise WireFormatError("malformed array on the wire")
    name, shape, data = body.get("dtype"), body.get("shape"), body.get("data")
    if name not in DTYPES or not isinstance(shape, list) or not isinstance(data, str):
        raise WireFormatError("malformed array on the wire")
    if not all(isinstance(s, int) and 0 <= s for s in shape) or len(shape) > 64:
        raise WireFormatError("malformed array shape on the wire")
    numel = 1
    for s in shape:
        numel *= s
    raw = base64.b64decode(data, validate=True)
    if len(raw) != numel * ITEMSIZE[name]:
        raise WireFormatError("array data does not match its shape")
    return numpy.frombuffer(raw, dtype=numpy.dtype(DTYPES[name])).astype(
        numpy.dtype(DTYPES[name]).newbyteorder("="), copy=True).reshape(shape)


# ---------------------------------------------------------------------------- documents


def dumps(doc: Any) -> str:
    return json.dumps(doc, allow_nan=False, separators=(",", ":"))


def loads(text: str, *, max_chars: int) -> Any:
    if len(text) > max_chars:
        raise WireFormatError(f"a reply of {_human_bytes(len(text))} is over the "
                              f"{_human_bytes(max_chars)} limit")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise WireFormatError("the kernel sent a malformed reply") from exc
