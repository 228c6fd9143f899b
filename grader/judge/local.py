"""An in-process link: the bridge's agent serving a namespace in this very process.

Used by ``grader.check(...)`` inside a student's own notebook (their code, their machine)
and by the project's fast tests. Requests still go through the wire format both ways, so
tests see exactly the values they would get from a kernel.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grader.errors import WireError
from grader.inkernel import agent, wire
from grader.judge.source import SourceIndex
from grader.limits import Limits

MB = 1024 * 1024


@dataclass
class _Shell:
    user_ns: dict[str, Any] = field(default_factory=dict)


class NamespaceLink:
    """Serves bridge requests against ``namespace`` (for example an IPython ``user_ns``)."""

    def __init__(self, namespace: dict[str, Any], *, limits: Limits | None = None) -> None:
        limits = limits or Limits()
        self.agent = agent.install(_Shell(namespace), wire, max_bytes=limits.reply_mb * MB,
                                   max_message=limits.message_mb * MB)

    def request(self, payload: dict, *, timeout: float) -> dict:
        self.agent.handle(wire.dumps(payload))
        try:
            reply = wire.loads(self.agent.last, max_chars=self.agent.max_message)
        except wire.WireFormatError as exc:
            raise WireError(str(exc)) from None
        return reply

    def snapshot(self, label: str) -> None:
        self.request({"op": "snapshot", "label": label}, timeout=0)

    def source_index(self) -> SourceIndex:
        """The source of the functions and classes in the namespace, section by section."""
        return SourceIndex.from_namespaces([*self.agent.snapshots.items(), (None, self.agent.shell.user_ns)])


def reference_link(assignment: Any, *, replace: dict[str, Any] | None = None,
                   section: str | None = None) -> NamespaceLink:
    """A link to the namespace a perfect notebook leaves, with ``replace`` swapped in at the
    end of ``section`` (every section when None), e.g. one function replaced by a
    plausible wrong version. A later section that defines the name again wins, as in a
    notebook run top to bottom."""
    from grader.judge.solutions import reference_namespace
    namespace: dict[str, Any] = {}
    link = NamespaceLink(namespace)
    replace = replace or {}

    def snapshot(done: str) -> None:
        if section is None or done == section:
            namespace.update(replace)
        link.snapshot(done)

    reference_namespace(assignment, namespace=namespace, snapshot=snapshot)
    return link
