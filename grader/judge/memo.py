"""Reference outputs computed once per assignment version, kept by the judge across submissions.

Every submission's tests ask the reference for the same expected values (``reference.softmax(X)``
for the same seeded ``X``). ``ReferenceMemo.wrap(module)`` gives tests a view of a reference
module whose plain functions answer from the memo when a call is known to be pure: its
arguments are plain data (numbers, strings, tensors, arrays and containers of them) that it left
unchanged, it drew nothing from the ``random``, numpy or torch generators, and its result is
plain data without autograd history. Anything else is called every time. A hit, and the first
call too, hands out a deep copy, so no test can change what a later test receives.

torch and numpy are never imported here (the main process must not load torch): a value can
only be a tensor or an array, and a call can only draw from their generators, once someone
else has imported them.
"""
from __future__ import annotations

import copy
import functools
import hashlib
import inspect
import os
import random
import struct
import sys
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from grader.assignment import Assignment

MAX_ENTRIES = 256
MAX_ENTRY_BYTES = 16 * 1024 * 1024   # one result's payload; bigger results are not kept
MAX_BYTES = 64 * 1024 * 1024         # all kept results together, so a worker's memory stays flat


@dataclass(frozen=True)
class MemoStats:
    """What a memo did so far. Every call is exactly one of a hit, a miss or uncacheable."""

    hits: int          # answered from the memo, without calling the function
    misses: int        # called with a key: first time, after an eviction, or not keepable
    uncacheable: int   # called without a key: an argument was not plain data
    discarded: int     # misses whose result was not kept: impure, raised, not plain data, too big
    entries: int
    nbytes: int

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class _Entry:
    function: Callable[..., Any]   # the very function object, so reloaded code never hits
    value: Any
    nbytes: int


class _NotPlainError(Exception):
    """A value that cannot be part of a key or of a kept result."""


class ReferenceMemo:
    """Results of pure reference-function calls, keyed by assignment version, function and a
    digest of the arguments; the least recently used go first. Owned by whoever runs the
    tests (one per judge process); not thread-safe."""

    def __init__(self, *, max_entries: int = MAX_ENTRIES, max_entry_bytes: int = MAX_ENTRY_BYTES,
                 max_bytes: int = MAX_BYTES) -> None:
        self.max_entries = max_entries
        self.max_entry_bytes = max_entry_bytes
        self.max_bytes = max_bytes
        self.hits = self.misses = self.uncacheable = self.discarded = 0
        self.nbytes = 0
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def stats(self) -> MemoStats:
        return MemoStats(hits=self.hits, misses=self.misses, uncacheable=self.uncacheable,
                         discarded=self.discarded, entries=len(self._entries), nbytes=self.nbytes)

    def wrap(self, module: ModuleType, *, version: str = "") -> ReferenceModule:
        """``module`` as tests should see it; ``version`` names the assignment version."""
        return ReferenceModule(module, self, version)

    def call(self, function: Callable[..., Any], args: tuple, kwargs: dict, *, version: str) -> Any:
        """``function(*args, **kwargs)``, or a copy of what an equal pure call returned."""
        try:
            before = _arguments_digest(args, kwargs)
            settings = _settings()
            key = _key(version, function, settings, before)
        except Exception:   # a student object, a callable, a model, a tensor that needs grad...
            self.uncacheable += 1
            return function(*args, **kwargs)
        entry = self._entries.get(key)
        if entry is not None and entry.function is function:
            self._entries.move_to_end(key)
            self.hits += 1
            return copy.deepcopy(entry.value)
        self.misses += 1
        states = _rng_states()
        try:
            result = function(*args, **kwargs)
        except BaseException:
            self.discarded += 1
            raise
        kept = self._keepable(result, states=states, settings=settings, before=before, args=args,
                              kwargs=kwargs)
        if kept is None:
            self.discarded += 1
            return result
        value, nbytes = kept
        self._store(key, _Entry(function=function, value=value, nbytes=nbytes))
        return copy.deepcopy(value)

    def _keepable(self, result: Any, *, states: tuple, settings: tuple, before: bytes, args: tuple,
                  kwargs: dict) -> tuple[Any, int] | None:
        """A private copy of ``result`` and its size, if the call was pure and it fits."""
        if _rng_states() != states or _settings() != settings:
            return None
        try:
            if _arguments_digest(args, kwargs) != before:
                return None
            nbytes = _result_size(result)
            if nbytes > self.max_entry_bytes:
                return None
            return copy.deepcopy(result), nbytes
        except Exception:
            return None

    def _store(self, key: str, entry: _Entry) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self.nbytes -= old.nbytes
        self._entries[key] = entry
        self.nbytes += entry.nbytes
        while len(self._entries) > self.max_entries or self.nbytes > self.max_bytes:
            _, dropped = self._entries.popitem(last=False)
            self.nbytes -= dropped.nbytes


class ReferenceModule:
    """A reference module as tests see it: its plain functions answer through the memo;
    classes, modules, constants and everything else are the module's own."""

    __slots__ = ("_module", "_memo", "_version", "_functions")

    def __init__(self, module: ModuleType, memo: ReferenceMemo, version: str) -> None:
        self._module = module
        self._memo = memo
        self._version = version
        self._functions: dict[str, Callable[..., Any]] = {}

    def __getattr__(self, name: str) -> Any:
        if name in ReferenceModule.__slots__:   # not set yet (a copy being built): no recursion
            raise AttributeError(name)
        value = getattr(self._module, name)
        if not inspect.isfunction(value):
            return value
        wrapped = self._functions.get(name)
        if wrapped is None or wrapped.__wrapped__ is not value:   # type: ignore[attr-defined]
            wrapped = self._functions[name] = _through(self._memo, value, self._version)
        return wrapped

    def __dir__(self) -> list[str]:
        return dir(self._module)

    def __repr__(self) -> str:
        return f"<reference module {self._module.__name__!r} through a memo>"


def assignment_digest(assignment: Assignment) -> str:
    """The assignment version a kept result belongs to: its id, version and folder.
    (Reloaded reference code is told apart by the function object itself.)"""
    text = "\n".join([assignment.id, assignment.version, str(assignment.root)])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _through(memo: ReferenceMemo, function: Callable[..., Any], version: str) -> Callable[..., Any]:
    @functools.wraps(function)
    def answer(*args: Any, **kwargs: Any) -> Any:
        return memo.call(function, args, kwargs, version=version)
    return answer


def _key(version: str, function: Callable[..., Any], settings: tuple, arguments: bytes) -> str:
    digest = hashlib.blake2b(digest_size=32)
    for part in (version, function.__module__, function.__qualname__,
                 function.__code__.co_filename, settings):
        _feed(digest, "part", str(part).encode())
    digest.update(arguments)
    return digest.hexdigest()


def _settings() -> tuple:
    """Process-wide switches a reference result can depend on besides its arguments."""
    torch, numpy = sys.modules.get("torch"), sys.modules.get("numpy")
    out: tuple = ()
    if torch is not None:
        device = getattr(torch, "get_default_device", lambda: None)()
        out += (torch.get_default_dtype(), device, torch.is_grad_enabled(),
                torch.is_inference_mode_enabled(), torch.are_deterministic_algorithms_enabled(),
                torch.get_num_threads())   # reductions may round differently per thread count
    if numpy is not None:
        out += (sorted(numpy.geterr().items()),)
    return out


def _rng_states() -> tuple:
    """The global generators' states, as plain comparable values (None: not imported)."""
    torch, np_random = sys.modules.get("torch"), sys.modules.get("numpy.random")
    numpy_state = None
    if np_random is not None:
        name, keys, *rest = np_random.get_state()
        numpy_state = (name, keys.tobytes(), *rest)
    torch_state = cuda_state = None
    if torch is not None:
        torch_state = torch.random.get_rng_state().numpy().tobytes()
        if torch.cuda.is_initialized():
            cuda_state = tuple(s.numpy().tobytes() for s in torch.cuda.get_rng_state_all())
    return random.getstate(), numpy_state, torch_state, cuda_state


def _arguments_digest(args: tuple, kwargs: dict) -> bytes:
    walk = _Walk(hashlib.blake2b(digest_size=32), arguments=True)
    walk.add(args)
    walk.add(kwargs)
    return walk.digest.digest()


def _result_size(result: Any) -> int:
    """Bytes a copy of ``result`` holds; _NotPlainError if it is not plain data."""
    walk = _Walk(None, arguments=False)
    walk.add(result)
    return walk.nbytes


class _Walk:
    """One pass over plain data: feeds a digest (tagged by type, so 1, 1.0, True and "1"
    differ) and adds up payload bytes. A list, dict, tensor or array seen before is written
    as a back-reference, so f(x, x) and f(x, y) differ and cycles end."""

    def __init__(self, digest: Any, *, arguments: bool) -> None:
        self.digest = digest
        self.arguments = arguments
        self.nbytes = 0
        self.seen: dict[int, int] = {}

    def put(self, tag: str, payload: bytes = b"") -> None:
        if self.digest is not None:
            _feed(self.digest, tag, payload)

    def add(self, value: Any) -> None:
        kind = type(value)
        self.nbytes += 32   # roughly what any Python object costs: a list of a million ints counts
        if value is None:
            self.put("None")
        elif kind is bool:
            self.put("bool", b"1" if value else b"0")
        elif kind is int:
            self.put("int", str(value).encode())
        elif kind is float:
            self.put("float", struct.pack("<d", value))    # tells -0.0 from 0.0
        elif kind is complex:
            self.put("complex", struct.pack("<dd", value.real, value.imag))
        elif kind is str:
            # A path to something that exists: the callee probably reads it, and it can change.
            if self.arguments and value and "\0" not in value and os.path.exists(value):
                raise _NotPlainError("a path")
            data = value.encode("utf-8", "surrogatepass")
            self.nbytes += len(data)
            self.put("str", data)
        elif kind is bytes:
            self.nbytes += len(value)
            self.put("bytes", value)
        elif kind is tuple:
            self.put("tuple", str(len(value)).encode())
            for item in value:
                self.add(item)
        elif kind in (list, dict):
            if self._seen_before(value):
                return
            # Dict items in insertion order: the callee may iterate over them.
            items = [x for pair in value.items() for x in pair] if kind is dict else value
            self.put(kind.__name__, str(len(value)).encode())
            for item in items:
                self.add(item)
        else:
            self._add_library_value(value)

    def _seen_before(self, value: Any) -> bool:
        index = self.seen.get(id(value))
        if index is not None:
            self.put("seen", str(index).encode())
            return True
        self.seen[id(value)] = len(self.seen)
        return False

    def _add_library_value(self, value: Any) -> None:
        kind = type(value)
        torch, numpy = sys.modules.get("torch"), sys.modules.get("numpy")
        if torch is not None and kind is torch.Tensor:
            if not self._seen_before(value):
                self._add_tensor(torch, value)
        elif torch is not None and kind is torch.Size:
            self.put("Size", repr(tuple(value)).encode())
        elif torch is not None and kind is torch.dtype:
            self.put("dtype", str(value).encode())
        elif numpy is not None and kind is numpy.ndarray:
            if value.dtype.hasobject:
                raise _NotPlainError("an object array")
            if not self._seen_before(value):
                self.nbytes += value.nbytes
                self.put("ndarray", repr((value.dtype.descr, value.shape, value.strides)).encode())
                self.put("data", numpy.ascontiguousarray(value).tobytes() if self.digest else b"")
        elif numpy is not None and isinstance(value, numpy.generic) and not value.dtype.hasobject:
            self.put("numpy." + kind.__name__, value.tobytes())
        else:
            raise _NotPlainError(kind.__qualname__)

    def _add_tensor(self, torch: ModuleType, t: Any) -> None:
        # Autograd graphs must not be shared, and exotic tensors are not worth the risk.
        if (t.requires_grad or t.grad_fn is not None or t.grad is not None
                or t.layout != torch.strided or t.is_nested or t.is_quantized
                or t.is_conj() or t.is_neg() or t.device.type == "meta"
                or any(n is not None for n in getattr(t, "names", ()) or ()) or vars(t)):
            raise _NotPlainError("a tensor that is not plain data")
        # A deep copy copies the whole storage, also of a small view into a big tensor.
        self.nbytes += t.untyped_storage().nbytes()
        self.put("Tensor", repr((t.dtype, tuple(t.shape), t.stride(), str(t.device),
                                 t.is_inference())).encode())
        if self.digest is not None:
            flat = t.detach().to("cpu").contiguous().reshape(-1)
            self.digest.update(flat.view(torch.uint8).numpy())


def _feed(digest: Any, tag: str, payload: bytes) -> None:
    """Tag and length first, so that no two different sequences of values feed the same bytes."""
    digest.update(f"{tag}:{len(payload)}:".encode())
    digest.update(payload)
