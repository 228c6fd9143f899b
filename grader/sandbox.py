"""How a student kernel is started: bubblewrap, cgroups, rlimits and a clean environment.

Inside the sandbox the kernel sees a read-only system and Python environment, a private
writable home on tmpfs (``/home/jovyan``, cwd ``/home/jovyan/work``, data under
``/home/jovyan/data`` so the book's ``../data`` works), a private ``/tmp``, its own PID and
network namespaces, and one host folder: the Jupyter runtime folder holding its connection
file and ipc sockets. Nothing there names the grader.
"""
from __future__ import annotations

import os
import shutil
import signal
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import SandboxError
from grader.spec import Limits

HOME = "/home/jovyan"
VENV = "/opt/venv"   # where the kernel environment appears inside: its real path may say "grader"
WORKDIR = f"{HOME}/work"
DATADIR = f"{HOME}/data"
UID = 1000

# System paths the kernel may read. /etc is not bound whole: inside the sandbox the
# student's uid maps to the host's root, so root-owned files would be readable.
SYSTEM_RO = ("/usr", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",
             "/etc/alternatives", "/etc/fonts", "/etc/localtime", "/etc/nsswitch.conf",
             "/etc/ssl/certs", "/etc/mime.types")
USR_LINKS = ("bin", "lib", "lib64", "sbin")

INSTALL_HINT = ("bubblewrap is not installed; install it with `apt-get install -y bubblewrap` "
                "(or pass --no-sandbox to run student code unconfined, for trusted notebooks only)")


@dataclass(frozen=True)
class Mount:
    """A host path shown read-only inside the sandbox."""

    source: Path
    target: str


@dataclass(frozen=True)
class KernelPython:
    """The interpreter student kernels run: a virtual environment and the Python it is based on."""

    python: Path
    prefix: Path
    base_prefix: Path


@dataclass(frozen=True)
class LaunchPlan:
    """Everything needed to start one kernel for one submission."""

    interpreter: KernelPython
    runtime_dir: Path
    limits: Limits
    sandboxed: bool
    mounts: tuple[Mount, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    scratch_dir: Path | None = None  # unsandboxed kernels work here
    fast: bool = True                # grading settings: see grader/prelude.py


def bubblewrap() -> str | None:
    return shutil.which("bwrap")


def require_bubblewrap() -> str:
    path = bubblewrap()
    if path is None:
        raise SandboxError(INSTALL_HINT)
    return path


def kernel_environment(plan: LaunchPlan) -> dict[str, str]:
    """The kernel's whole environment: nothing inherited, nothing that says 'grading'."""
    home = HOME if plan.sandboxed else str(plan.scratch_dir)
    prefix = VENV if plan.sandboxed else str(plan.interpreter.prefix)
    env = {
        "HOME": home,
        "USER": "jovyan",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PATH": f"{prefix}/bin:/usr/local/bin:/usr/bin:/bin",
        "VIRTUAL_ENV": prefix,
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "PYTHONUNBUFFERED": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    env.update(plan.env)
    return env


def bwrap_args(plan: LaunchPlan, bwrap: str) -> list[str]:
    interp = plan.interpreter
    args = [bwrap, "--unshare-all", "--unshare-user", "--uid", str(UID), "--gid", str(UID),
            "--hostname", "jupyter", "--die-with-parent", "--new-session", "--clearenv"]
    for path in SYSTEM_RO:
        if os.path.exists(path):
            args += ["--ro-bind", path, path]
    for name in USR_LINKS:
        if os.path.islink(f"/{name}"):
            args += ["--symlink", os.readlink(f"/{name}"), f"/{name}"]
        elif os.path.isdir(f"/{name}"):
            args += ["--ro-bind", f"/{name}", f"/{name}"]
    etc = plan.runtime_dir / "etc"
    args += ["--ro-bind", str(etc / "passwd"), "/etc/passwd",
             "--ro-bind", str(etc / "group"), "/etc/group",
             "--proc", "/proc", "--dev", "/dev",
             "--size", str(plan.limits.scratch_mb * 1024 * 1024), "--tmpfs", "/tmp",
             "--size", str(plan.limits.scratch_mb * 1024 * 1024), "--tmpfs", "/dev/shm",
             "--size", str(plan.limits.scratch_mb * 1024 * 1024), "--tmpfs", HOME,
             "--dir", WORKDIR, "--dir", DATADIR]
    # After the tmpfs mounts, so that a base Python kept under /tmp stays visible. The
    # venv's bin/python links to the base Python by absolute path, so that keeps its path.
    args += ["--ro-bind", str(interp.base_prefix), str(interp.base_prefix),
             "--ro-bind", str(interp.prefix), VENV]
    for mount in plan.mounts:
        args += ["--ro-bind", str(mount.source), mount.target]
    # The one host folder the kernel can write: its connection file and ipc sockets.
    args += ["--bind", str(plan.runtime_dir / "jupyter"), str(plan.runtime_dir / "jupyter")]
    for key, value in kernel_environment(plan).items():
        args += ["--setenv", key, value]
    args += ["--remount-ro", "/", "--chdir", WORKDIR, "--"]
    return args


def hidden_bwrap_args(plan: LaunchPlan, bwrap: str) -> list[str]:
    """bwrap, reading its options from a file outside the sandbox: the sandbox's PID 1 is
    bwrap, and its command line would otherwise show host paths to the kernel."""
    args = bwrap_args(plan, bwrap)
    assert args[-1] == "--"
    options = plan.runtime_dir / "bwrap.args"
    options.write_bytes(b"".join(a.encode() + b"\0" for a in args[1:-1]))
    return ["/bin/sh", "-c", 'exec 3<"$0" && exec "$@"', str(options), bwrap, "--args", "3", "--"]


def rlimit_args(limits: Limits) -> list[str]:
    mb = 1024 * 1024
    return ["prlimit", f"--cpu={limits.cpu_seconds}:{limits.cpu_seconds + 5}", f"--fsize={limits.file_size_mb * mb}",
            f"--nofile={limits.open_files}", f"--core=0", "--"]


def log_tail(path: Path) -> str:
    """The last line a sandboxed process wrote to its log, for an error message."""
    try:
        lines = path.read_bytes()[-2000:].decode("utf-8", "replace").strip().splitlines()
    except OSError:
        return ""
    return lines[-1] if lines else ""


def prepare_runtime(runtime_dir: Path) -> None:
    """Files the sandbox binds: a minimal passwd/group and the Jupyter runtime folder."""
    (runtime_dir / "jupyter").mkdir(parents=True, exist_ok=True)
    etc = runtime_dir / "etc"
    etc.mkdir(exist_ok=True)
    (etc / "passwd").write_text(f"root:x:0:0::/root:/bin/sh\njovyan:x:{UID}:{UID}::{HOME}:/bin/bash\n"
                                "nobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n")
    (etc / "group").write_text(f"root:x:0:\njovyan:x:{UID}:\nnogroup:x:65534:\n")


def kernel_argv(plan: LaunchPlan, cgroups: "Cgroups | None") -> list[str]:
    """The command jupyter_client runs; ``{connection_file}`` is filled in by it."""
    if plan.sandboxed:
        kernel = [f"{VENV}/bin/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        inner = hidden_bwrap_args(plan, require_bubblewrap()) + kernel
    else:
        kernel = [str(plan.interpreter.python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        env = [f"{k}={v}" for k, v in kernel_environment(plan).items()]
        inner = ["env", "-i", "-C", str(plan.scratch_dir), *env, *kernel]
    argv = rlimit_args(plan.limits) + inner
    if cgroups is not None:
        argv = cgroups.join_command() + argv
    return argv


# ---------------------------------------------------------------------------- cgroups


class Cgroups:
    """Per-kernel cgroup (v1) for memory and process count, when the host lets us make one.

    rlimits cannot cap processes here: the sandbox's uid maps to root on the host, and
    RLIMIT_NPROC does not apply to root. A pids cgroup does.
    """

    ROOT = Path("/sys/fs/cgroup")

    def __init__(self, memory: Path | None, pids: Path | None) -> None:
        self.memory = memory
        self.pids = pids

    @classmethod
    def create(cls, limits: Limits) -> "Cgroups | None":
        name = f"kernel-{uuid.uuid4().hex[:12]}"
        memory = cls._make("memory", name)
        pids = cls._make("pids", name)
        if memory is None and pids is None:
            return None
        groups = cls(memory, pids)
        try:
            if memory is not None:
                (memory / "memory.limit_in_bytes").write_text(str(limits.memory_mb * 1024 * 1024))
                swap = memory / "memory.memsw.limit_in_bytes"
                if swap.exists():
                    try:
                        swap.write_text(str(limits.memory_mb * 1024 * 1024))
                    except OSError:
                        pass
            if pids is not None:
                (pids / "pids.max").write_text(str(limits.processes))
        except OSError:
            groups.remove()
            return None
        return groups

    @classmethod
    def _make(cls, controller: str, name: str) -> Path | None:
        base = cls.ROOT / controller
        if not base.is_dir():
            return None
        parent = base / cls._own_path(controller).lstrip("/")
        try:
            path = parent / name
            path.mkdir()
            return path
        except OSError:
            return None

    @staticmethod
    def _own_path(controller: str) -> str:
        try:
            for line in Path("/proc/self/cgroup").read_text().splitlines():
                _, controllers, path = line.split(":", 2)
                if controller in controllers.split(","):
                    return path
        except OSError:
            pass
        return "/"

    def join_command(self) -> list[str]:
        targets = [str(p / "cgroup.procs") for p in (self.memory, self.pids) if p is not None]
        script = "; ".join(f'echo $$ > "{t}"' for t in targets) + '; exec "$@"'
        return ["/bin/sh", "-c", script, "sandbox"]

    def join(self, pid: int) -> None:
        """Move a running process (and so everything it starts later) into these groups."""
        for group in (self.memory, self.pids):
            if group is not None:
                (group / "cgroup.procs").write_text(str(pid))

    def oom_killed(self) -> bool:
        if self.memory is None:
            return False
        try:
            control = (self.memory / "memory.oom_control").read_text()
            for line in control.splitlines():
                if line.startswith("oom_kill ") and int(line.split()[1]) > 0:
                    return True
            return int((self.memory / "memory.failcnt").read_text()) > 0 and \
                int((self.memory / "memory.max_usage_in_bytes").read_text()) >= \
                int((self.memory / "memory.limit_in_bytes").read_text()) - 1024 * 1024
        except (OSError, ValueError):
            return False

    def forks_refused(self) -> int:
        if self.pids is None:
            return 0
        try:
            for line in (self.pids / "pids.events").read_text().splitlines():
                if line.startswith("max "):
                    return int(line.split()[1])
        except (OSError, ValueError):
            pass
        return 0

    def peak_memory_mb(self) -> float | None:
        if self.memory is None:
            return None
        try:
            return int((self.memory / "memory.max_usage_in_bytes").read_text()) / 1024 / 1024
        except (OSError, ValueError):
            return None

    def kill_all(self) -> None:
        for group in (self.pids, self.memory):
            if group is None:
                continue
            try:
                pids = [int(p) for p in (group / "cgroup.procs").read_text().split()]
            except (OSError, ValueError):
                continue
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass

    def remove(self) -> None:
        import time
        for group in (self.pids, self.memory):
            if group is None:
                continue
            for _ in range(50):
                try:
                    group.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    self.kill_all()
                    time.sleep(0.05)
