"""The wire carries data only: values round-trip, anything else is refused."""
import base64

import numpy as np
import pandas as pd
import pytest
import torch

from grader.inkernel import wire


def roundtrip(value, max_bytes=10**6):
    return wire.decode(wire.loads(wire.dumps(wire.encode(value, budget=wire.Budget(max_bytes), make_ref=None)),
                                  max_chars=10**8), resolve_ref=None)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.int64, torch.bool, torch.uint8,
                                   torch.float16, torch.complex64])
def test_tensors_round_trip_with_dtype_and_shape(dtype):
    t = (torch.arange(24).reshape(2, 3, 4) % 3).to(dtype)
    back = roundtrip(t)
    assert back.dtype == dtype and back.shape == t.shape and torch.equal(back, t)


def test_non_contiguous_empty_and_zero_dim_tensors():
    t = torch.arange(12.0).reshape(3, 4).T
    assert torch.equal(roundtrip(t), t)
    assert roundtrip(torch.zeros(0, 5)).shape == (0, 5)
    assert roundtrip(torch.tensor(3.5)).item() == 3.5


def test_requires_grad_survives_but_the_graph_does_not():
    x = torch.ones(2, requires_grad=True)
    back = roundtrip(x * 2)
    assert back.requires_grad and back.grad_fn is None


def test_plain_values_and_containers():
    value = {"a": [1, 2.5, None, True, "s"], "b": (float("nan"), float("inf")), 3: {1, 2}, "big": 2**80}
    back = roundtrip(value)
    assert back["a"] == [1, 2.5, None, True, "s"] and back[3] == {1, 2} and back["big"] == 2**80
    assert np.isnan(back["b"][0]) and back["b"][1] == float("inf")


def test_numpy_and_pandas_values():
    arr = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert np.array_equal(roundtrip(arr), arr)
    df = pd.DataFrame({"NumRooms": [np.nan, 2.0], "RoofType_Slate": [False, True], "name": ["a", None]})
    back = roundtrip(df)
    assert list(back.columns) == ["NumRooms", "RoofType_Slate", "name"]
    assert back["RoofType_Slate"].dtype == bool and np.isnan(back["NumRooms"][0])
    s = roundtrip(pd.Series([1.5, 2.5], name="Price"))
    assert s.name == "Price" and s.tolist() == [1.5, 2.5]


def test_size_budget_refuses_large_tensors():
    with pytest.raises(wire.WireFormatError, match="over the .* limit"):
        roundtrip(torch.zeros(1000, 1000), max_bytes=1000)


def test_objects_without_a_ref_maker_are_refused():
    with pytest.raises(wire.WireFormatError, match="cannot be sent as data"):
        wire.encode(object(), budget=wire.Budget(100), make_ref=None)


@pytest.mark.parametrize("doc", [
    {"$ndarray": {"dtype": "object", "shape": [1], "data": ""}},
    {"$tensor": {"dtype": "float32", "shape": [3], "data": base64.b64encode(b"\0" * 8).decode()}},
    {"$tensor": {"dtype": "float32", "shape": [-1], "data": ""}},
    {"$pickle": "gASV"},
    {"$float": "1e999"},
    {"$ref": {"id": 1}},
    {"a": 1, "b": 2},
])
def test_malformed_or_unsafe_documents_are_rejected(doc):
    with pytest.raises(wire.WireFormatError):
        wire.decode(doc, resolve_ref=None)


def test_replies_over_the_size_limit_are_rejected_before_parsing():
    with pytest.raises(wire.WireFormatError, match="over the"):
        wire.loads("[" * 100 + "]" * 100, max_chars=50)
    with pytest.raises(wire.WireFormatError, match="malformed"):
        wire.loads("[" * 100000 + "]" * 100000, max_chars=10**7)
