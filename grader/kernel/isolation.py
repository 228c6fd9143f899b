"""How student kernels are kept apart from the host: which isolation is in force for a batch.

- ``bubblewrap``: the kernel's own namespaces (see sandbox.py). The default, wherever the
  host lets an unprivileged user namespace be made.
- ``user``: the fallback for containers that refuse user namespaces (Gradescope's, most
  Docker defaults). The grader, running as root, starts the kernel as an unprivileged user
  with no capabilities, under the same rlimits plus a per-user process cap, in its own
  cgroups where they are writable and in its own network (empty) and PID namespaces where
  the container allows them. What the kernel may read is then decided by file permissions: the grader
  locks the assignment's folder (hidden tests, reference solutions) to root before grading.
- ``none``: ``--no-sandbox``, for trusted notebooks only; never chosen automatically.
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from grader.errors import SandboxError, UsageError
from grader.inkernel import source

if TYPE_CHECKING:
    from grader.kernel.plan import KernelPython

KINDS = ("auto", "bubblewrap", "user", "none")
KERNEL_UID = 47400          # the unprivileged user of the fallback (no account needed)
PROBE_SECONDS = 20


@dataclass(frozen=True)
class Isolation:
    kind: str                   # bubblewrap | user | none
    uid: int | None = None      # user: who the kernel runs as
    namespaces: bool = False    # user: own network (empty) and PID namespaces, made as root
    network_filter: bool = False   # user: sockets other than local ones refused (inkernel/netfilter.py)
    reason: str = ""            # why this kind (for a fallback: what refused bubblewrap)

    @property
    def sandboxed(self) -> bool:
        return self.kind == "bubblewrap"

    def describe(self) -> str:
        """One line for reports and results.json."""
        if self.kind == "bubblewrap":
            return "bubblewrap (own file system view, PID and network namespaces, unprivileged)"
        if self.kind == "none":
            return "none (--no-sandbox): student code ran unconfined"
        network = ("no network, no view of other processes" if self.namespaces else
                   "no network (a socket filter), other processes visible (the container refused namespaces)"
                   if self.network_filter else
                   "network NOT cut and other processes visible (the container refused namespaces and "
                   "socket filters)")
        text = (f"fallback: each kernel its own unprivileged user (uid {self.uid}+), no capabilities, rlimits, cgroups where writable, "
                f"{network}; the tests and reference solutions readable by root only")
        return text + (f" (bubblewrap unavailable: {self.reason})" if self.reason else "")


BUBBLEWRAP = Isolation("bubblewrap")
UNCONFINED = Isolation("none")


def bubblewrap_path() -> str | None:
    """bwrap on PATH, or the path in ``D2L_GRADER_BWRAP`` (empty: treat bubblewrap as missing)."""
    chosen = os.environ.get("D2L_GRADER_BWRAP")
    if chosen is not None:
        return chosen or None
    return shutil.which("bwrap")


def probe_bubblewrap() -> str:
    """Why bubblewrap cannot start a sandbox here ('' when it can), from one real start with
    the namespaces a kernel's sandbox asks for."""
    bwrap = bubblewrap_path()
    if bwrap is None:
        return "bwrap is not installed"
    argv = [bwrap, "--unshare-all", "--unshare-user", "--uid", "1000", "--gid", "1000", "--die-with-parent",
            "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--", "/bin/true"]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=PROBE_SECONDS)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        return lines[-1][:200] if lines else f"bwrap exited with {done.returncode}"
    return ""


NAMESPACES = ["unshare", "--net", "--pid", "--fork", "--kill-child", "--mount-proc", "--"]


def namespaces_work() -> bool:
    try:
        return subprocess.run([*NAMESPACES, "/bin/true"], capture_output=True,
                              timeout=PROBE_SECONDS).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def choose(requested: str = "auto", *, uid: int = KERNEL_UID) -> Isolation:
    """The isolation for a batch: ``auto`` takes bubblewrap where it works, else the
    unprivileged-user fallback when the grader runs as root; an explicit kind is checked."""
    if requested not in KINDS:
        raise UsageError(f"unknown isolation {requested!r}; choose one of {', '.join(KINDS)}")
    if requested == "none":
        return UNCONFINED
    if requested in ("auto", "bubblewrap"):
        refused = probe_bubblewrap()
        if not refused:
            return BUBBLEWRAP
        if requested == "bubblewrap" or os.geteuid() != 0:
            hint = ("install it with `apt-get install -y bubblewrap`" if bubblewrap_path() is None
                    else "this host refuses the user namespaces it needs")
            fallback = "" if requested == "bubblewrap" else "; run as root for the unprivileged-user fallback"
            raise SandboxError(f"bubblewrap cannot start a sandbox ({refused}): {hint}{fallback}, "
                               "or pass --no-sandbox for trusted notebooks only")
        return _fallback(uid, refused)
    if os.geteuid() != 0:
        raise SandboxError("the unprivileged-user isolation needs the grader to run as root "
                           "(it starts each kernel as another user)")
    return _fallback(uid, "")


def _fallback(uid: int, reason: str) -> Isolation:
    missing = [tool for tool in ("setpriv", "unshare", "prlimit") if shutil.which(tool) is None]
    if missing:
        raise SandboxError(f"the unprivileged-user isolation needs {', '.join(missing)}: "
                           "install them with `apt-get install -y util-linux`")
    return Isolation("user", uid=uid, namespaces=namespaces_work(), network_filter=filter_works(), reason=reason)


def filter_works() -> bool:
    """Whether this host lets a process install the fallback's socket filter."""
    try:
        probe = subprocess.run([sys.executable, "-c", source("netfilter")], capture_output=True,
                               timeout=PROBE_SECONDS)
    except (OSError, subprocess.SubprocessError):
        return False
    return probe.returncode == 0


def verify_access(isolation: Isolation, interpreter: KernelPython, *private: Path) -> None:
    """Under the fallback, before any kernel starts: ``private`` (hidden tests, reference
    solutions) closed to other users, and the course environment runnable by the kernel's."""
    verify_private(isolation, *private)
    verify_reachable(isolation, interpreter)


def verify_reachable(isolation: Isolation, interpreter: KernelPython) -> None:
    """Under the fallback, the kernel's user must be able to run the course environment's
    Python (a folder above it closed to other users stops it); one clear line if not."""
    if isolation.kind != "user":
        return
    argv = ["setpriv", f"--reuid={isolation.uid}", f"--regid={isolation.uid}", "--clear-groups", "--",
            str(interpreter.python), "-c", "import ipykernel"]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd="/")
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SandboxError(f"cannot start the kernel's Python as user {isolation.uid}: {exc}") from None
    if done.returncode != 0:
        closed = _closed_folder(interpreter.python)
        where = f" ({closed} is closed to other users)" if closed else ""
        raise SandboxError(f"user {isolation.uid} cannot run the course environment at {interpreter.prefix}{where}: "
                           "build it in a folder others can read, e.g. D2L_GRADER_CACHE=/opt/d2l-grader/cache "
                           "grader env build")


def verify_private(isolation: Isolation, *paths: Path) -> None:
    """Under the fallback, what the kernel's user must not read (hidden tests, reference
    solutions) must be closed to other users; one clear line naming the fix if not."""
    if isolation.kind != "user":
        return
    for path in paths:
        if path.exists() and _closed_folder(path) is None and os.stat(path).st_mode & 0o005:
            raise SandboxError(f"{path} is open to other users, so the kernel's user could read it under the "
                               f"unprivileged-user isolation: chmod -R go-rwx {path} (or grade with bubblewrap)")


def _closed_folder(path: Path) -> Path | None:
    """The first folder on the way to ``path`` (links followed) that others cannot enter."""
    for folder in reversed(Path(os.path.realpath(path)).parents):
        if not os.stat(folder).st_mode & 0o001:
            return folder
    return None


def lock_down(*folders: Path) -> None:
    """Make ``folders`` (and all they hold) readable by their owner only: under the fallback,
    what keeps the hidden tests and reference solutions from the kernel's user."""
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            for name in dirs + files:
                path = os.path.join(root, name)
                if not os.path.islink(path):
                    os.chmod(path, os.stat(path).st_mode & 0o700)
        os.chmod(folder, os.stat(folder).st_mode & 0o700)


UIDS = 10000   # the fallback's users: base .. base + UIDS - 1


def pick_uid(base: int) -> int:
    """A user id of the fallback's range that runs no process now: each kernel its own, so
    one student's processes and files never meet the next student's."""
    busy = users_running()
    for _ in range(100):
        uid = base + secrets.randbelow(UIDS)
        if uid not in busy:
            return uid
    raise SandboxError("no free user id for the kernel: too many kernels running")


def processes() -> dict[int, int | None]:
    """Each running process's id and its user's (None if it ended while being read)."""
    return {int(e.name): _owner(e.path) for e in os.scandir("/proc") if e.name.isdigit()}


def users_running() -> set[int]:
    """The user ids of the processes running now."""
    return {uid for uid in processes().values() if uid is not None}


def end_user(uid: int) -> None:
    """Kill every process of a fallback kernel's user and remove what it left in the shared
    temporary folders, so that nothing of it meets the next student."""
    for _ in range(20):
        found = [pid for pid, owner in processes().items() if owner == uid]
        if not found:
            break
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    for shared in ("/tmp", "/var/tmp", "/dev/shm"):
        try:
            entries = list(os.scandir(shared))
        except OSError:
            continue
        for entry in entries:
            if _owner(entry.path) == uid:
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    try:
                        os.unlink(entry.path)
                    except OSError:
                        pass


def _owner(path: str) -> int | None:
    try:
        return os.stat(path, follow_symlinks=False).st_uid
    except OSError:
        return None
