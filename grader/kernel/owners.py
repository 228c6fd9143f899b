"""Names that say which process made a host resource: ``<prefix><pid namespace>.<pid>.<start
time>-<rest>``. The start time tells a reused pid from the owner; an owner in another pid
namespace is never judged gone."""
from __future__ import annotations

import os
import re
from pathlib import Path

# What the grader names after its owner process: a kernel's cgroups, a kernel's runtime folder,
# a tests run's tmp folder.
KERNEL_CGROUP = "kernel-"
RUNTIME_FOLDER = "jupyter-runtime-"
TESTS_FOLDER = "d2l-grader-tests-"
_TAG = re.compile(r"(?P<ns>\d+)\.(?P<pid>\d+)\.(?P<start>\d+)-")


def tagged(prefix: str) -> str:
    """``prefix`` followed by this process's tag: the start of a name only this process uses."""
    pid = os.getpid()
    return f"{prefix}{_namespace()}.{pid}.{_start_time(pid)}-"


def owner_gone(name: str, prefix: str) -> bool:
    """True when ``name`` is ``prefix`` and a tag of this pid namespace whose process is gone."""
    if not name.startswith(prefix):
        return False
    match = _TAG.match(name, len(prefix))
    if match is None or int(match["ns"]) != _namespace():
        return False
    return _start_time(int(match["pid"])) != int(match["start"])


def _namespace() -> int:
    try:
        return os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return 0


def _start_time(pid: int) -> int:
    """The process's start time in clock ticks since boot (field 22 of its stat), or -1."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat[stat.rindex(")") + 2:].split()[19])
    except (OSError, ValueError, IndexError):
        return -1
