"""The grader's ends of the two ways a bridge request reaches the agent in a kernel
(grader/inkernel/agent.py), and the reading of its answer.

- Its own socket: [id, request] frames on a PAIR socket beside the kernel's channels,
  read by the kernel's main loop; each answer names the request it answers. About 0.7 ms a
  round trip on this project's machine.
- The shell channel, as the agent's own message type: the fallback for a kernel that could
  not open the socket. About 4 ms a round trip (thread hops, busy/idle statuses).
"""
from __future__ import annotations

import queue
from collections.abc import Callable
from pathlib import Path
from typing import Any

import zmq

from grader.errors import WireError
from grader.inkernel import agent, wire


def agent_endpoint(jupyter: Path) -> str:
    """Where the agent binds its socket: beside the kernel's channels (``kernel-<port>``)."""
    return f"ipc://{jupyter / 'kernel'}-agent"


def agent_bound(boot_reply: dict, endpoint: str) -> bool:
    """Did the agent's boot cell report that it answers at ``endpoint``? (Its user expression
    ``inkernel.AGENT_ENDPOINT``, under the key "endpoint".)"""
    said = boot_reply.get("content", {}).get("user_expressions", {}).get("endpoint", {})
    return isinstance(said, dict) and said.get("status") == "ok" \
        and (said.get("data") or {}).get("text/plain") == repr(endpoint)


class AgentSocket:
    """The grader's end of the agent's own socket."""

    def __init__(self, context: zmq.Context, endpoint: str) -> None:
        self._sock = context.socket(zmq.PAIR)
        self._sock.setsockopt(zmq.LINGER, 0)
        self._sock.connect(endpoint)
        self._asked = 0

    def send(self, text: str) -> Callable[[float], str | None]:
        """Send one request; returns its receiver (see KernelSession._await): the answer's text,
        None for something else, queue.Empty when nothing came within the seconds given."""
        self._asked += 1
        ident = str(self._asked).encode()
        try:
            self._sock.send_multipart([ident, text.encode()], zmq.NOBLOCK)
        except zmq.ZMQError:
            raise WireError("the kernel is not reading the grader's requests") from None

        def receive(wait: float) -> str | None:
            if not self._sock.poll(int(wait * 1000)):
                raise queue.Empty
            frames = self._sock.recv_multipart(zmq.NOBLOCK)
            # A reply to an earlier request that timed out is not this one's.
            if len(frames) != 2 or frames[0] != ident:
                return None
            return frames[1].decode("utf-8", "replace")
        return receive

    def close(self) -> None:
        self._sock.close(linger=0)


def shell_answer(reply: dict) -> str:
    """The text of the agent's answer in its shell reply message."""
    answer = reply.get("content", {}).get("reply") if reply.get("msg_type") == agent.REPLY else None
    if not isinstance(answer, str):
        raise WireError("the kernel's answer to the grader was unreadable")
    return answer


def read_answer(text: str, *, max_chars: int) -> dict[str, Any]:
    """The agent's answer as a reply document (``ok``/``value``/``error``)."""
    try:
        parsed = wire.loads(text, max_chars=max_chars)
    except wire.WireFormatError:
        raise WireError("the kernel's answer was over the size limit") from None
    except (ValueError, MemoryError, RecursionError):
        parsed = None
    if not isinstance(parsed, dict) or "ok" not in parsed:
        raise WireError("the kernel's answer to the grader was malformed")
    return parsed
