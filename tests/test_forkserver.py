"""Kernels forked from a pre-imported parent: each is as isolated from the next, and from the
parent, as a freshly started sandboxed kernel."""
from __future__ import annotations

import os
import queue
from pathlib import Path

import pytest
from jupyter_core.utils import run_sync

from grader import datasets
from grader.kernel.client import ReadyClient
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


PLANT_IN_DATA = """\
import os, socket
os.mkfifo('../data/house_tiny.csv')
open('../data/left.txt', 'w').write('for the next student')
os.symlink('/etc/passwd', '../data/link')
os.mkdir('../data/FashionMNIST/planted')
socket.socket(socket.AF_UNIX).bind('../data/socket')
print(sorted(os.listdir('../data')))
"""

LOOK_IN_DATA = """\
import os
try:
    open('../data/penguins_raw.csv', 'a')
    writable = True
except OSError:
    writable = False
with open('../data/house_tiny.csv', 'w') as f:   # the book's 2.2 writes its own file here
    f.write('NumRooms,RoofType,Price\\nNA,NA,127500\\n')
print(sorted(os.listdir('../data')), sorted(os.listdir('../data/FashionMNIST')), writable,
      len(open('../data/penguins_raw.csv').read()) > 0, open('../data/house_tiny.csv').read().count(','))
"""


@pytest.fixture(scope="module")
def forks(course_env):
    settings = GradeSettings(interpreter=course_env.interpreter, limits=ASSIGNMENT.limits,
                             fashion_mnist=datasets.fashion_mnist(), data_files=ASSIGNMENT.data_files())
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


def test_a_forked_kernel_is_ready_once_it_answers_and_keeps_its_first_output(forks):
    """jupyter_client's wait for a new kernel ended only once IOPub had been silent for 0.2 s, a
    fixed cost of every kernel start. The grader's ends at the first IOPub message after the
    kernel's answer (IOPub is connected), leaving the rest unread; nbclient reads only its own
    cell's messages, so the first cell's output is all there."""
    settings, server = forks
    for _ in range(3):
        session = launch_kernel(ASSIGNMENT, settings, forkserver=server)
        try:
            session.attach()
            kc = session._kernel.client.km.client()   # a second client, to watch its wait
            assert isinstance(kc, ReadyClient)
            kc.start_channels()
            reads, channel = [], kc.iopub_channel
            receive = channel.get_msg

            async def recorded(*args, **kwargs):
                try:
                    msg = await receive(*args, **kwargs)
                except queue.Empty:
                    reads.append("nothing")
                    raise
                reads.append("message")
                return msg
            channel.get_msg = recorded
            run_sync(kc.wait_for_ready)(timeout=30)
            kc.stop_channels()
            assert reads and reads[-1] == "message", reads
        finally:
            session.close()
        assert run(settings, server, "print('first')", "print('second')") == ["first\n", "second\n"]


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


def test_what_one_submission_leaves_in_data_is_gone_for_the_next(forks):
    settings, server = forks
    [planted] = run(settings, server, PLANT_IN_DATA)
    assert "house_tiny.csv" in planted and "socket" in planted, planted
    [seen] = run(settings, server, LOOK_IN_DATA)
    assert seen == "['FashionMNIST', 'house_tiny.csv', 'penguins_raw.csv'] ['raw'] False True 4\n", seen


PLANT_LINKS = """\
import os
from ipykernel.connect import get_connection_file
here = os.path.dirname(get_connection_file())
for folder in (here, os.path.dirname(here)):
    for name in ('kernel.log', 'etc', 'bwrap.args', 'start-1', 'jupyter', 'kernel.json'):
        path = os.path.join(folder, name)
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                os.rename(path, path + '.old')
            elif os.path.lexists(path):
                os.remove(path)
            os.symlink(os.path.join(TARGET, name), path)
        except OSError:
            pass
print('planted')
"""


@pytest.mark.parametrize("forked", [True, False], ids=["forked", "fresh-sandbox"])
def test_links_a_kernel_plants_are_never_followed_when_it_restarts(forks, tmp_path, forked):
    settings, server = forks
    target = tmp_path / "targets"
    target.mkdir()
    session = launch_kernel(ASSIGNMENT, settings, forkserver=server if forked else None)
    try:
        session.attach()
        assert session.run_cell(f"TARGET = {str(target)!r}\n" + PLANT_LINKS, 0, 30).status == "ok"
        session.run_cell("import os\nos._exit(3)", 1, 30)
        session.restart()
        assert session.run_cell("print(6 * 7)", 2, 30).outputs[0]["text"] == "42\n"
        assert os.listdir(target) == []
        log = session._kernel.start.log
        assert (not log.exists() or (log.is_file() and not log.is_symlink())) and log.parent.name == "start-1"
    finally:
        session.close()
    assert list(Path(tmp_path).rglob("*")) == [target]
