"""The ``student`` proxy: how hidden tests reach the student's code.

``student.softmax(X)`` runs ``softmax`` in the student's kernel and returns data only:
tensors, arrays and plain values are rebuilt from the wire format; anything else stays in
the kernel behind a ``Ref`` that supports attribute access, assignment and calls.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from grader.errors import (CallTimeoutError, GraderError, KernelDiedError, MissingNameError,
                           NotebookTimeoutError, StudentError, StudentTraceback, WireError)
from grader.inkernel import wire
from grader.judge.source import SourceIndex
from grader.text import MESSAGE_CHARS, one_line, shorten

# Caps on what the kernel says about its objects and errors.
TYPE_CHARS = 100          # a type name
REPR_CHARS = 200          # a kept object's repr
NAME_CHARS = 100          # a missing global's name, where an error happened
LINE_CHARS = 300          # one traceback line
TRACEBACK_LINES = 8


class Link(Protocol):
    """Whatever carries requests to the kernel (a live session or an in-process namespace),
    and knows the notebook's source (for the ``source`` fixture; None when it does not)."""

    def request(self, payload: dict, *, timeout: float) -> dict: ...

    def source_index(self) -> SourceIndex | None: ...


@dataclass(frozen=True)
class NameSurvey:
    """Which of ``names`` a section of the notebook lacks ("missing") or left bound to None
    ("none"), asked of the kernel once for all tests: a request about such a name is answered
    here as the kernel would answer it, without a round trip."""

    names: frozenset[str]
    absent: Mapping[str, str]


class Releases:
    """Kernel objects that finished tests no longer hold, dropped by the kernel along with the
    next request instead of a round trip of their own. Ids are only good for the kernel that
    issued them: after a restart the pending ones are forgotten."""

    def __init__(self, link: Link) -> None:
        self._link = link
        self._ids: list[int] = []
        self._generation = getattr(link, "generation", None)

    def add(self, ids: list[int]) -> None:
        self._current()
        self._ids.extend(ids)

    def take(self) -> list[int]:
        self._current()
        ids, self._ids = self._ids, []
        return ids

    def _current(self) -> None:
        generation = getattr(self._link, "generation", None)
        if generation != self._generation:
            self._ids, self._generation = [], generation


class Student:
    """What a test sees of the notebook, resolved as of the end of ``section`` when given.
    With ``releases``, what the proxy held is dropped with a later request."""

    def __init__(self, link: Link, *, section: str | None = None, timeout: float = 20.0,
                 max_bytes: int = 64 * 1024 * 1024, survey: NameSurvey | None = None,
                 releases: Releases | None = None) -> None:
        object.__setattr__(self, "_link", link)
        object.__setattr__(self, "_section", section or None)
        object.__setattr__(self, "_timeout", timeout)
        object.__setattr__(self, "_max_bytes", max_bytes)
        object.__setattr__(self, "_refs", [])   # ids of kernel objects this proxy holds
        object.__setattr__(self, "_sent", [])   # the code run() sent, kept out of messages
        object.__setattr__(self, "notes", [])   # what the kernel said about how it answered
        object.__setattr__(self, "_survey", survey)
        object.__setattr__(self, "_releases", releases)

    def __getattr__(self, name: str) -> "Remote":
        if name.startswith("__"):
            raise AttributeError(name)
        return Remote(self, {"name": name, "section": self._section}, label=name)

    def __getitem__(self, name: str) -> "Remote":
        return Remote(self, {"name": name, "section": self._section}, label=name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("the student namespace is read-only from tests")

    def defines(self, *names: str) -> bool:
        found = self._send({"op": "defined", "names": list(names), "section": self._section},
                           label=", ".join(names))
        return set(found) == set(names)

    def needs(self, *names: str) -> None:
        """End the test here, with the error calling it would raise, when the survey says the
        notebook lacks one of ``names``; otherwise do nothing. Never a request. A test that
        builds its inputs in the kernel before calling the student's function names it first,
        so a notebook without it sends nothing (and the test can be settled)."""
        for name in names:   # a lookup is answered here only when the name is missing or None
            self._answered_here({"op": "lookup", "target": {"name": name, "section": self._section}})

    def value(self, name: str) -> Any:
        """The value of a global in the notebook (data, or a Ref)."""
        return self._send({"op": "lookup", "target": {"name": name, "section": self._section}},
                          label=name)

    def run(self, code: str, *, label: str = "the check", timeout: float | None = None,
            keep: bool = False, **bindings: Any) -> Any:
        """Run grader-written ``code`` in the kernel with the notebook's names and ``bindings``;
        returns the value of its last expression (a Ref to it with ``keep``). Expected
        values are never computed here."""
        self._sent.append(code)
        payload = {"op": "run", "code": code, "section": self._section, "label": label, "keep": keep,
                   "bindings": {k: self._encode(v) for k, v in bindings.items()}}
        return self._send(payload, label=label, timeout=timeout)

    def release(self) -> None:
        """Let the kernel drop every object this proxy received a reference to."""
        ids, self._refs[:] = list(self._refs), []
        if ids and self._releases is not None:
            self._releases.add(ids)
        elif ids:
            try:
                self._link.request({"op": "release", "ids": ids}, timeout=self._timeout)
            except GraderError:
                pass   # a dead or wedged kernel holds nothing worth releasing

    # ---------------------------------------------------------------- plumbing
    def _encode(self, value: Any) -> Any:
        def ref_of(obj: Any) -> dict:
            if isinstance(obj, Ref):
                return {"$ref": {"id": obj._id}}
            raise WireError(f"a {type(obj).__name__} cannot be sent to the kernel")
        return wire.encode(value, budget=wire.Budget(self._max_bytes), make_ref=ref_of)

    def _answered_here(self, payload: dict) -> tuple[bool, Any]:
        """(True, value) when the survey already tells what the kernel would answer; a name it
        would call missing raises MissingNameError here, as the kernel's reply would."""
        survey = self._survey
        if survey is None:
            return False, None
        op = payload.get("op")
        if op == "defined":
            names = payload["names"]
            if all(n in survey.names for n in names):
                return True, [n for n in names if n not in survey.absent]
            return False, None
        target = payload.get("target") or {}
        if op not in ("call", "lookup") or "name" not in target:
            return False, None
        status, plain = survey.absent.get(target["name"]), not target.get("path")
        if status == "missing":
            raise MissingNameError(one_line(target["name"], NAME_CHARS))
        if status == "none" and plain:
            if op == "call":
                raise MissingNameError(one_line(target["name"], NAME_CHARS), bound_to_none=True)
            return True, None
        return False, None

    def _send(self, payload: dict, *, label: str, timeout: float | None = None) -> Any:
        answered, value = self._answered_here(payload)
        if answered:
            return value
        limit = self._timeout if timeout is None else timeout
        dropped = self._releases.take() if self._releases is not None else []
        if dropped:
            payload = {**payload, "release": dropped}
        try:
            reply = self._link.request(payload, timeout=limit)
        except NotebookTimeoutError:
            raise
        except CallTimeoutError:
            raise CallTimeoutError(f"`{label}` did not finish within {limit:.0f} s and was stopped") from None
        except KernelDiedError as exc:
            raise KernelDiedError(f"the kernel died while running `{label}`: {exc}") from None
        if reply.get("ok"):
            note = reply.get("note")
            if isinstance(note, str) and note and note not in self.notes:
                self.notes.append(note[:600])
            try:
                return wire.decode(reply.get("value"), resolve_ref=lambda body: self._make_ref(body, label))
            except (wire.WireFormatError, KeyError, TypeError, ValueError) as exc:
                raise WireError(f"`{label}` returned a value the grader cannot read ({exc})") from None
        raise _error_from(reply.get("error") or {}, label)

    def _make_ref(self, body: dict, label: str) -> "Ref":
        self._refs.append(int(body["id"]))
        return Ref(self, int(body["id"]), shorten(body.get("type", "object"), TYPE_CHARS),
                   shorten(body.get("repr", ""), REPR_CHARS), bool(body.get("callable", False)), label)


def _error_from(error: dict, label: str) -> Exception:
    """The error a kernel's answer describes; every text in it is capped (the kernel is the
    student's, and so is whatever it says)."""
    kind = error.get("kind")
    if kind == "missing":
        return MissingNameError(one_line(error.get("name", label), NAME_CHARS), bound_to_none=error.get("none") is True)
    if kind in ("raised", "attribute"):
        where = one_line(error.get("where") or label, NAME_CHARS)
        lines = error.get("lines", [])
        tb = StudentTraceback(type=one_line(error.get("type", "Exception"), TYPE_CHARS),
                              message=shorten(error.get("message", ""), MESSAGE_CHARS),
                              lines=tuple(shorten(x, LINE_CHARS) for x in
                                          (lines if isinstance(lines, list) else [])[:TRACEBACK_LINES]))
        if tb.type == "SystemExit":
            return StudentError(f"`{label}`", StudentTraceback("SystemExit",
                                "the code called sys.exit() or exit()", tb.lines))
        return StudentError(f"`{label}`" if not where.startswith("`") else where, tb)
    if kind == "wire":
        return WireError(f"`{label}` returned a value that cannot be sent back: "
                         f"{shorten(error.get('message', ''), MESSAGE_CHARS)}")
    return WireError(f"`{label}`: the kernel gave an unexpected answer")


class Remote:
    """A name (or attribute path) in the kernel, resolved when it is called or fetched."""

    def __init__(self, student: Student, target: dict, *, label: str) -> None:
        self._student = student
        self._target = target
        self._label = label

    def __getattr__(self, attr: str) -> "Remote":
        if attr.startswith("__"):
            raise AttributeError(attr)
        target = dict(self._target, path=[*self._target.get("path", []), attr])
        return Remote(self._student, target, label=f"{self._label}.{attr}")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        s = self._student
        timeout = kwargs.pop("_timeout", None)
        payload = {"op": "call", "target": self._target, "label": f"`{self._label}`",
                   "args": [s._encode(a) for a in args],
                   "kwargs": {k: s._encode(v) for k, v in kwargs.items()}}
        return s._send(payload, label=self._label, timeout=timeout)

    def get(self) -> Any:
        return self._student._send({"op": "lookup", "target": self._target}, label=self._label)

    def __repr__(self) -> str:
        return f"<student {self._label}>"


class Ref:
    """An object that lives in the student's kernel."""

    def __init__(self, student: Student, ref_id: int, type_name: str, text: str, is_callable: bool,
                 label: str = "") -> None:
        object.__setattr__(self, "label", label or type_name)
        object.__setattr__(self, "_student", student)
        object.__setattr__(self, "_id", ref_id)
        object.__setattr__(self, "type_name", type_name)
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "is_callable", is_callable)

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        label = f"{self.label}.{attr}"
        return self._student._send({"op": "getattr", "ref": self._id, "attr": attr, "label": label},
                                   label=label)

    def __setattr__(self, attr: str, value: Any) -> None:
        label = f"{self.label}.{attr}"
        self._student._send({"op": "setattr", "ref": self._id, "attr": attr,
                             "value": self._student._encode(value)}, label=label)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        s = self._student
        timeout = kwargs.pop("_timeout", None)
        payload = {"op": "call", "target": {"ref": self._id}, "label": f"`{self.label}`",
                   "args": [s._encode(a) for a in args],
                   "kwargs": {k: s._encode(v) for k, v in kwargs.items()}}
        return s._send(payload, label=self.label, timeout=timeout)

    def __repr__(self) -> str:
        return f"<kernel {self.type_name}: {self.text}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ref) and other._id == self._id

    def __hash__(self) -> int:
        return hash(self._id)

    def __bool__(self) -> bool:
        return True
