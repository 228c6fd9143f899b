"""An in-process link: the bridge's agent serving a namespace in this very process.

Used by ``grader.check(...)`` inside a student's own notebook (their code, their machine)
and by the project's fast tests. Requests still go through the wire format both ways, so
tests see exactly the values they would get from a kernel.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grader import agent, wire
from grader.errors import WireError


@dataclass
class _Shell:
    user_ns: dict[str, Any] = field(default_factory=dict)


class NamespaceLink:
    """Serves bridge requests against ``namespace`` (for example an IPython ``user_ns``)."""

    def __init__(self, namespace: dict[str, Any], *, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.agent = agent.install(_Shell(namespace), max_bytes)

    def request(self, payload: dict, *, timeout: float) -> dict:
        self.agent.handle(wire.dumps(payload))
        try:
            reply = wire.loads(self.agent.last, max_chars=16 * self.agent.max_bytes)
        except wire.WireFormatError as exc:
            raise WireError(str(exc)) from None
        return reply

    def snapshot(self, label: str) -> None:
        self.request({"op": "snapshot", "label": label}, timeout=0)
