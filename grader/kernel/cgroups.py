"""A kernel's own cgroups (v1): memory and process count, where the host lets us make them.

rlimits cannot cap processes here: the sandbox's uid maps to root on the host, and
RLIMIT_NPROC does not apply to root. A pids cgroup does.
"""
from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

from grader.kernel.owners import KERNEL_CGROUP, tagged
from grader.limits import Limits


class Cgroups:
    """One kernel's memory and pids groups (either may be missing)."""

    ROOT = Path("/sys/fs/cgroup")

    def __init__(self, memory: Path | None, pids: Path | None) -> None:
        self.memory = memory
        self.pids = pids

    @classmethod
    def create(cls, limits: Limits) -> "Cgroups | None":
        name = f"{tagged(KERNEL_CGROUP)}{uuid.uuid4().hex[:12]}"
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
    def parent(cls, controller: str) -> Path | None:
        """Where this process makes its kernels' groups of ``controller`` (None without it)."""
        base = cls.ROOT / controller
        if not base.is_dir():
            return None
        return base / cls._own_path(controller).lstrip("/")

    @classmethod
    def _make(cls, controller: str, name: str) -> Path | None:
        parent = cls.parent(controller)
        if parent is None:
            return None
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

    def destroy(self) -> None:
        """Kill every process in the groups, then remove them."""
        self.kill_all()
        self.remove()

    def remove(self) -> None:
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
