"""One live student kernel: start it (sandboxed or not), run cells, answer bridge requests.

Cells run through nbclient; bridge requests use a second, blocking client on the same
kernel and travel as the agent's own shell message type, answered on the shell channel
(see agent.install), so nothing the student prints or displays can be mistaken for an answer.
"""
from __future__ import annotations

import shutil
import signal
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat
import zmq
import zmq.asyncio
from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from grader import agent, wire
from grader.errors import CallTimeoutError, KernelDiedError, SandboxError, WireError
from grader.sandbox import Cgroups, LaunchPlan, kernel_argv, log_tail, prepare_runtime

if TYPE_CHECKING:
    from grader.forkserver import ForkServer

AGENT_MODULE = "_nbagent"
WIRE_MODULE = "_nbagent_wire"
_SOURCES = Path(__file__).resolve().parent
STARTUP_TIMEOUT = 120


@dataclass(frozen=True)
class CellRun:
    """What happened when one code cell ran."""

    status: str  # ok | error | timeout | died
    seconds: float
    error: dict | None = None
    outputs: tuple = ()


class CappedClient(NotebookClient):
    """nbclient, keeping at most ``output_limit`` bytes of output per cell."""

    output_limit = 256 * 1024

    def output(self, outs, msg, display_id, cell_index):  # type: ignore[override]
        used = sum(_output_size(o) for o in outs)
        if used > self.output_limit:
            if not any(o.get("name") == "grader-note" for o in outs):
                outs.append(nbformat.v4.new_output(
                    "stream", name="grader-note",
                    text=f"[output truncated: more than {self.output_limit // 1024} KB]\n"))
            return None
        return super().output(outs, msg, display_id, cell_index)


def _output_size(out: dict) -> int:
    if out.get("output_type") == "stream":
        return len(out.get("text", ""))
    data = out.get("data", {})
    return sum(len(v) if isinstance(v, str) else len(str(v)) for v in data.values())


class KernelSession:
    """A running kernel for one submission. Use as a context manager."""

    def __init__(self, plan: LaunchPlan, *, seed: int, forkserver: "ForkServer | None" = None) -> None:
        self.plan = plan
        self.seed = seed
        # With a fork server the kernel is forked from a pre-imported parent, at attach():
        # forking takes milliseconds, and only one child of a parent runs at a time.
        self.forkserver = forkserver
        self._pending = False
        self.cgroups: Cgroups | None = None
        self.client: CappedClient | None = None
        self.bridge: BlockingKernelClient | None = None
        self.agent_ready = False
        self.restarts = 0
        self.start_seconds = 0.0
        self._forks_seen = 0
        self.stuck = False     # a call ignored its interrupt; only a restart frees the kernel
        self._prelude = ""
        self.attached = False  # a launched kernel not yet attached can serve another submission

    # ---------------------------------------------------------------- lifecycle
    def __enter__(self) -> "KernelSession":
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.shutdown()

    def start(self) -> None:
        self.launch()
        self.attach()

    def launch(self) -> None:
        """Start the kernel process and queue its prelude, without waiting for either.
        ZMQ holds the request until the kernel binds its sockets, so the heavy imports run
        while the caller does other work (warm kernels). A forked kernel starts at attach()."""
        self.attached = False
        if self.forkserver is not None:
            self._pending = True
            return
        self._start_process()

    def _start_process(self) -> None:
        began = time.monotonic()
        prepare_runtime(self.plan.runtime_dir)
        if self.plan.scratch_dir is not None:
            self.plan.scratch_dir.mkdir(parents=True, exist_ok=True)
        self.cgroups = Cgroups.create(self.plan.limits)
        self._forks_seen = 0
        self.stuck = False
        forked = self.forkserver is not None
        argv = ["python", "-f", "{connection_file}"] if forked else kernel_argv(self.plan, self.cgroups)
        spec = KernelSpec(argv=argv, display_name="Python 3",
                          language="python", interrupt_mode="message", env={}, metadata={})
        jupyter_dir = self.plan.runtime_dir / "jupyter"
        # A hostile kernel can send one enormous message; ZMQ drops any larger than this
        # before it reaches (and bloats) the grader.
        max_message = 3 * self.plan.limits.reply_mb * 1024 * 1024
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.MAXMSGSIZE, max_message)
        manager = _ForkedKernelManager if forked else AsyncKernelManager
        km = manager(kernel_name="python3", kernel_spec_manager=_single_spec(spec),
                     transport="ipc", ip=str(jupyter_dir / "kernel"),
                     connection_file=str(jupyter_dir / "kernel.json"), context=context)
        if forked:
            km.forked = (self.forkserver, self.plan.runtime_dir, self.cgroups)
        nb = nbformat.v4.new_notebook()
        client = CappedClient(nb, km=km, timeout=int(self.plan.limits.cell_timeout),
                              startup_timeout=STARTUP_TIMEOUT, allow_errors=False,
                              interrupt_on_timeout=True, record_timing=False,
                              error_on_timeout={"ename": "CellTimeoutError", "evalue": "",
                                                "traceback": []},
                              iopub_timeout=5, raise_on_iopub_timeout=False)
        client.output_limit = self.plan.limits.output_kb * 1024
        self.client = client
        try:
            with open(self.plan.runtime_dir / "kernel.log", "wb") as log:
                client.start_new_kernel(stdout=log, stderr=log)
        except Exception as exc:
            self._fail_start(exc)
        sync_context = zmq.Context()
        sync_context.setsockopt(zmq.MAXMSGSIZE, max_message)
        bridge = BlockingKernelClient(context=sync_context)
        bridge.load_connection_info(km.get_connection_info())
        bridge.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        self.bridge = bridge
        self.agent_ready = False
        prelude = (_SOURCES / "prelude.py").read_text(encoding="utf-8")
        code = ("def _nbprelude(source, *args):\n"
                "    import types\n"
                "    module = types.ModuleType('_nbprelude')\n"
                "    module.get_ipython = get_ipython\n"
                "    exec(compile(source, '<prelude>', 'exec'), module.__dict__)\n"
                "    module.run(*args)\n"
                f"_nbprelude({prelude!r}, {self.seed}, {self.plan.fast!r}, 0)\n"
                "del _nbprelude\n")
        self._prelude = bridge.execute(code, silent=True, store_history=False, user_expressions={},
                                       allow_stdin=False, stop_on_error=False)
        self.start_seconds = time.monotonic() - began

    def attach(self) -> None:
        """Wait until the launched kernel answers and its prelude has run."""
        began = time.monotonic()
        self.attached = True
        if self._pending:
            self._pending = False
            self._start_process()
        assert self.client is not None
        try:
            self.client.start_new_kernel_client()
        except Exception as exc:
            self._fail_start(exc)
        try:
            reply = self._wait(self._prelude, timeout=STARTUP_TIMEOUT)
        except (CallTimeoutError, KernelDiedError) as exc:
            self._fail_start(exc)
        if reply["content"].get("status") != "ok":
            content = reply["content"]
            self._fail_start(RuntimeError(f"{content.get('ename')}: {_short(content.get('evalue', ''))}"))
        self.start_seconds += time.monotonic() - began

    def _fail_start(self, exc: BaseException) -> None:
        reason = self.death_reason() or str(exc)
        tail = log_tail(self.plan.runtime_dir / "kernel.log")
        self.shutdown()
        if tail:
            reason += f" (kernel said: {tail})"
        raise SandboxError(f"the student kernel did not start: {reason}") from None

    def shutdown(self) -> None:
        if self.bridge is not None:
            try:
                self.bridge.stop_channels()
            except Exception:
                pass
            self.bridge = None
        client, self.client = self.client, None
        if client is not None and client.km is not None:
            try:
                client._cleanup_kernel()
            except Exception:
                pass
        if self.cgroups is not None:
            self.cgroups.kill_all()
            self.cgroups.remove()
            self.cgroups = None
        shutil.rmtree(self.plan.runtime_dir / "jupyter", ignore_errors=True)

    def close(self) -> None:
        """Stop the kernel and remove everything it had on the host."""
        self.shutdown()
        shutil.rmtree(self.plan.runtime_dir, ignore_errors=True)

    def restart(self) -> None:
        self.shutdown()
        self.restarts += 1
        self.start()

    def alive(self) -> bool:
        km = self.client.km if self.client else None
        if km is None:
            return False
        try:
            return bool(km.provisioner and km.provisioner.process
                        and km.provisioner.process.poll() is None)
        except Exception:
            return False

    def process_limit_hit(self) -> bool:
        """Did the sandbox refuse new processes since the last call? (A fork bomb leaves
        copies of the kernel behind; the only safe answer is a fresh kernel.)"""
        if self.cgroups is None:
            return False
        refused = self.cgroups.forks_refused()
        hit = refused > self._forks_seen
        self._forks_seen = refused
        return hit

    def death_reason(self) -> str | None:
        """Why the kernel is gone, in words a student can act on; None while it lives."""
        if self.cgroups is not None and self.cgroups.oom_killed():
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

    def _exit_code(self) -> int | None:
        km = self.client.km if self.client else None
        try:
            process = km.provisioner.process if km and km.provisioner else None
        except Exception:
            process = None
        return None if process is None else process.poll()

    # ---------------------------------------------------------------- cells
    def run_cell(self, source: str, index: int, timeout: float) -> CellRun:
        assert self.client is not None
        cell = nbformat.v4.new_code_cell(source)
        self.client.nb.cells = [cell]
        self.client.timeout = max(1, int(timeout))
        began = time.monotonic()
        try:
            self.client.execute_cell(cell, 0)
        except CellExecutionError as exc:
            seconds = time.monotonic() - began
            if exc.ename == "CellTimeoutError":
                return CellRun("timeout", seconds, {"type": "Timeout", "message":
                               f"the cell ran longer than {timeout:.0f} s and was stopped"},
                               tuple(cell.outputs))
            return CellRun("error", seconds, {"type": exc.ename, "message": _short(exc.evalue),
                                              "traceback": _plain_traceback(cell.outputs)},
                           tuple(cell.outputs))
        except (DeadKernelError, CellTimeoutError, RuntimeError) as exc:
            seconds = time.monotonic() - began
            reason = self._wait_for_reason() or f"the kernel stopped responding ({exc})"
            return CellRun("died", seconds, {"type": "KernelDied", "message": reason},
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
    def ensure_agent(self) -> None:
        if self.agent_ready:
            return
        wire_src = (_SOURCES / "wire.py").read_text(encoding="utf-8")
        agent_src = (_SOURCES / "agent.py").read_text(encoding="utf-8")
        code = (
            "def _nbagent_boot(wire_src, agent_src, max_bytes):\n"
            "    import sys, types\n"
            f"    w = types.ModuleType({WIRE_MODULE!r}); sys.modules[{WIRE_MODULE!r}] = w\n"
            "    exec(compile(wire_src, '<wire>', 'exec'), w.__dict__)\n"
            f"    a = types.ModuleType({AGENT_MODULE!r}); sys.modules[{AGENT_MODULE!r}] = a\n"
            "    exec(compile(agent_src, '<agent>', 'exec'), a.__dict__)\n"
            "    a.AGENT = a.install(get_ipython(), max_bytes)\n"
            f"_nbagent_boot({wire_src!r}, {agent_src!r}, {self.plan.limits.reply_mb * 1024 * 1024})\n"
            "del _nbagent_boot\n")
        self._silent(code, timeout=30)
        self.agent_ready = True

    def request(self, payload: dict, *, timeout: float) -> dict:
        """Send one request to the agent; returns its reply document (``ok``/``value``/``error``)."""
        self.ensure_agent()
        self._check_ready()
        assert self.bridge is not None
        message = self.bridge.session.msg(agent.REQUEST, {"request": wire.dumps(payload)})
        self.bridge.shell_channel.send(message)
        reply = self._wait(message["header"]["msg_id"], timeout=timeout)
        text = reply.get("content", {}).get("reply") if reply.get("msg_type") == agent.REPLY else None
        if not isinstance(text, str):
            raise WireError("the kernel's answer to the grader was unreadable")
        limit = self.plan.limits.reply_mb * 1024 * 1024 * 2
        if len(text) > limit:
            raise WireError("the kernel's answer was over the size limit")
        try:
            parsed = wire.loads(text, max_chars=limit)
        except (ValueError, MemoryError, RecursionError, wire.WireFormatError):
            parsed = None
        if not isinstance(parsed, dict) or "ok" not in parsed:
            raise WireError("the kernel's answer to the grader was malformed")
        return parsed

    def _silent(self, code: str, *, timeout: float) -> dict:
        reply = self._execute(code, timeout=timeout, expressions={})
        if reply["content"].get("status") != "ok":
            content = reply["content"]
            raise WireError(f"setup code failed in the kernel: {content.get('ename')}: "
                            f"{_short(content.get('evalue', ''))}")
        return reply

    def _check_ready(self) -> None:
        if self.bridge is None or not self.alive():
            raise KernelDiedError(self.death_reason() or "the kernel is not running")
        if self.stuck:
            raise KernelDiedError("the kernel is still busy with an earlier call that ignored "
                                  "its interrupt, and could not be restarted")

    def _execute(self, code: str, *, timeout: float, expressions: dict) -> dict:
        self._check_ready()
        assert self.bridge is not None
        msg_id = self.bridge.execute(code, silent=True, store_history=False,
                                     user_expressions=expressions, allow_stdin=False,
                                     stop_on_error=False)
        return self._wait(msg_id, timeout=timeout)

    def _wait(self, msg_id: str, *, timeout: float) -> dict:
        assert self.bridge is not None
        deadline = time.monotonic() + timeout
        interrupted = False
        while True:
            remaining = deadline - time.monotonic()
            try:
                msg = self.bridge.get_shell_msg(timeout=max(0.05, min(remaining, 0.5)))
            except Exception:  # queue.Empty
                if not self.alive():
                    raise KernelDiedError(self._wait_for_reason() or "the kernel died") from None
                if time.monotonic() < deadline:
                    continue
                if not interrupted:
                    interrupted = True
                    self.interrupt()
                    deadline = time.monotonic() + 5
                    continue
                self.stuck = True
                raise CallTimeoutError(f"no answer within {timeout:.0f} s") from None
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if interrupted:
                raise CallTimeoutError(f"no answer within {timeout:.0f} s")
            return msg

    def interrupt(self) -> None:
        km = self.client.km if self.client else None
        if km is None:
            return
        try:
            from jupyter_core.utils import run_sync
            run_sync(km.interrupt_kernel)()
        except Exception:
            pass


class _ForkedKernelManager(AsyncKernelManager):
    """Starts its kernel through a fork server (``forked`` = server, kernel folder, cgroups)."""

    forked: tuple = ()

    async def _async_pre_start_kernel(self, **kw: Any) -> Any:
        if self.provisioner is None:
            from grader.forkserver import ForkedProvisioner
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = ForkedProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec,
                                                 parent=self)
        return await super()._async_pre_start_kernel(**kw)


def _single_spec(spec: KernelSpec) -> KernelSpecManager:
    class _Specs(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str, *args: Any, **kwargs: Any) -> KernelSpec:
            return spec

        def find_kernel_specs(self) -> dict[str, str]:
            return {"python3": ""}

    return _Specs()


def _short(text: str, limit: int = 600) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_ANSI = __import__("re").compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _plain_traceback(outputs: Any) -> list[str]:
    for out in outputs:
        if out.get("output_type") == "error":
            lines = "\n".join(_ANSI.sub("", line) for line in out.get("traceback", []))
            return lines.splitlines()[-30:]
    return []


def new_runtime_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="jupyter-runtime-"))
