"""The one command line that starts a program confined: cgroups, rlimits, bubblewrap and a
clean environment; and the host folders a kernel is started from.

Inside the sandbox a program sees a read-only system and Python environment, a private
writable home on tmpfs (``/home/jovyan``, cwd ``/home/jovyan/work``, data under
``/home/jovyan/data`` so the book's ``../data`` works), a private ``/tmp``, its own PID and
network namespaces, and one host folder: the Jupyter runtime folder of this start of the
kernel, holding its connection file and ipc sockets. Everything else the grader keeps for a
kernel (its log, its passwd and group files, bwrap's options) lies where the kernel cannot
reach, is created afresh (never through a link the kernel could have planted) and is read
without following links.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from grader.errors import SandboxError
from grader.inkernel import source
from grader.kernel.cgroups import Cgroups
from grader.kernel.isolation import NAMESPACES, bubblewrap_path
from grader.kernel.plan import LaunchPlan
from grader.limits import Limits

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

LOG_LINE_CHARS = 300   # the log line quoted in an error message
NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC

INSTALL_HINT = ("bubblewrap is not installed; install it with `apt-get install -y bubblewrap` "
                "(or pass --no-sandbox to run student code unconfined, for trusted notebooks only)")


def bubblewrap() -> str | None:
    return bubblewrap_path()


def require_bubblewrap() -> str:
    path = bubblewrap()
    if path is None:
        raise SandboxError(INSTALL_HINT)
    return path


@dataclass(frozen=True)
class StartFolder:
    """One start of a kernel: a new folder only the grader reaches, holding the kernel's log,
    bwrap's options and ``jupyter/``, the one folder bound into the kernel."""

    root: Path

    @property
    def jupyter(self) -> Path:
        return self.root / "jupyter"

    @property
    def log(self) -> Path:
        return self.root / "kernel.log"

    @property
    def options(self) -> Path:
        return self.root / "bwrap.args"


def new_start_folder(runtime_dir: Path, number: int) -> StartFolder:
    """A new folder ``start-<number>`` below ``runtime_dir`` (which the kernel never sees);
    an existing one is an error, never reused."""
    root = runtime_dir / f"start-{number}"
    root.mkdir(mode=0o700)
    (root / "jupyter").mkdir(mode=0o700)
    return StartFolder(root)


def write_new(path: Path, data: bytes) -> None:
    """Create ``path`` (never through a link, never over an existing file) holding ``data``."""
    fd = os.open(path, NEW_FILE, 0o600)
    with open(fd, "wb") as f:
        f.write(data)


def open_new(path: Path) -> int:
    """A file descriptor of a new file at ``path`` for a process's output."""
    return os.open(path, NEW_FILE, 0o600)


def confined_command(plan: LaunchPlan, program: list[str], cgroups: Cgroups | None, *,
                     writable: Path, options: Path) -> list[str]:
    """``program`` (its paths as the sandbox shows them) started in ``cgroups``, under the
    plan's rlimits, in bubblewrap with ``writable`` as its one writable host folder and its
    options written to the new file ``options`` (or, unsandboxed, with only a clean
    environment)."""
    if plan.sandboxed:
        inner = _hidden_bwrap_args(plan, require_bubblewrap(), writable, options) + program
    else:
        variables = [f"{k}={v}" for k, v in kernel_variables(plan).items()]
        if plan.uid is not None and plan.isolation.network_filter:   # becomes ``program`` once the filter holds
            program = [program[0], "-c", source("netfilter"), *program]
        inner = ["env", "-i", "-C", str(plan.scratch_dir), *variables, *program]
        if plan.uid is not None:
            inner = _as_user(plan, writable) + inner
    argv = _rlimit_args(plan.limits, user=plan.uid is not None) + inner
    return cgroups.join_command() + argv if cgroups is not None else argv


def _as_user(plan: LaunchPlan, writable: Path) -> list[str]:
    """The fallback's prefix, run as root: hand ``writable`` (the connection file, the
    sockets to come) to the kernel's user, new network and PID namespaces where the host
    allows them, then
    become that user for good: no groups, no capabilities, none to be gained."""
    uid = str(plan.uid)
    give = ["/bin/sh", "-c", 'chown -R -h "$0:$0" "$1" && shift && exec "$@"', uid, str(writable)]
    network = []
    if plan.isolation.namespaces:   # and in its mount namespace: /var/tmp closed, /dev/shm its own
        size = f"size={plan.limits.scratch_mb}m,mode=1777"
        # sh stays as the namespace's init, so the kernel can die of its own signals as anywhere
        network = [*NAMESPACES, "/bin/sh", "-c", f'mount -t tmpfs -o ro,size=1m tmpfs /var/tmp && '
                   f'mount -t tmpfs -o {size} tmpfs /dev/shm && "$@"', "sh"]
    drop = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
            "--bounding-set=-all", "--no-new-privs", "--"]
    return give + network + drop


def python_of(plan: LaunchPlan) -> str:
    """The kernel interpreter's path as the confined program sees it."""
    if plan.sandboxed:
        return f"{VENV}/bin/python"
    return str(Path(plan.kernel_prefix) / "bin" / plan.interpreter.python.name)


def kernel_variables(plan: LaunchPlan) -> dict[str, str]:
    """The kernel's whole set of environment variables: nothing inherited, nothing that says
    'grading'."""
    home = HOME if plan.sandboxed else str(plan.scratch_dir)
    prefix = VENV if plan.sandboxed else str(plan.kernel_prefix)
    variables = {
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
    variables.update(plan.env)
    return variables


def bwrap_args(plan: LaunchPlan, bwrap: str, writable: Path) -> list[str]:
    interp = plan.interpreter
    scratch = str(plan.limits.scratch_mb * 1024 * 1024)
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
             "--size", scratch, "--tmpfs", "/tmp",
             "--size", scratch, "--tmpfs", "/dev/shm",
             "--size", scratch, "--tmpfs", HOME,
             "--dir", WORKDIR, "--dir", DATADIR]
    # After the tmpfs mounts, so that a base Python kept under /tmp stays visible. The
    # venv's bin/python links to the base Python by absolute path, so that keeps its path.
    args += ["--ro-bind", str(interp.base_prefix), str(interp.base_prefix),
             "--ro-bind", str(interp.prefix), VENV]
    for item in plan.data:
        args += ["--ro-bind", str(item.source), f"{DATADIR}/{item.name}"]
    # The one host folder the kernel can write: its connection file and ipc sockets.
    args += ["--bind", str(writable), str(writable)]
    for key, value in kernel_variables(plan).items():
        args += ["--setenv", key, value]
    args += ["--remount-ro", "/", "--chdir", WORKDIR, "--"]
    return args


def _hidden_bwrap_args(plan: LaunchPlan, bwrap: str, writable: Path, options: Path) -> list[str]:
    """bwrap, reading its options from a file outside the sandbox: the sandbox's PID 1 is
    bwrap, and its command line would otherwise show host paths to the kernel."""
    args = bwrap_args(plan, bwrap, writable)
    assert args[-1] == "--"
    write_new(options, b"".join(a.encode() + b"\0" for a in args[1:-1]))
    return ["/bin/sh", "-c", 'exec 3<"$0" && exec "$@"', str(options), bwrap, "--args", "3", "--"]


def _rlimit_args(limits: Limits, *, user: bool = False) -> list[str]:
    """rlimits; for a kernel run as its own user also a process cap (it does not bind root)."""
    mb = 1024 * 1024
    nproc = [f"--nproc={limits.processes}"] if user else []
    return ["prlimit", f"--cpu={limits.cpu_seconds}:{limits.cpu_seconds + 5}", f"--fsize={limits.file_size_mb * mb}",
            f"--nofile={limits.open_files}", "--core=0", *nproc, "--"]


def log_tail(path: Path) -> str:
    """The last line a sandboxed process wrote to its log, for an error message (a regular
    file only, never read through a link)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return ""
    with open(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            return ""
        f.seek(max(0, info.st_size - 2000))
        lines = f.read(2000).decode("utf-8", "replace").strip().splitlines()
    return lines[-1][:LOG_LINE_CHARS] if lines else ""


def prepare_runtime(runtime_dir: Path) -> None:
    """The files every start of a sandboxed kernel binds read-only: a minimal passwd and
    group, made once per runtime folder."""
    etc = runtime_dir / "etc"
    try:
        etc.mkdir(mode=0o700)
    except FileExistsError:
        return
    write_new(etc / "passwd", f"root:x:0:0::/root:/bin/sh\njovyan:x:{UID}:{UID}::{HOME}:/bin/bash\n"
                              "nobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n".encode())
    write_new(etc / "group", f"root:x:0:\njovyan:x:{UID}:\nnogroup:x:65534:\n".encode())
