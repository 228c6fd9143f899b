"""What a killed grading process leaves on the host, and its removal by another process.

A grading process makes cgroups and folders for its kernels and tests and removes them when it
is done. Killed with SIGKILL (by the OOM killer, a Dask nanny, an instructor), it cannot: its
cgroups, runtime folders and pytest tmp folder stay. Each is named after its owner
(``owners.tagged``), and ``remove_leftovers`` removes those whose owner is gone, killing any
process still in such a cgroup. Nothing of a live process is touched.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.kernel.cgroups import Cgroups
from grader.kernel.owners import KERNEL_CGROUP, RUNTIME_FOLDER, TESTS_FOLDER, owner_gone

FOLDER_PREFIXES = (RUNTIME_FOLDER, TESTS_FOLDER)


@dataclass(frozen=True)
class Leftovers:
    """What one sweep removed."""

    cgroups: int = 0
    folders: int = 0


def remove_leftovers(tmp: Path | None = None) -> Leftovers:
    """Remove the cgroups, and the folders in ``tmp`` (the temporary folder by default), whose
    owner is gone."""
    cgroups = 0
    for name, groups in _kernel_cgroups().items():
        if owner_gone(name, KERNEL_CGROUP):
            Cgroups(groups.get("memory"), groups.get("pids")).destroy()
            cgroups += 1
    folders = 0
    try:
        entries = list(os.scandir(Path(tempfile.gettempdir()) if tmp is None else tmp))
    except OSError:
        entries = []
    for entry in entries:
        if any(owner_gone(entry.name, p) for p in FOLDER_PREFIXES) and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
            folders += 1
    return Leftovers(cgroups, folders)


def _kernel_cgroups() -> dict[str, dict[str, Path]]:
    """The kernel groups beside this process's own, by name, with their controllers."""
    found: dict[str, dict[str, Path]] = {}
    for controller in ("memory", "pids"):
        parent = Cgroups.parent(controller)
        try:
            names = [e.name for e in os.scandir(parent) if e.name.startswith(KERNEL_CGROUP)] if parent else []
        except OSError:
            continue
        for name in names:
            found.setdefault(name, {})[controller] = parent / name
    return found
