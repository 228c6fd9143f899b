"""nbclient as the grader runs it: one cell at a time, with every message the kernel sends
counted against the cell's output budget, and malformed messages dropped.

A kernel can send display data with huge metadata, widget (comm) state, or display updates
that nbclient would keep outside the outputs; here whole messages count, comm messages and
display updates are dropped (nothing the grader keeps needs them), and a message nbclient
cannot read is the notebook's fault: it is counted and dropped, never raised. An output
message far over the cell's budget is dropped before its content is unpacked
(``BoundedSession``), so a flood costs the grader little time and memory.
"""
from __future__ import annotations

import math
import queue
import time
from typing import Any

import nbformat
import zmq
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.session import Session
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete
from traitlets import Integer

from grader.limits import Limits

# Message types a cell's bookkeeping needs whatever the budget (they are small or capped).
ALWAYS = ("status", "execute_input", "error")
DROPPED = ("update_display_data", "clear_output")
# Output messages: what the budget counts, or drops whatever its size.
OUTPUTS = ("stream", "display_data", "execute_result", *DROPPED)
OVERSIZE = "grader_oversize"   # key of a message dropped unread, holding its size in bytes
TRACEBACK_CHARS = 64 * 1024   # of an error output's traceback, kept in full otherwise


class ReadyClient(AsyncKernelClient):
    """jupyter_client's kernel client, ready once the kernel answers ``kernel_info`` and IOPub
    is connected. jupyter_client's own then drains IOPub until it has been silent for 0.2 s,
    which every kernel start paid; what it drained were other requests' messages, and nbclient
    reads only those of the cell it runs."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:  # type: ignore[override]
        deadline = time.monotonic() + (math.inf if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except queue.Empty:
                reply = None
            if isinstance(reply, dict) and reply.get("msg_type") == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=0.2)   # a message: IOPub is connected
                except queue.Empty:
                    pass   # not yet subscribed: ask again
                else:
                    self._handle_kernel_info_reply(reply)
                    return
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")


class CappedClient(NotebookClient):
    """nbclient, keeping at most ``output_limit`` bytes of kernel messages per cell."""

    output_limit = 256 * 1024

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, store_widget_state=False, **kwargs)
        self.used = 0           # bytes of this cell's messages so far
        self.malformed = 0      # messages dropped because nbclient could not read them

    def begin_cell(self) -> None:
        self.used = 0

    def process_message(self, msg: Any, cell: Any, cell_index: int) -> Any:  # type: ignore[override]
        if not well_formed(msg):
            self.malformed += 1
            return None
        kind = msg["msg_type"]
        if kind.startswith("comm") or kind in DROPPED:
            return None
        if kind not in ALWAYS:
            self.used += msg.get(OVERSIZE) or message_size(msg)
            if self.used > self.output_limit:
                self._note_truncated(cell.outputs)
                return None
        if kind == "error":
            content = msg["content"]
            content["traceback"] = _capped_lines(content.get("traceback"))
            content["ename"] = str(content.get("ename", ""))[:TRACEBACK_CHARS]
            content["evalue"] = str(content.get("evalue", ""))[:TRACEBACK_CHARS]
        try:
            return super().process_message(msg, cell, cell_index)
        except CellExecutionComplete:
            raise
        except (TypeError, AttributeError, KeyError, ValueError, IndexError):
            self.malformed += 1
            return None

    def handle_comm_msg(self, outs: Any, msg: Any, cell_index: int) -> None:  # never keeps widget state
        return None

    def _note_truncated(self, outs: list) -> None:
        if not any(o.get("name") == "grader-note" for o in outs):
            outs.append(nbformat.v4.new_output(
                "stream", name="grader-note",
                text=f"[output truncated: more than {self.output_limit // 1024} KB]\n"))


class BoundedSession(Session):
    """A kernel session that leaves an output or comm message of more than ``limit`` bytes
    unread: its signature and content are not checked or unpacked (it would be dropped
    anyway); the message keeps its header and carries its size under ``OVERSIZE``."""

    limit = Integer(8 * CappedClient.output_limit, help="bytes of metadata, content and buffers")

    def deserialize(self, msg_list: list, content: bool = True, copy: bool = True) -> dict:
        size = sum(len(part) for part in msg_list[3:]) if len(msg_list) >= 5 else 0
        if size > self.limit:
            try:
                header = self.unpack(bytes(msg_list[1]))
                kind = header["msg_type"]
            except Exception:
                kind = None
            if isinstance(kind, str) and (kind in OUTPUTS or kind.startswith("comm")):
                return {"header": header, "msg_id": header.get("msg_id"), "msg_type": kind,
                        "parent_header": self._parent_of(msg_list[2]), "metadata": {}, "content": {},
                        "buffers": [], OVERSIZE: size}
        return super().deserialize(msg_list, content=content, copy=copy)

    def _parent_of(self, frame: Any) -> dict:
        try:
            parent = self.unpack(bytes(frame))
        except Exception:
            return {}
        return parent if isinstance(parent, dict) else {}


def well_formed(msg: Any) -> bool:
    """Does ``msg`` have the shape nbclient reads (dicts where it expects dicts)?"""
    if not isinstance(msg, dict) or not isinstance(msg.get("msg_type"), str):
        return False
    if not all(isinstance(msg.get(part), dict) for part in ("header", "parent_header", "content")):
        return False
    content = msg["content"]
    transient = content.get("transient")
    return transient is None or isinstance(transient, dict)


def message_size(msg: dict) -> int:
    """About how many bytes a message holds: its content, metadata and binary buffers."""
    total = 0
    stack: list[Any] = [msg.get("content"), msg.get("metadata")]
    while stack:
        item = stack.pop()
        if isinstance(item, (str, bytes, bytearray, memoryview)):
            total += len(item)
        elif isinstance(item, dict):
            total += 8 * len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            total += 8 * len(item)
            stack.extend(item)
        else:
            total += 8
    for buffer in msg.get("buffers") or ():
        try:
            total += len(buffer)
        except TypeError:
            total += 8
    return total


def _capped_lines(lines: Any) -> list:
    kept, used = [], 0
    for line in lines if isinstance(lines, list) else []:
        text = str(line)
        if used + len(text) > TRACEBACK_CHARS:
            kept.append("[traceback truncated]")
            break
        kept.append(text)
        used += len(text)
    return kept


def single_spec(argv: list[str]) -> KernelSpecManager:
    """A kernel spec manager that knows one kernel: ``argv`` (empty for a forked kernel)."""
    spec = KernelSpec(argv=argv, display_name="Python 3", language="python", interrupt_mode="message",
                      env={}, metadata={})

    class _Specs(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str, *args: Any, **kwargs: Any) -> KernelSpec:
            return spec

        def find_kernel_specs(self) -> dict[str, str]:
            return {"python3": ""}

    return _Specs()


def cell_client(km: Any, limits: Limits, *, startup_timeout: float) -> CappedClient:
    """The client that runs a submission's cells on ``km``'s kernel, within ``limits``."""
    client = CappedClient(nbformat.v4.new_notebook(), km=km, timeout=int(limits.cell_timeout),
                          startup_timeout=startup_timeout, allow_errors=False,
                          interrupt_on_timeout=True, record_timing=False,
                          error_on_timeout={"ename": "CellTimeoutError", "evalue": "", "traceback": []},
                          iopub_timeout=5, raise_on_iopub_timeout=False)
    client.output_limit = limits.output_kb * 1024
    return client


def bounded_context(kind: Any, max_bytes: int) -> Any:
    """A new ZMQ context of ``kind``. A hostile kernel can send one enormous message; ZMQ drops
    any larger than ``max_bytes`` before it reaches (and bloats) the grader."""
    context = kind()
    context.setsockopt(zmq.MAXMSGSIZE, max_bytes)
    return context
