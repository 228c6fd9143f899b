"""A grading process killed with SIGKILL leaves its kernels' cgroups and its folders on the
host; the next sweep removes them (and any process still in those cgroups), and never touches
what a live process owns."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import psutil

from grader.assignment import load_assignment
from grader.kernel.cgroups import Cgroups
from grader.kernel.leftovers import remove_leftovers
from grader.kernel.owners import KERNEL_CGROUP, RUNTIME_FOLDER, owner_gone, tagged
from grader.kernel.plan import new_runtime_dir
from tests.leftover_names import left_by

ROOT = Path(__file__).resolve().parent.parent

# Makes what a grading process makes (a kernel's cgroups with a process in them, a runtime
# folder, a tests folder), says where, then waits to be killed.
OWNER = """\
import json, os, subprocess, sys, time
from grader.assignment import load_assignment
from grader.kernel.cgroups import Cgroups
from grader.kernel.owners import tagged
from grader.kernel.plan import new_runtime_dir
groups = Cgroups.create(load_assignment("hw1").limits)
runtime = new_runtime_dir()
(runtime / "kernel.json").write_text("{}")
tests = os.path.join(sys.argv[1], tagged("d2l-grader-tests-") + "x")
os.mkdir(tests)
orphan = subprocess.Popen(["sleep", "600"], start_new_session=True)
groups.join(orphan.pid)
print(json.dumps({"groups": [str(p) for p in (groups.memory, groups.pids) if p], "runtime": str(runtime),
                  "tests": tests, "orphan": orphan.pid}), flush=True)
time.sleep(600)
"""


def test_what_a_killed_process_left_is_removed_and_what_a_live_one_owns_is_kept(tmp_path):
    owner = subprocess.Popen([sys.executable, "-c", OWNER, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    made = json.loads(owner.stdout.readline())
    mine = Cgroups.create(load_assignment("hw1").limits)
    my_runtime = new_runtime_dir()
    try:
        assert mine is not None and made["groups"], "this test needs cgroups (run it as root)"
        owner.kill()
        owner.wait()
        dead = [*made["groups"], made["runtime"], made["tests"]]
        assert all(Path(p).exists() for p in dead)
        assert psutil.Process(made["orphan"]).status() != psutil.STATUS_ZOMBIE

        swept = remove_leftovers(tmp_path)
        removed = remove_leftovers()   # the runtime folder is in the temporary folder
        assert [p for p in dead if Path(p).exists()] == []
        assert swept.cgroups >= 1 and swept.folders >= 1 and removed.folders >= 1
        assert left_by([owner.pid]) == []
        orphan_gone = not psutil.pid_exists(made["orphan"]) or \
            psutil.Process(made["orphan"]).status() == psutil.STATUS_ZOMBIE
        assert orphan_gone, "the process left in the dead owner's cgroup still runs"
        # This process's own are untouched.
        assert mine.pids.exists() and my_runtime.exists()
    finally:
        mine.destroy()
        my_runtime.rmdir()
        if psutil.pid_exists(made["orphan"]):
            os.kill(made["orphan"], 9)


def test_an_owner_is_gone_only_when_its_pid_names_another_process_or_none_in_its_namespace():
    name = tagged(KERNEL_CGROUP) + "abc"
    ns, pid, start = re.match(r"kernel-(\d+)\.(\d+)\.(\d+)-", name).groups()
    assert not owner_gone(name, KERNEL_CGROUP)                                     # this process
    assert owner_gone(f"kernel-{ns}.{pid}.{int(start) + 1}-abc", KERNEL_CGROUP)    # its pid reused
    assert owner_gone(f"kernel-{ns}.{2 ** 22 + 7}.{start}-abc", KERNEL_CGROUP)     # no such process
    assert not owner_gone(f"kernel-{int(ns) + 1}.{2 ** 22 + 7}.1-abc", KERNEL_CGROUP)  # another namespace
    assert not owner_gone("kernel-0123456789ab", KERNEL_CGROUP)                     # not tagged
    assert not owner_gone(name, RUNTIME_FOLDER)                                    # another kind
