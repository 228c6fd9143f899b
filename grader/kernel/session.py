"""One live student kernel: start it (sandboxed, forked or neither), run cells, answer bridge
requests.

Cells run through nbclient; bridge requests go to the agent (grader/inkernel/agent.py) on a
socket of its own beside the kernel's channels, or, in a kernel that cannot open one, as the
agent's own shell message type on a second, blocking client. Either way nothing the student
prints or displays can be mistaken for an answer.
"""
from __future__ import annotations

import os
import queue
import shutil
import signal
import time
from dataclasses import dataclass
from typing import Any

import nbformat
import zmq
import zmq.asyncio
from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from grader import inkernel
from grader.errors import CallTimeoutError, KernelDiedError, SandboxError, WireError
from grader.inkernel import agent, wire
from grader.kernel.agentlink import AgentSocket, agent_bound, agent_endpoint, read_answer, shell_answer
from grader.kernel.cgroups import Cgroups
from grader.kernel.client import BoundedSession, CappedClient, bounded_context, cell_client, single_spec
from grader.kernel.forkserver import ForkedKernelManager, ForkRequest, ForkServer
from grader.kernel.isolation import end_user
from grader.kernel.plan import LaunchPlan
from grader.kernel.sandbox import (StartFolder, confined_command, log_tail, new_start_folder, open_new,
                                   prepare_runtime, python_of)
from grader.text import plain_traceback, shorten

STARTUP_TIMEOUT = 120
AGENT_TIMEOUT = 30
MB = 1024 * 1024


ENAME_CHARS = 100


@dataclass(frozen=True)
class CellRun:
    """What happened when one code cell ran."""

    status: str  # ok | error | timeout | died
    seconds: float
    error: dict | None = None
    outputs: tuple = ()


class _Kernel:
    """One kernel process and the grader's clients of it; replaced at every (re)start."""

    def __init__(self, start: StartFolder, client: CappedClient, bridge: BlockingKernelClient | None,
                 cgroups: Cgroups | None, prelude: str = "") -> None:
        self.start = start
        self.client = client
        self.bridge = bridge
        self.cgroups = cgroups
        self.prelude = prelude       # the prelude request's message id
        self.agent_ready = False
        self.agent: AgentSocket | None = None   # the agent's own socket, when it has one
        self.stuck = False           # a call ignored its interrupt; only a restart frees the kernel


class KernelSession:
    """A kernel for one submission. Use as a context manager (which closes it)."""

    def __init__(self, plan: LaunchPlan, *, seed: int, forkserver: ForkServer | None = None) -> None:
        self.plan = plan
        self.seed = seed
        # With a fork server the kernel is forked from a pre-imported parent, at attach():
        # forking takes milliseconds, and only one child of a parent runs at a time.
        self.forkserver = forkserver
        self.restarts = 0
        self.start_seconds = 0.0
        self.attached = False        # a launched kernel not yet attached can serve another submission
        self._kernel: _Kernel | None = None
        self._starts = 0             # kernel processes started so far (each gets its own folder)

    # ---------------------------------------------------------------- lifecycle
    def __enter__(self) -> "KernelSession":
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def start(self) -> None:
        self.launch()
        self.attach()

    def launch(self) -> None:
        """Start the kernel process and queue its prelude, without waiting for either.
        ZMQ holds the request until the kernel binds its sockets, so the heavy imports run
        while the caller does other work (warm kernels). A forked kernel starts at attach()."""
        self.attached = False
        if self.forkserver is None:
            self._start_process()

    def attach(self) -> None:
        """Wait until the launched kernel answers and its prelude has run."""
        began = time.monotonic()
        self.attached = True
        if self._kernel is None:
            self._start_process()
        kernel = self._running()
        try:
            kernel.client.start_new_kernel_client()
            reply = self._wait(kernel.prelude, timeout=STARTUP_TIMEOUT)
        except Exception as exc:
            self._fail_start(exc)
        if reply["content"].get("status") != "ok":
            content = reply["content"]
            self._fail_start(RuntimeError(f"{content.get('ename')}: {shorten(content.get('evalue', ''))}"))
        self.start_seconds += time.monotonic() - began

    def _start_process(self) -> None:
        began = time.monotonic()
        if self.plan.sandboxed and self.forkserver is None:
            prepare_runtime(self.plan.runtime_dir)
        if self.plan.scratch_dir is not None:
            self.plan.scratch_dir.mkdir(parents=True, exist_ok=True)
        start = new_start_folder(self.plan.runtime_dir, self._starts)
        if self.plan.uid is not None:
            os.chmod(start.root, 0o711)   # the kernel's user passes through to jupyter/ only
        self._starts += 1
        cgroups = Cgroups.create(self.plan.limits)
        client = cell_client(self._manager(cgroups, start), self.plan.limits, startup_timeout=STARTUP_TIMEOUT)
        try:
            if self.forkserver is not None:   # the forked child opens its own log
                client.start_new_kernel()
            else:
                with open(open_new(start.log), "wb") as log:
                    client.start_new_kernel(stdout=log, stderr=log)
        except Exception as exc:
            self._kernel = _Kernel(start, client, None, cgroups)   # for _fail_start to clean up
            self._fail_start(exc)
        bridge = BlockingKernelClient(context=bounded_context(zmq.Context, self.plan.limits.message_mb * MB))
        bridge.load_connection_info(client.km.get_connection_info())
        bridge.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        prelude = bridge.execute(inkernel.prelude_code(seed=self.seed, plain=self.plan.plain, max_workers=0),
                                 silent=True, store_history=False, user_expressions={},
                                 allow_stdin=False, stop_on_error=False)
        self._kernel = _Kernel(start, client, bridge, cgroups, prelude)
        self.start_seconds = time.monotonic() - began

    def _manager(self, cgroups: Cgroups | None, start: StartFolder) -> AsyncKernelManager:
        common = dict(kernel_name="python3", transport="ipc", ip=str(start.jupyter / "kernel"),
                      client_class="grader.kernel.client.ReadyClient",
                      connection_file=str(start.jupyter / "kernel.json"),
                      context=bounded_context(zmq.asyncio.Context, self.plan.limits.message_mb * MB),
                      # far over a cell's output budget: dropped unread
                      session=BoundedSession(limit=8 * self.plan.limits.output_kb * 1024))
        if self.forkserver is not None:
            request = ForkRequest(server=self.forkserver, start=start, cgroups=cgroups)
            return ForkedKernelManager(request, kernel_spec_manager=single_spec([]), **common)
        program = [python_of(self.plan), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        argv = confined_command(self.plan, program, cgroups, writable=start.jupyter, options=start.options)
        return AsyncKernelManager(kernel_spec_manager=single_spec(argv), **common)

    def _fail_start(self, exc: BaseException) -> None:
        reason = self.death_reason() or str(exc)
        tail = log_tail(self._kernel.start.log) if self._kernel else ""
        self.shutdown()
        if tail:
            reason += f" (kernel said: {tail})"
        raise SandboxError(f"the student kernel did not start: {reason}") from None

    def shutdown(self) -> None:
        """Stop the kernel and every process it started; keep the runtime folder."""
        kernel, self._kernel = self._kernel, None
        if kernel is None:
            return
        try:
            if kernel.agent is not None:
                kernel.agent.close()
            if kernel.bridge is not None:
                kernel.bridge.stop_channels()
        except Exception:
            pass
        if kernel.client.km is not None:
            try:
                kernel.client._cleanup_kernel()
            except Exception:
                pass
        if kernel.cgroups is not None:
            kernel.cgroups.destroy()
        if self.plan.uid is not None:
            end_user(self.plan.uid)
        shutil.rmtree(kernel.start.root, ignore_errors=True)

    def close(self) -> None:
        """Stop the kernel and remove everything it had on the host."""
        self.shutdown()
        shutil.rmtree(self.plan.runtime_dir, ignore_errors=True)

    def restart(self) -> None:
        self.shutdown()
        self.restarts += 1
        self.start()

    # ---------------------------------------------------------------- state
    def _running(self) -> _Kernel:
        if self._kernel is None:
            raise KernelDiedError("the kernel is not running")
        return self._kernel

    @property
    def generation(self) -> int:
        """Which start of this session's kernel is running (0 before the first restart)."""
        return self.restarts

    @property
    def stuck(self) -> bool:
        return self._kernel is not None and self._kernel.stuck

    def alive(self) -> bool:
        process = self._process()
        try:
            return process is not None and process.poll() is None
        except Exception:
            return False

    def forks_refused(self) -> int:
        """How many new processes the running kernel's pids cgroup has refused so far."""
        cgroups = self._kernel.cgroups if self._kernel else None
        return cgroups.forks_refused() if cgroups is not None else 0

    def peak_memory_mb(self) -> float | None:
        cgroups = self._kernel.cgroups if self._kernel else None
        return cgroups.peak_memory_mb() if cgroups is not None else None

    def death_reason(self) -> str | None:
        """Why the kernel is gone, in words a student can act on; None while it lives."""
        cgroups = self._kernel.cgroups if self._kernel else None
        if cgroups is not None and cgroups.oom_killed():
            return f"the memory limit ({self.plan.limits.memory_mb} MB) was exceeded"
        code = self._exit_code()
        if code is None:
            return None
        if code in (128 + signal.SIGXCPU, -signal.SIGXCPU):
            return f"the CPU time limit ({self.plan.limits.cpu_seconds} s) was exceeded"
        if code in (128 + signal.SIGKILL, -signal.SIGKILL):
            return "the kernel was killed (SIGKILL)"
        if code >= 128:
            return f"the kernel was killed by signal {code - 128}"
        return f"the kernel exited with status {code}"

    def _process(self) -> Any:
        km = self._kernel.client.km if self._kernel else None
        try:
            return km.provisioner.process if km is not None and km.provisioner else None
        except Exception:
            return None

    def _exit_code(self) -> int | None:
        process = self._process()
        return None if process is None else process.poll()

    # ---------------------------------------------------------------- cells
    def run_cell(self, source: str, index: int, timeout: float) -> CellRun:
        client = self._running().client
        cell = nbformat.v4.new_code_cell(source)
        client.nb.cells = [cell]
        client.timeout = max(1, int(timeout))
        client.begin_cell()
        began = time.monotonic()
        try:
            client.execute_cell(cell, 0)
        except CellExecutionError as exc:
            seconds = time.monotonic() - began
            if exc.ename == "CellTimeoutError":
                return CellRun("timeout", seconds, {"type": "Timeout", "message":
                               f"the cell ran longer than {timeout:.0f} s and was stopped"},
                               tuple(cell.outputs))
            return CellRun("error", seconds, {"type": shorten(exc.ename, ENAME_CHARS), "message": shorten(exc.evalue),
                                              "traceback": plain_traceback(cell.outputs)},
                           tuple(cell.outputs))
        except (DeadKernelError, CellTimeoutError, RuntimeError) as exc:
            seconds = time.monotonic() - began
            reason = self._wait_for_reason() or f"the kernel stopped responding ({shorten(exc, 200)})"
            return CellRun("died", seconds, {"type": "KernelDied", "message": reason},
                           tuple(cell.outputs))
        except (TypeError, AttributeError, KeyError, ValueError, IndexError):
            # nbclient could not read the kernel's reply: the kernel sent something malformed.
            return CellRun("error", time.monotonic() - began, {
                "type": "KernelProtocolError",
                "message": "the kernel sent a malformed message, so this cell's outcome is unknown"},
                tuple(cell.outputs))
        return CellRun("ok", time.monotonic() - began, None, tuple(cell.outputs))

    def _wait_for_reason(self) -> str | None:
        for _ in range(20):
            reason = self.death_reason()
            if reason:
                return reason
            time.sleep(0.05)
        return None

    def settle(self, seconds: float = 5.0) -> bool:
        """After an interrupt: is the kernel answering again? If not, it must be restarted."""
        try:
            self._silent("pass", timeout=seconds)
            return True
        except (CallTimeoutError, KernelDiedError):
            return False

    # ---------------------------------------------------------------- bridge
    def request(self, payload: dict, *, timeout: float) -> dict:
        """Send one request to the agent; returns its reply document (``ok``/``value``/``error``)."""
        kernel = self._ready()
        assert kernel.bridge is not None
        if not kernel.agent_ready:
            limits = self.plan.limits
            endpoint = agent_endpoint(kernel.start.jupyter)
            boot = self._silent(inkernel.agent_code(max_bytes=limits.reply_mb * MB, max_message=limits.message_mb * MB,
                                                    endpoint=endpoint),
                                timeout=AGENT_TIMEOUT, user_expressions={"endpoint": inkernel.AGENT_ENDPOINT})
            if agent_bound(boot, endpoint):
                kernel.agent = AgentSocket(kernel.bridge.context, endpoint)
            kernel.agent_ready = True
        request = wire.dumps(payload)
        if kernel.agent is not None:
            text = self._await(kernel.agent.send(request), timeout=timeout)
        else:
            message = kernel.bridge.session.msg(agent.REQUEST, {"request": request})
            kernel.bridge.shell_channel.send(message)
            text = shell_answer(self._wait(message["header"]["msg_id"], timeout=timeout))
        return read_answer(text, max_chars=self.plan.limits.message_mb * MB)

    @property
    def agent_transport(self) -> str | None:
        """Where bridge requests travel: "socket" (the agent's own), "shell", or None before
        the first request to this kernel."""
        kernel = self._kernel
        if kernel is None or not kernel.agent_ready:
            return None
        return "socket" if kernel.agent is not None else "shell"

    def _silent(self, code: str, *, timeout: float, user_expressions: dict | None = None) -> dict:
        kernel = self._ready()
        assert kernel.bridge is not None
        msg_id = kernel.bridge.execute(code, silent=True, store_history=False, user_expressions=user_expressions or {},
                                       allow_stdin=False, stop_on_error=False)
        reply = self._wait(msg_id, timeout=timeout)
        if reply["content"].get("status") != "ok":
            content = reply["content"]
            raise WireError(f"setup code failed in the kernel: {content.get('ename')}: "
                            f"{shorten(content.get('evalue', ''))}")
        return reply

    def _ready(self) -> _Kernel:
        kernel = self._kernel
        if kernel is None or not self.alive():
            raise KernelDiedError(self.death_reason() or "the kernel is not running")
        if kernel.stuck:
            raise KernelDiedError("the kernel is still busy with an earlier call that ignored "
                                  "its interrupt, and could not be restarted")
        return kernel

    def _wait(self, msg_id: str, *, timeout: float) -> dict:
        """The shell reply to ``msg_id``."""
        kernel = self._running()
        assert kernel.bridge is not None
        bridge = kernel.bridge

        def receive(wait: float) -> dict | None:
            msg = bridge.get_shell_msg(timeout=wait)
            if not isinstance(msg, dict) or not isinstance(msg.get("parent_header"), dict) \
                    or not isinstance(msg.get("content"), dict):
                return None
            return msg if msg["parent_header"].get("msg_id") == msg_id else None
        return self._await(receive, timeout=timeout)

    def _await(self, receive: Any, *, timeout: float) -> Any:
        """What ``receive(seconds)`` gives (it raises queue.Empty when nothing came, and gives None
        for what is not the awaited answer). Past ``timeout`` the kernel is interrupted once and
        given 5 s more; the kernel's death ends the wait early."""
        deadline = time.monotonic() + timeout
        interrupted = False
        while True:
            remaining = deadline - time.monotonic()
            try:
                msg = receive(max(0.05, min(remaining, 0.5)))
            except queue.Empty:
                if not self.alive():
                    raise KernelDiedError(self._wait_for_reason() or "the kernel died") from None
                if time.monotonic() < deadline:
                    continue
                if not interrupted:
                    interrupted = True
                    self.interrupt()
                    deadline = time.monotonic() + 5
                    continue
                self._running().stuck = True
                raise CallTimeoutError(f"no answer within {timeout:.0f} s") from None
            except Exception as exc:   # a message that does not decode: the kernel's doing
                raise WireError(f"the kernel sent a message the grader cannot read ({type(exc).__name__})") from None
            if msg is None:
                continue
            if interrupted:
                raise CallTimeoutError(f"no answer within {timeout:.0f} s")
            return msg

    def interrupt(self) -> None:
        km = self._kernel.client.km if self._kernel else None
        if km is None:
            return
        try:
            from jupyter_core.utils import run_sync
            run_sync(km.interrupt_kernel)()
        except Exception:
            pass
