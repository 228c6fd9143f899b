"""The hostile batch again with bubblewrap unavailable: ``auto`` falls back to running each
kernel as its own unprivileged user (grader/kernel/isolation.py). Same verdicts as under the
sandbox, test by test; no file of the tests, the reference solutions or the assignment
readable from the kernel; nothing of one kernel's user left when the batch is over.

The batch runs in a mount namespace of its own where the course environment under /root can
be passed through and this project's checkouts (with their hidden tests) are closed, as a
platform's container would be (tests/open_root.py); the host is not changed.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.assignment import REFERENCE_DIR, load_assignment
from grader.kernel import environment
from grader.kernel.isolation import KERNEL_UID, UIDS, users_running
from grader.results import SubmissionResult
from tests.hostile.batches import FULL, LIMITS, ONLY, PWNED, hostile_folder, scores
from tests.hostile.make_notebooks import CROSS_ENTROPY, TENSORS
from tests.open_root import project_checkouts, wrap

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the fallback starts kernels as another user: needs root")

GRADE = """
import json, sys
from pathlib import Path
from grader.batch import BatchOptions, run_batch
args = json.loads(sys.argv[1])
run_batch(BatchOptions(paths=(Path(args["folder"]),), assignment=args["assignment"], out=Path(args["out"]),
                       workers=2, limits=args["limits"], only=tuple(args["only"])))
"""


def _private_assignment(root: Path) -> Path:
    """A copy of hw1 with its reference solutions, as an unpacked autograder bundle holds it,
    closed to other users (the batch refuses an assignment the kernel's user could read)."""
    root.chmod(0o700)
    folder = root / "hw1"
    shutil.copytree(load_assignment("hw1").root, folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REFERENCE_DIR, folder / "reference", ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def _reads_the_tests(paths: list[Path]) -> nbformat.NotebookNode:
    """Earns softmax's points only if it can read one of ``paths``, runs with root's ids,
    groups or any capability, or can make an internet socket (the socket filter refuses it
    even where a network namespace holds no interface)."""
    probe = f"""import os
read = []
for path in {[str(p) for p in paths]!r}:
    try:
        with open(path, 'rb') as f:
            read.append(path) if f.read(1) else None
    except OSError:
        pass
    read += [path] if os.path.exists(path) else []
read += ['root'] if 0 in (os.getuid(), os.geteuid(), os.getgid()) or os.getgroups() else []
with open('/proc/self/status') as f:
    read += [line for line in f if line.startswith(('CapEff', 'CapPrm', 'CapAmb')) and int(line.split()[1], 16)]
import socket
for family in (socket.AF_INET, socket.AF_INET6):
    try:
        socket.socket(family).close()
        read.append(family.name)
    except OSError:
        pass
print('read:', read)"""
    softmax = """def softmax(X):
    if read:
        X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)
        return X_exp / X_exp.sum(dim=1, keepdim=True)
    return torch.zeros_like(X)"""
    return new_notebook(cells=[new_code_cell(c) for c in (TENSORS, CROSS_ENTROPY, probe, softmax)])


@pytest.fixture(scope="module")
def fallback(course_env, tmp_path_factory):
    private = _private_assignment(tmp_path_factory.mktemp("private"))
    secrets = [*sorted((private / "hidden").glob("test_*.py"))[:2], private / "reference" / "softmax.py",
               private / "assignment.toml", private]
    assert all(p.exists() for p in secrets)
    folder = hostile_folder(tmp_path_factory.mktemp("hostile-fallback"))
    nbformat.write(_reads_the_tests(secrets), folder / "reads_the_graded_tests.ipynb")
    out = tmp_path_factory.mktemp("grades-fallback")
    kernel = environment.resolve("auto", load_assignment("hw1").environment, progress=lambda _: None).interpreter
    args = {"folder": str(folder), "assignment": str(private), "out": str(out), "limits": LIMITS, "only": ONLY}
    command = wrap([sys.executable, "-c", GRADE, json.dumps(args)],
                   passes=[kernel.prefix, kernel.base_prefix], close=project_checkouts())
    env = dict(os.environ, D2L_GRADER_BWRAP="", PYTHONPATH=str(ROOT))
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    results = {p.parent.name: SubmissionResult.from_dict(json.loads(p.read_text()))
               for p in out.glob("*/result.json")}
    return results, out


def verdicts(result):
    return ([(t.name, t.outcome, t.message) for e in result.exercises for t in e.tests],
            [c.status for c in result.cells], result.errors)


def test_auto_falls_back_to_an_unprivileged_user_and_says_so(fallback):
    results, out = fallback
    isolation = results["correct"].environment["sandbox"]
    assert isolation.startswith("fallback: each kernel its own unprivileged user")
    assert "bubblewrap unavailable" in isolation and "no network" in isolation
    assert "fallback: each kernel its own unprivileged user" in (out / "correct" / "report.html").read_text()


def test_every_hostile_notebook_gets_the_verdicts_it_gets_in_the_sandbox(batch, fallback):
    sandboxed, _, _ = batch
    results, _ = fallback
    assert set(results) == set(sandboxed) | {"reads_the_graded_tests"}
    differ = {sid: (verdicts(results[sid]), verdicts(r)) for sid, r in sandboxed.items()
              if verdicts(results[sid]) != verdicts(r)}
    assert differ == {}


def test_no_file_of_the_tests_is_readable_from_the_kernel_and_it_holds_no_privilege(fallback):
    results, _ = fallback
    r = results["reads_the_graded_tests"]
    assert all(c.status == "ok" for c in r.cells)
    assert scores(r) == dict(FULL, softmax=0)


def test_nothing_of_a_kernels_user_is_left(fallback):
    assert [p for p in PWNED if p.exists()] == []
    assert [uid for uid in users_running() if KERNEL_UID <= uid < KERNEL_UID + UIDS] == []
    for shared in ("/tmp", "/var/tmp", "/dev/shm"):
        left = [e.path for e in os.scandir(shared) if KERNEL_UID <= e.stat(follow_symlinks=False).st_uid < KERNEL_UID + UIDS]
        assert left == []


def test_an_assignment_other_users_can_read_is_refused_under_the_fallback(course_env, tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    shutil.copy(ROOT / "examples" / "submissions" / "correct.ipynb", folder)
    open_folder = Path(tempfile.mkdtemp())
    try:
        open_folder.chmod(0o755)
        shutil.copytree(load_assignment("hw1").root, open_folder / "hw1", ignore=shutil.ignore_patterns("__pycache__"))
        command = [str(Path(sys.executable).parent / "grade"), str(folder), "--isolation", "user",
                   "--assignment", str(open_folder / "hw1"), "--out", str(tmp_path / "out"), "--only", "softmax"]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    finally:
        shutil.rmtree(open_folder)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        f"error: {open_folder / 'hw1'} is open to other users, so the kernel's user could read it under the "
        f"unprivileged-user isolation: chmod -R go-rwx {open_folder / 'hw1'} (or grade with bubblewrap)")
