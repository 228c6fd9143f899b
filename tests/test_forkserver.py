"""Kernels forked from a pre-imported parent: each is as isolated from the next, and from the
parent, as a freshly started sandboxed kernel."""
from __future__ import annotations

import pytest

from grader.kernel.forkserver import ForkServer
from grader.grading.execution import launch_kernel, start_fork_server
from grader.grading.settings import GradeSettings
from grader.assignment import load_assignment

ASSIGNMENT = load_assignment("hw1")

LEAVE_TRACES = """\
import os, subprocess
for path in ('/tmp/left', os.path.expanduser('~/left'), '/dev/shm/left', '/home/jovyan/work/left'):
    open(path, 'w').write('x')
subprocess.Popen(['sleep', '600'], start_new_session=True)
print('left')
"""

LOOK_FOR_TRACES = """\
import os
found = [p for p in ('/tmp/left', os.path.expanduser('~/left'), '/dev/shm/left', '/home/jovyan/work/left')
         if os.path.exists(p)]
sleepers = []
for pid in os.listdir('/proc'):
    if pid.isdigit():
        try:
            if open(f'/proc/{pid}/cmdline').read().startswith('sleep'):
                sleepers.append(pid)
        except OSError:
            pass
print('found', found, 'sleepers', sleepers)
"""

REACH_THE_PARENT = """\
import os
parent = os.getppid()
blocked = []
for name in ('mem', 'environ', 'maps', 'fd/0'):
    try:
        open(f'/proc/{parent}/{name}', 'rb').read(1)
    except OSError:
        blocked.append(name)
caps = [l.split()[1] for l in open('/proc/self/status') if l.startswith(('CapEff', 'CapPrm', 'CapBnd'))]
print('blocked', blocked, 'caps', caps)
"""


@pytest.fixture(scope="module")
def forks(course_env):
    settings = GradeSettings(interpreter=course_env.interpreter, limits=ASSIGNMENT.limits)
    server = start_fork_server(settings)
    server.wait_ready()
    yield settings, server
    server.close()


def run(settings: GradeSettings, server: ForkServer, *cells: str) -> list[str]:
    session = launch_kernel(ASSIGNMENT, settings, forkserver=server)
    try:
        session.attach()
        texts = []
        for index, source in enumerate(cells):
            cell = session.run_cell(source, index, 30)
            texts.append("".join(o.get("text", "") for o in cell.outputs) + (cell.error or {}).get("message", ""))
        return texts
    finally:
        session.close()


def test_a_forked_kernel_sees_nothing_an_earlier_one_left(forks):
    settings, server = forks
    assert run(settings, server, LEAVE_TRACES) == ["left\n"]
    assert run(settings, server, LOOK_FOR_TRACES) == ["found [] sleepers []\n"]


def test_a_forked_kernel_sees_only_its_own_runtime_folder(forks):
    settings, server = forks
    other = server.new_kernel_dir()
    (other / "secret").write_text("another kernel's")
    listing = run(settings, server, f"import os\nprint(sorted(os.listdir({str(server.shared_dir)!r})))")
    names = eval(listing[0])
    assert other.name not in names and len(names) == 1


def test_a_forked_kernel_can_neither_read_its_parent_nor_keep_privileges(forks):
    settings, server = forks
    [out] = run(settings, server, REACH_THE_PARENT)
    assert out.startswith("blocked ['mem', 'environ', 'maps', 'fd/0'] caps"), out
    assert out.strip().endswith("caps ['0000000000000000', '0000000000000000', '0000000000000000']"), out


def test_a_parent_killed_by_its_child_is_started_again(forks):
    settings, server = forks
    starts = server.starts
    [out] = run(settings, server, "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nimport time\ntime.sleep(5)")
    assert "died" in out or "killed" in out or out == "", out
    assert run(settings, server, "print(6 * 7)") == ["42\n"]
    assert server.starts == starts + 1


def test_a_parent_stopped_by_its_child_is_replaced(forks):
    settings, server = forks
    starts = server.starts
    run(settings, server, "import os, signal\nos.kill(os.getppid(), signal.SIGSTOP)\nprint('stopped')")
    assert run(settings, server, "print(6 * 7)") == ["42\n"]
    assert server.starts == starts + 1


def test_each_forked_kernel_has_its_own_cgroup(forks):
    settings, server = forks
    session = launch_kernel(ASSIGNMENT, settings, forkserver=server)
    try:
        session.attach()
        cgroups = session._kernel.cgroups
        assert cgroups is not None
        pid = session._process().pid
        groups = [p for p in (cgroups.memory, cgroups.pids) if p is not None]
        for group in groups:
            assert str(pid) in (group / "cgroup.procs").read_text().split()
    finally:
        session.close()
