"""Choosing the isolation (grader/kernel/isolation.py) and the command line of the fallback.
The fallback's kernels themselves are proved in tests/hostile/test_fallback.py."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.assignment import load_assignment
from grader.errors import SandboxError, UsageError
from grader.kernel.isolation import KERNEL_UID, choose, probe_bubblewrap
from grader.kernel.plan import KernelPython, plan_kernel
from grader.kernel.sandbox import confined_command

ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="the fallback needs root")


def test_auto_takes_bubblewrap_where_it_can_start_a_sandbox():
    assert probe_bubblewrap() == ""
    assert choose("auto").kind == "bubblewrap"


@ROOT_ONLY
@pytest.mark.parametrize("bwrap,reason", [("", "bwrap is not installed"), ("/bin/false", "bwrap exited with 1")])
def test_auto_falls_back_to_an_unprivileged_user_and_names_why(monkeypatch, bwrap, reason):
    monkeypatch.setenv("D2L_GRADER_BWRAP", bwrap)
    isolation = choose("auto")
    assert (isolation.kind, isolation.uid, isolation.reason) == ("user", KERNEL_UID, reason)
    assert isolation.describe().endswith(f"(bubblewrap unavailable: {reason})")


def test_asking_for_bubblewrap_where_it_cannot_run_is_one_clear_line(monkeypatch):
    monkeypatch.setenv("D2L_GRADER_BWRAP", "")
    with pytest.raises(SandboxError) as caught:
        choose("bubblewrap")
    assert str(caught.value).startswith("bubblewrap cannot start a sandbox (bwrap is not installed): install it")
    assert "\n" not in str(caught.value)


def test_an_unknown_isolation_is_a_usage_error():
    with pytest.raises(UsageError, match="unknown isolation 'docker'"):
        choose("docker")


@ROOT_ONLY
def test_the_fallback_drops_every_privilege_before_the_kernel_runs(tmp_path):
    isolation = choose("user")
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    interpreter = KernelPython(python=Path("/usr/bin/python3"), prefix=Path("/usr"), base_prefix=Path("/usr"))
    plan = plan_kernel(interpreter=interpreter, runtime_dir=runtime, limits=load_assignment("hw1").limits,
                       isolation=isolation)
    argv = confined_command(plan, ["python", "-c", "pass"], None, writable=runtime / "jupyter", options=runtime / "x")
    assert plan.uid is not None and KERNEL_UID <= plan.uid
    drop = argv.index("setpriv")
    assert argv[drop + 1:drop + 8] == [f"--reuid={plan.uid}", f"--regid={plan.uid}", "--clear-groups",
                                       "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]
    assert f"--nproc={plan.limits.processes}" in argv[:argv.index("--")]
    if isolation.namespaces:
        assert argv.index("unshare") < drop and "--net" in argv and "--pid" in argv
    assert (runtime / "home" / "work").stat().st_uid == plan.uid
    assert (runtime / "venv").resolve() == Path("/usr")
    assert oct(runtime.stat().st_mode & 0o777) == "0o711"
