"""Choosing the isolation (grader/kernel/isolation.py) and the command line of the fallback.
The fallback's kernels themselves are proved in tests/hostile/test_fallback.py."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
from dataclasses import replace
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


PROBE = """import socket
try:
    with socket.create_connection(("127.0.0.1", {port}), timeout=5) as s:
        s.sendall(b"leaked")
    print("connected")
except PermissionError:
    print("refused")
except OSError as exc:
    print("unreachable", exc)
for family in (socket.AF_INET6, socket.AF_UNIX):
    try:
        socket.socket(family).close()
        print(family.name, "made")
    except PermissionError:
        print(family.name, "refused")
"""


def _fallback_kernel_reaches(isolation, tmp_path, port: int) -> list[str]:
    """What a program run as the fallback's kernel prints, trying the host's loopback."""
    runtime = tmp_path / f"runtime-{isolation.namespaces}-{isolation.network_filter}"
    runtime.mkdir()
    interpreter = KernelPython(python=Path("/usr/bin/python3"), prefix=Path("/usr"), base_prefix=Path("/usr"))
    plan = plan_kernel(interpreter=interpreter, runtime_dir=runtime, limits=load_assignment("hw1").limits,
                       isolation=isolation)
    (runtime / "jupyter").mkdir(exist_ok=True)
    argv = confined_command(plan, ["/usr/bin/python3", "-c", PROBE.format(port=port)], None,
                            writable=runtime / "jupyter", options=runtime / "x")
    return subprocess.run(argv, capture_output=True, text=True, timeout=60).stdout.splitlines()


@pytest.fixture
def open_tmp():
    """A folder the fallback's users can pass through (pytest's tmp_path is root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="d2l-grader-fallback-"))
    folder.chmod(0o711)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@ROOT_ONLY
def test_where_no_network_namespace_can_be_made_a_socket_filter_cuts_the_network(open_tmp):
    tmp_path = open_tmp
    isolation = choose("user")
    assert isolation.network_filter, "this host lets a process install a seccomp filter"
    received = []
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]

        def serve() -> None:
            server.settimeout(20)
            try:
                connection, _ = server.accept()
                received.append(connection.recv(100))
                connection.close()
            except OSError:
                pass

        # As in a container that refuses namespaces: the filter alone must cut the network.
        filtered = _fallback_kernel_reaches(replace(isolation, namespaces=False), tmp_path, port)
        assert filtered == ["refused", "AF_INET6 refused", "AF_UNIX made"]
        listener = threading.Thread(target=serve)
        listener.start()
        # Without the filter, the same kernel reaches the grader's host: what the filter prevents.
        open_ = _fallback_kernel_reaches(replace(isolation, namespaces=False, network_filter=False), tmp_path, port)
        listener.join()
    assert open_[0] == "connected" and received == [b"leaked"]
    assert "socket filter" in replace(isolation, namespaces=False).describe()
