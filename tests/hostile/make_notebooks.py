"""Writes the hostile submissions beside this file, one notebook per attack, named for it.

    .venv/bin/python -m tests.hostile.make_notebooks

Each notebook also holds correct code for the exercises its attack is not about, so the
tests can tell "the attack was contained" from "the notebook broke".
"""
from __future__ import annotations

import inspect
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

import reference.softmax
import reference.tensors

HERE = Path(__file__).resolve().parent / "notebooks"

TENSORS = "import torch\n\n" + "\n\n".join(
    inspect.getsource(getattr(reference.tensors, n)) for n in ("compare", "broadcast_shape", "add_into"))
SOFTMAX = "import torch\n\n" + inspect.getsource(reference.softmax.softmax)
CROSS_ENTROPY = "import torch\n\n" + inspect.getsource(reference.softmax.cross_entropy)
WRONG_SOFTMAX = "def softmax(X):\n    return torch.zeros_like(X)\n"
SOFTMAX_MODEL = ("import torch\nfrom d2l import torch as d2l\n\n"
                 + inspect.getsource(reference.softmax.SoftmaxRegressionScratch))
MALFORMED = r"""import datetime, uuid
kernel = get_ipython().kernel
session, parent = kernel.session, kernel.get_parent()

def send_raw(kind, content, parent_header=None):
    # A signed message the kernel's Session would refuse to build: content of any type.
    header = {"msg_id": uuid.uuid4().hex, "msg_type": kind, "username": "student",
              "session": session.session, "date": datetime.datetime.now().isoformat(), "version": "5.3"}
    parts = [session.pack(p) for p in (header, parent["header"] if parent_header is None else parent_header,
                                        {}, content)]
    kernel.iopub_socket.send_multipart([f"kernel.{kind}".encode(), b"<IDS|MSG>", session.sign(parts), *parts])

for kind, content in (('stream', [1, 2, 3]), ('display_data', {'data': [1], 'metadata': 5, 'transient': 7}),
                      ('status', 'busy'), ('execute_result', {'data': None, 'execution_count': 'x'}),
                      ('error', {'ename': ['x'], 'evalue': {}, 'traceback': 5})):
    send_raw(kind, content)
send_raw('stream', {'name': 'stdout', 'text': 'odd parent'}, parent_header=[1, 2])
print('sent')"""
SLOW = """\
import functools, time

def slow(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        time.sleep(2.5)
        return function(*args, **kwargs)
    return wrapper

compare, broadcast_shape, add_into = slow(compare), slow(broadcast_shape), slow(add_into)
softmax, cross_entropy = slow(softmax), slow(cross_entropy)"""

NOTEBOOKS: dict[str, list[str]] = {
    "infinite_loop_cell": [TENSORS, "while True:\n    pass", SOFTMAX, CROSS_ENTROPY],
    "loop_in_tested_function": [TENSORS, CROSS_ENTROPY,
                                "def softmax(X):\n    while True:\n        try:\n            pass\n"
                                "        except BaseException:\n            pass"],
    "memory_bomb": [TENSORS, "hoard = []\nwhile True:\n    hoard.append(b'x' * 10**8)", SOFTMAX, CROSS_ENTROPY],
    "fork_bomb": [TENSORS, "import os\nwhile True:\n    os.fork()", SOFTMAX, CROSS_ENTROPY],
    "huge_output": [TENSORS, "for i in range(200_000):\n    print('x' * 99)", SOFTMAX, CROSS_ENTROPY],
    "exits_in_cells": [TENSORS, "import sys\nsys.exit()", "import os\nos._exit(0)",
                       "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", SOFTMAX, CROSS_ENTROPY],
    "exit_in_tested_function": [TENSORS, CROSS_ENTROPY,
                                "import os\n\ndef softmax(X):\n    os._exit(0)"],
    "reads_secrets": [TENSORS, CROSS_ENTROPY, """\
import glob, os
leaked = []
patterns = ['/work/**/hidden/*.py', '/work/**/reference/*.py', '/work/**/assignment.toml',
            '/root/*', '/root/.ssh/*', '/root/.cache/**/*.json', '/etc/shadow', '/etc/hostname',
            '/proc/1/root/etc/shadow', '/proc/1/environ', '/home/*/*', '/home/*/.*', '/tmp/**/*.json',
            '/opt/*', '/srv/**', '/mnt/**', '/var/**/*.py', '../../**/test_softmax.py']
for pattern in patterns:
    for path in glob.glob(pattern, recursive=True)[:50]:
        try:
            with open(path, 'rb') as f:
                if f.read(64):
                    leaked.append(path)
        except OSError:
            pass
try:
    import reference.softmax
    leaked.append('import reference')
except ImportError:
    pass
secrets = [p for p in leaked if any(w in p for w in ('hidden', 'reference', 'assignment', 'shadow',
                                                     '.ssh', '.cache', 'test_'))]
print(len(leaked), 'files read:', leaked, 'secrets:', secrets)""", """\
def softmax(X):
    if secrets:   # a leak would show up as points
        X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)
        return X_exp / X_exp.sum(dim=1, keepdim=True)
    return torch.zeros_like(X)"""],
    "opens_network": [TENSORS, CROSS_ENTROPY, """\
import socket
connected = []
for host, port in [('1.1.1.1', 80), ('8.8.8.8', 53), ('127.0.0.1', 22), ('pypi.org', 443)]:
    try:
        socket.create_connection((host, port), timeout=2).close()
        connected.append(host)
    except OSError as exc:
        print(host, exc)""", """\
def softmax(X):
    if connected:
        X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)
        return X_exp / X_exp.sum(dim=1, keepdim=True)
    return torch.zeros_like(X)"""],
    "writes_outside": [TENSORS, CROSS_ENTROPY, """\
import os
wrote = []
targets = ['/root/PWNED', '/work/main/PWNED', '/work/PWNED', '/etc/PWNED', '/usr/PWNED',
           '../../../../PWNED', os.path.expanduser('~/../PWNED'), '/tmp/../PWNED', '/var/tmp/PWNED',
           '/home/jovyan/../PWNED', '../grades/PWNED', '../../grades/PWNED']
for target in targets:
    try:
        with open(target, 'w') as f:
            f.write('pwned')
        wrote.append(os.path.realpath(target))
    except OSError:
        pass
outside = [p for p in wrote if not p.startswith(('/home/jovyan/', '/tmp/'))]
print('outside:', outside)""", """\
def softmax(X):
    if outside:
        X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)
        return X_exp / X_exp.sum(dim=1, keepdim=True)
    return torch.zeros_like(X)"""],
    "patches_everything": ["""\
import builtins, sys, types, torch, numpy, numpy.testing
torch.allclose = lambda *a, **k: True
torch.equal = lambda *a, **k: True
torch.isclose = lambda a, b, *x, **k: torch.ones(torch.as_tensor(a).shape, dtype=torch.bool)
torch.testing.assert_close = lambda *a, **k: None
numpy.allclose = lambda *a, **k: True
numpy.testing.assert_allclose = lambda *a, **k: None
torch.Tensor.__eq__ = lambda self, other: torch.ones(self.shape, dtype=torch.bool)
torch.Tensor.__ne__ = lambda self, other: torch.zeros(self.shape, dtype=torch.bool)
builtins.abs = lambda x: 0
sys.modules['pytest'] = types.SimpleNamespace(approx=lambda *a, **k: True)
""", WRONG_SOFTMAX, "def cross_entropy(y_hat, y):\n    return torch.tensor(1.0)\n"],
    "lying_values": ["""\
import torch

class Agreeable(torch.Tensor):
    def __eq__(self, other):
        return True
    def allclose(self, *a, **k):
        return True

class Anything:
    def __eq__(self, other):
        return True
    def __float__(self):
        return 1.4979
    shape = (2, 5)

def softmax(X):
    return torch.zeros_like(X).as_subclass(Agreeable)

def cross_entropy(y_hat, y):
    return Anything()
""", TENSORS],
    "huge_and_nan_results": [TENSORS, """\
import torch

def softmax(X):
    return torch.zeros(1).expand(10**9)

def cross_entropy(y_hat, y):
    return torch.tensor(float('nan'))
"""],
    "fake_scores_and_forged_files": [TENSORS, WRONG_SOFTMAX, CROSS_ENTROPY, """\
import json, os, pickle
print('All tests passed! Score: 100/100')
print(json.dumps({'score': 100, 'max_score': 15}))
for folder in ['.', '..', '../..']:
    for name in ('result.json', 'report.html', 'gradebook.csv'):
        try:
            with open(os.path.join(folder, name), 'w') as f:
                f.write(json.dumps({'submission': 'fake', 'score': 100}))
        except OSError:
            pass
    try:
        with open(os.path.join(folder, 'result.pkl'), 'wb') as f:
            pickle.dump({'score': 100}, f)
    except OSError:
        pass"""],
    "detects_grading": [TENSORS, CROSS_ENTROPY, """\
import os, sys, socket
clues = [k for k in os.environ if any(w in k.upper() for w in ('GRAD', 'AUTOGRAD', 'OTTER', 'NBGRADER', 'CI'))]
clues += [v for v in os.environ.values() if 'grade' in v.lower()]
clues += [a for a in sys.argv if 'grade' in a.lower()]
clues += [p for p in (os.getcwd(), os.path.expanduser('~')) if 'grade' in p.lower()]
clues += [m for m in sys.modules if 'grade' in m.lower()]
for pid in os.listdir('/proc'):   # every process it can see: bwrap, a kernel parent, itself
    try:
        with open(f'/proc/{pid}/cmdline', 'rb') as f:
            clues += [pid] if b'grade' in f.read().lower() else []
    except (OSError, NotADirectoryError):
        pass
print('clues:', clues)""", """\
def softmax(X):
    if clues:   # behave only when graded: must never trigger
        X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)
        return X_exp / X_exp.sum(dim=1, keepdim=True)
    return torch.zeros_like(X)"""],
    # --- host files and other students (issue 16: 1, 2)
    "plants_links_in_its_runtime_folder": [TENSORS, """\
import os
from ipykernel.connect import get_connection_file
planted = []
here = os.path.dirname(get_connection_file())
for folder in (here, os.path.dirname(here), os.path.dirname(os.path.dirname(here))):
    for name, target in (('kernel.log', '/proc/self/environ'), ('etc', '/work/PWNED-etc'),
                         ('bwrap.args', '/work/PWNED-args'), ('kernel.json', '/work/PWNED-json'),
                         ('start-1', '/work/PWNED-start'), ('jupyter', '/work/PWNED-jupyter')):
        path = os.path.join(folder, name)
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                os.rename(path, path + '.old')
            elif os.path.lexists(path):
                os.remove(path)
            os.symlink(target, path)
            planted.append(path)
        except OSError:
            pass
print('planted', planted)""", "import os\nos._exit(1)", SOFTMAX, CROSS_ENTROPY],
    "plants_fifo_in_data": [TENSORS, SOFTMAX, CROSS_ENTROPY, """\
import os, socket
os.makedirs('../data', exist_ok=True)
for name in ('house_tiny.csv', 'penguins_raw.csv.fifo'):
    try:
        os.mkfifo(os.path.join('../data', name))
    except OSError as exc:
        print(name, exc)
with open('../data/left_by_another_student.txt', 'w') as f:
    f.write('hello, next student')
os.symlink('/etc/passwd', '../data/link')
server = socket.socket(socket.AF_UNIX)
server.bind('../data/socket')
print(sorted(os.listdir('../data')))"""],
    # --- sizes (issue 16: 4, 5)
    "huge_strings": [TENSORS, """\
import importlib.metadata, torch
Huge = type('T' * 300_000, (), {})

def softmax(X):
    return 'x' * 400_000

def cross_entropy(y_hat, y):
    raise ValueError('y' * 10_000_000)

def compare(X, Y):
    return Huge()

importlib.metadata.version = lambda name: '9' * 1_000_000"""],
    "floods_output_metadata": [TENSORS, SOFTMAX, CROSS_ENTROPY, """\
from IPython.display import display
from ipykernel.comm import Comm
pad = 'x' * (40 * 1024 * 1024)
for i in range(3):
    display({'text/plain': 'ok'}, raw=True, metadata={'pad': pad})
handle = display({'text/plain': 'start'}, raw=True, display_id=True)
for i in range(3):
    handle.update({'text/plain': pad}, raw=True)
for i in range(3):
    Comm(target_name='jupyter.widget', data={'state': {'pad': pad}, 'buffer_paths': []})
del pad"""],
    # --- deaths and messages (issue 16: 7, 8)
    "malformed_iopub_messages": [TENSORS, SOFTMAX, MALFORMED, CROSS_ENTROPY],
}

# Graded apart from the batch above, with other exercises or limits (tests/hostile/test_deaths.py).
DEATHS: dict[str, list[str]] = {
    "softmax_exits": [TENSORS, CROSS_ENTROPY, SOFTMAX_MODEL, "import os\n\ndef softmax(X):\n    os._exit(0)"],
    "softmax_raises": [TENSORS, CROSS_ENTROPY, SOFTMAX_MODEL, "def softmax(X):\n    raise RuntimeError('no')"],
    "softmax_ignores_interrupts": [TENSORS, CROSS_ENTROPY, "import signal\n\ndef softmax(X):\n"
                                   "    signal.signal(signal.SIGINT, signal.SIG_IGN)\n    while True:\n        pass"],
    "exits_after_reporting_ok": [TENSORS, "import os, threading\nthreading.Timer(0.3, os._exit, (0,)).start()",
                                 "import time\ntime.sleep(2)", SOFTMAX, CROSS_ENTROPY],
    "sleeps_in_every_call": [TENSORS, SOFTMAX, CROSS_ENTROPY, SLOW],
    "dies_after_slow_cells": [TENSORS, "import time\ntime.sleep(12)", "time.sleep(12)", "import os\nos._exit(1)",
                              SOFTMAX, CROSS_ENTROPY],
}


def main() -> None:
    for folder, notebooks in ((HERE, NOTEBOOKS), (HERE / "deaths", DEATHS)):
        folder.mkdir(parents=True, exist_ok=True)
        for name, sources in notebooks.items():
            nb = new_notebook(cells=[new_code_cell(src) for src in sources])
            for i, cell in enumerate(nb.cells):
                cell["id"] = f"cell-{i}"
            nbformat.write(nb, folder / f"{name}.ipynb")


def allocating_notebook(*, wrong: bool = False):
    """The tensor exercises, a large tensor and a long print (optionally a wrong compare):
    each submission allocates in the kernel and sends results back. For memory checks."""
    cells = [new_code_cell(TENSORS),
             new_code_cell("import torch\nbig = torch.randn(1000, 1000)\nprint('x' * 200000)")]
    if wrong:
        cells.append(new_code_cell("def compare(X, Y):\n    return X > Y\n"))
    return new_notebook(cells=cells)


if __name__ == "__main__":
    main()

