"""The one command line that starts a program confined: cgroups, rlimits, bubblewrap and a
clean environment.

Inside the sandbox a program sees a read-only system and Python environment, a private
writable home on tmpfs (``/home/jovyan``, cwd ``/home/jovyan/work``, data under
``/home/jovyan/data`` so the book's ``../data`` works), a private ``/tmp``, its own PID and
network namespaces, and one host folder: the Jupyter runtime folder holding its connection
file and ipc sockets. Nothing there names the grader.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from grader.assignment import Limits
from grader.errors import SandboxError
from grader.kernel.cgroups import Cgroups
from grader.kernel.plan import LaunchPlan

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


def bubblewrap() -> str | None:
    return shutil.which("bwrap")


def require_bubblewrap() -> str:
    path = bubblewrap()
    if path is None:
        raise SandboxError(INSTALL_HINT)
    return path


def confined_command(plan: LaunchPlan, program: list[str], cgroups: Cgroups | None) -> list[str]:
    """``program`` (its paths as the sandbox shows them) started in ``cgroups``, under the
    plan's rlimits, in bubblewrap (or, unsandboxed, with only a clean environment)."""
    if plan.sandboxed:
        inner = _hidden_bwrap_args(plan, require_bubblewrap()) + program
    else:
        variables = [f"{k}={v}" for k, v in kernel_variables(plan).items()]
        inner = ["env", "-i", "-C", str(plan.scratch_dir), *variables, *program]
    argv = _rlimit_args(plan.limits) + inner
    return cgroups.join_command() + argv if cgroups is not None else argv


def python_of(plan: LaunchPlan) -> str:
    """The kernel interpreter's path as the confined program sees it."""
    return f"{VENV}/bin/python" if plan.sandboxed else str(plan.interpreter.python)


def kernel_variables(plan: LaunchPlan) -> dict[str, str]:
    """The kernel's whole set of environment variables: nothing inherited, nothing that says
    'grading'."""
    home = HOME if plan.sandboxed else str(plan.scratch_dir)
    prefix = VENV if plan.sandboxed else str(plan.interpreter.prefix)
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


def bwrap_args(plan: LaunchPlan, bwrap: str) -> list[str]:
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
    args += ["--bind", str(plan.runtime_dir / "jupyter"), str(plan.runtime_dir / "jupyter")]
    for key, value in kernel_variables(plan).items():
        args += ["--setenv", key, value]
    args += ["--remount-ro", "/", "--chdir", WORKDIR, "--"]
    return args


def _hidden_bwrap_args(plan: LaunchPlan, bwrap: str) -> list[str]:
    """bwrap, reading its options from a file outside the sandbox: the sandbox's PID 1 is
    bwrap, and its command line would otherwise show host paths to the kernel."""
    args = bwrap_args(plan, bwrap)
    assert args[-1] == "--"
    options = plan.runtime_dir / "bwrap.args"
    options.write_bytes(b"".join(a.encode() + b"\0" for a in args[1:-1]))
    return ["/bin/sh", "-c", 'exec 3<"$0" && exec "$@"', str(options), bwrap, "--args", "3", "--"]


def _rlimit_args(limits: Limits) -> list[str]:
    mb = 1024 * 1024
    return ["prlimit", f"--cpu={limits.cpu_seconds}:{limits.cpu_seconds + 5}", f"--fsize={limits.file_size_mb * mb}",
            f"--nofile={limits.open_files}", "--core=0", "--"]


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
