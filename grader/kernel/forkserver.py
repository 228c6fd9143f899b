"""A worker's warm sandbox: a pre-imported parent that forks one fresh kernel per submission.

The parent (grader/inkernel/zygote.py) runs in its own bubblewrap sandbox and has imported torch,
torchvision, numpy, pandas, matplotlib, d2l and ipykernel once. Each child is a new
process (nothing a submission does in its kernel reaches the parent or a later child),
gets its own cgroup from the grader before it runs anything, and isolates itself further
(see the zygote's docstring). Only one child runs at a time: a session asks for its kernel
when it attaches, after the previous one was closed.
"""
from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

from grader import inkernel
from grader.errors import SandboxError
from grader.kernel.cgroups import Cgroups
from grader.kernel.plan import LaunchPlan
from grader.kernel.sandbox import (DATADIR, HOME, WORKDIR, StartFolder, confined_command, log_tail,
                                   new_start_folder, open_new, prepare_runtime, python_of)

READY_TIMEOUT = 180
SPAWN_TIMEOUT = 10
# Reads one line, byte by byte (nothing buffered that the parent's own reads would miss).
_BOOT = ("import json, os\nline = b''\nwhile not line.endswith(b'\\n'):\n    byte = os.read(0, 1)\n"
         "    if not byte:\n        raise SystemExit(1)\n    line += byte\nboot = json.loads(line)\n"
         "exec(compile(boot['source'], '<parent>', 'exec'), {'__name__': '__main__', 'CONFIG': boot['config']})\n")


class ForkServer:
    """One sandboxed pre-imported parent. Start it early: its imports take seconds."""

    def __init__(self, plan: LaunchPlan) -> None:
        if not plan.sandboxed:
            raise SandboxError("a fork server is only used for sandboxed kernels")
        self.plan = plan
        self.process: subprocess.Popen | None = None
        self.cgroups: Cgroups | None = None
        self.starts = 0
        self._start: StartFolder | None = None   # this start's log and options
        self._ready = False
        self._buffer = b""
        self._events: list[dict] = []
        self.exits: dict[str, int] = {}

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> None:
        prepare_runtime(self.plan.runtime_dir)
        self.shared_dir.mkdir(mode=0o700, exist_ok=True)
        self._start = start = new_start_folder(self.plan.runtime_dir, self.starts)
        self.cgroups = Cgroups.create(self.plan.limits)
        config = {"home": HOME, "data": DATADIR, "work": WORKDIR,
                  "data_items": [item.name for item in self.plan.data],
                  "shared": str(self.shared_dir),
                  "scratch_bytes": self.plan.limits.scratch_mb * 1024 * 1024}
        argv = confined_command(self.plan, [python_of(self.plan), "-c", _BOOT], self.cgroups,
                                writable=self.shared_dir, options=start.options)
        log = open_new(start.log)
        try:
            self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=log, env={}, start_new_session=True)
        finally:
            os.close(log)
        assert self.process.stdout is not None
        # The parent's source and settings come as the first line on stdin, so that its
        # command line (which its children can read) is only the short boot line.
        self._send({"source": inkernel.source("zygote"), "config": config})
        flags = fcntl.fcntl(self.process.stdout, fcntl.F_GETFL)
        fcntl.fcntl(self.process.stdout, fcntl.F_SETFL, flags | os.O_NONBLOCK)
        self.starts += 1
        self._ready = False
        self._buffer = b""
        self._events = []

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        """Block until the parent has imported everything; refuse a parent that could leak."""
        if self._ready:
            return
        event = self._next(lambda e: "ready" in e, timeout, "start")
        if event.get("shared"):
            self.close()
            raise SandboxError("the kernel parent has writable shared memory a child could use "
                               f"to reach it ({event['shared'][0]})")
        if len(event.get("tasks", ())) != 1:
            self.close()
            raise SandboxError(f"the kernel parent runs {len(event.get('tasks', ()))} threads after its "
                               "imports; forking it is unsafe")
        self._ready = True

    @property
    def shared_dir(self) -> Path:
        """The host folder every child's runtime folder lives in (each child sees only the
        Jupyter folder of its own start)."""
        return self.plan.runtime_dir / "kernels"

    def new_kernel_dir(self) -> Path:
        path = self.shared_dir / uuid.uuid4().hex[:12]
        path.mkdir(parents=True)
        return path

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def ensure_running(self) -> None:
        """Start again if a child (or anything else) killed the parent."""
        if not self.alive():
            self.close(keep_runtime=True)
            self.start()
        self.wait_ready()

    def close(self, *, keep_runtime: bool = False) -> None:
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except OSError:
                pass
            self.process.wait()
            for stream in (self.process.stdin, self.process.stdout):
                if stream is not None:
                    stream.close()
            self.process = None
        if self.cgroups is not None:
            self.cgroups.destroy()
            self.cgroups = None
        if not keep_runtime:
            shutil.rmtree(self.plan.runtime_dir, ignore_errors=True)

    # ---------------------------------------------------------------- between forked workers
    def adopt(self) -> None:
        """Use, in a process forked from the one that started this parent, the parent that
        process started (that process reaps it, and ends it with ``close`` once this one is done)."""
        if self.process is not None and not isinstance(self.process, AdoptedProcess):
            self.process = AdoptedProcess(self.process)

    def hand_over(self) -> None:
        """Close this process's copy of the parent's channel: another process uses it now."""
        if self.process is not None:
            for stream in (self.process.stdin, self.process.stdout):
                if stream is not None:
                    stream.close()

    # ---------------------------------------------------------------- children
    def spawn(self, start: StartFolder, connection_file: Path, cgroups: Cgroups | None) -> "ForkedKernel":
        """Fork a child for ``start`` (it sees ``start.jupyter``, logs to ``start.log``), put it in
        ``cgroups``, then let it start. A parent that does not answer (an earlier child may
        have stopped or killed it) is replaced once."""
        self.ensure_running()
        kid = uuid.uuid4().hex[:12]
        try:
            event = self._fork(kid, start, connection_file)
        except SandboxError:
            self.close(keep_runtime=True)
            self.ensure_running()
            event = self._fork(kid, start, connection_file)
        host_pid = self._host_pid(int(event["pid"]))
        if host_pid is None:   # never let a child run outside its cgroup
            self.close(keep_runtime=True)
            raise SandboxError("the forked kernel could not be found on the host")
        if cgroups is not None:
            cgroups.join(host_pid)
        self._send({"go": kid})
        return ForkedKernel(self, kid, host_pid)

    def _fork(self, kid: str, start: StartFolder, connection_file: Path) -> dict:
        self._send({"spawn": kid, "dir": str(start.jupyter), "log": str(start.log),
                    "connection_file": str(connection_file)})
        return self._next(lambda e: e.get("spawned") == kid, SPAWN_TIMEOUT, "fork")

    def status(self, kid: str) -> int | None:
        """A child's exit status, once (its ForkedKernel keeps it), so nothing piles up here."""
        self._pump()
        return self.exits.pop(kid, None)

    def _host_pid(self, ns_pid: int) -> int | None:
        assert self.process is not None
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            fields = _status(int(entry))
            nspid = fields.get("NSpid", "").split()
            if len(nspid) >= 2 and nspid[-1] == str(ns_pid) and self._descends(int(entry)):
                return int(entry)
        return None

    def _descends(self, pid: int) -> bool:
        assert self.process is not None
        for _ in range(16):
            parent = int(_status(pid).get("PPid", "0") or 0)
            if parent == self.process.pid:
                return True
            if parent <= 1:
                return False
            pid = parent
        return False

    # ---------------------------------------------------------------- channel
    def _send(self, message: dict) -> None:
        assert self.process is not None and self.process.stdin is not None
        try:
            self.process.stdin.write((json.dumps(message) + "\n").encode())
            self.process.stdin.flush()
        except OSError as exc:
            raise SandboxError(f"the kernel parent stopped listening ({exc})") from None

    def _pump(self) -> None:
        if self.process is None or self.process.stdout is None:
            return
        while True:
            try:
                chunk = os.read(self.process.stdout.fileno(), 65536)
            except BlockingIOError:
                break
            except OSError:
                break
            if not chunk:
                break
            self._buffer += chunk
        while b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if not isinstance(event, dict):
                continue
            if "exited" in event:
                self.exits[str(event["exited"])] = int(event.get("status", -9))
            else:
                self._events.append(event)

    def _next(self, wanted: Any, timeout: float, what: str) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            self._pump()
            for event in self._events:
                if wanted(event):
                    self._events.remove(event)
                    return event
            if not self.alive():
                tail = log_tail(self._start.log) if self._start else ""
                raise SandboxError(f"the kernel parent failed to {what}" + (f" ({tail})" if tail else ""))
            if time.monotonic() > deadline:
                raise SandboxError(f"the kernel parent did not {what} within {timeout:.0f} s")
            time.sleep(0.01)


class ForkedKernel:
    """The part of ``subprocess.Popen`` jupyter_client uses, for a kernel the grader did not spawn."""

    stdin = stdout = stderr = None

    def __init__(self, server: ForkServer, kid: str, pid: int) -> None:
        self.server = server
        self.kid = kid
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.server.status(self.kid)
        if self.returncode is None and not Path(f"/proc/{self.pid}").exists():
            # Reaped: its parent reports the status right after, unless the parent went too
            # (and the whole sandbox with it).
            for _ in range(10):
                time.sleep(0.02)
                self.returncode = self.server.status(self.kid)
                if self.returncode is not None:
                    break
            else:
                self.returncode = -signal.SIGKILL
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("forked kernel", timeout or 0)
            time.sleep(0.02)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class AdoptedProcess:
    """The part of ``subprocess.Popen`` a ForkServer uses, for a parent started by the process
    this one was forked from: that process reaps it, so its end is seen through a pidfd."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.pid, self.stdin, self.stdout = process.pid, process.stdin, process.stdout
        self.returncode: int | None = process.returncode
        try:
            self._pidfd: int | None = os.pidfd_open(self.pid)
        except OSError:   # already gone
            self._pidfd, self.returncode = None, -signal.SIGKILL

    def poll(self) -> int | None:
        return self.wait(0)

    def wait(self, timeout: float | None = None) -> int | None:
        if self.returncode is None and self._pidfd is not None and select.select([self._pidfd], [], [], timeout)[0]:
            os.close(self._pidfd)
            self._pidfd = None
            self.returncode = -signal.SIGKILL   # its status goes to the process that reaps it
        return self.returncode


@dataclass(frozen=True)
class ForkRequest:
    """A kernel to fork: from which server, for which start folder, into which cgroups."""

    server: ForkServer
    start: StartFolder
    cgroups: Cgroups | None


class ForkedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel is forked by a fork server rather than spawned."""

    def __init__(self, request: ForkRequest, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fork_request = request

    async def _async_pre_start_kernel(self, **kw: Any) -> Any:
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = ForkedProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec,
                                                 parent=self)
        return await super()._async_pre_start_kernel(**kw)


class ForkedProvisioner(LocalProvisioner):  # type: ignore[misc]
    """Launches the kernel by asking the manager's fork server for a child (``cmd`` is empty)."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        km = self.parent
        request: ForkRequest = km.fork_request
        self.process = request.server.spawn(request.start, Path(km.connection_file), request.cgroups)
        self.pid = self.process.pid
        self.pgid = None
        return self.connection_info


def _status(pid: int) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)
