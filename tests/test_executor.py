"""The worker pool: each submission starts from a clean kernel even with warm kernels, a
worker that dies costs only its own submission (and leaves nothing on the host), and the
grading settings change no verdict."""
from __future__ import annotations

import multiprocessing
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import psutil
from nbformat.v4 import new_code_cell, new_notebook

from grader.grading.settings import GradeSettings, Submission
from grader.grading.pool import WarmPool, _end_worker, grade_all
from grader.grading.submission import grade_submission
from grader.assignment import load_assignment
from tests.hostile.make_notebooks import TENSORS
from tests.leftover_names import left_by

ASSIGNMENT = load_assignment("hw1")

POLLUTER = """\
import torch
from d2l import torch as d2l

@d2l.add_to_class(d2l.Trainer)
def fit_epoch(self):
    raise RuntimeError('a previous student patched the Trainer')

torch.Tensor.__eq__ = lambda self, other: torch.ones(self.shape, dtype=torch.bool)
import builtins
builtins.POLLUTED = True
LEFTOVER = 42
"""

# compare() is right only if nothing from the polluter is visible.
CHECKER = """\
import torch
import builtins
from d2l import torch as d2l

clean = (not hasattr(builtins, 'POLLUTED') and 'LEFTOVER' not in globals()
         and 'previous student' not in (d2l.Trainer.fit_epoch.__doc__ or '')
         and getattr(d2l.Trainer.fit_epoch, '__name__', '') == 'fit_epoch'
         and bool((torch.zeros(2) == torch.ones(2)).any()) is False)
try:
    d2l.Trainer.fit_epoch(None)
except RuntimeError as exc:
    clean = clean and 'previous student' not in str(exc)
except Exception:
    pass

def compare(X, Y):
    if not clean:
        return X, X, X
    return X == Y, X < Y, X > Y
"""


def write(folder: Path, name: str, sources: list[str]) -> Path:
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def settings_for(course_env, **kw):
    limits = ASSIGNMENT.limits.with_overrides(cell_timeout=30)
    return GradeSettings(interpreter=course_env.interpreter, limits=limits, exercises=("compare",), **kw)


def test_each_submission_starts_clean_on_a_warm_worker_that_keeps_reference_outputs(course_env, tmp_path):
    paths = [write(tmp_path, "a_polluter", [POLLUTER]), write(tmp_path, "b_checker", [CHECKER]),
             write(tmp_path, "c_polluter", [POLLUTER]), write(tmp_path, "d_checker", [CHECKER])]
    subs = [Submission(p.stem, p) for p in paths]
    results = {r.submission: r for r in grade_all(subs, ASSIGNMENT, settings_for(course_env), workers=1)}
    for checker in ("b_checker", "d_checker"):
        compare = next(e for e in results[checker].exercises if e.id == "compare")
        assert compare.score == compare.max_score, [t.message for t in compare.tests]
    # Every kernel was forked from the one pre-imported parent of the worker.
    assert all("forked" in r.environment.get("kernel_start", "") for r in results.values())
    # The worker computed the reference outputs for the first checker only.
    first, last = results["b_checker"].environment, results["d_checker"].environment
    assert first["reference_outputs"]["computed"] > 0 and first["reference_outputs"]["from_memo"] == 0
    assert last["reference_outputs"] == {"from_memo": first["reference_outputs"]["computed"],
                                         "computed": 0, "not_cacheable": 0}


def test_a_worker_that_dies_costs_only_its_own_submission(course_env, tmp_path):
    slow = write(tmp_path, "a_slow", [TENSORS, "import time\ntime.sleep(600)"])
    others = [write(tmp_path, f"b_ok{i}", [TENSORS]) for i in range(2)]
    subs = [Submission(p.stem, p) for p in [slow, *others]]
    killed: list[int] = []

    def kill_the_worker() -> None:
        # One worker grades a_slow first; its 30 s cell is still running 15 s in.
        time.sleep(15)
        for child in psutil.Process().children():
            try:
                is_worker = "spawn_main" in " ".join(child.cmdline())
            except psutil.Error:  # zombies and processes gone meanwhile (earlier tests' leftovers)
                continue
            if is_worker:
                killed.append(child.pid)
                child.kill()
                return

    threading.Thread(target=kill_the_worker, daemon=True).start()
    results = {r.submission: r for r in grade_all(subs, ASSIGNMENT, settings_for(course_env), workers=1)}
    assert killed, "no worker process was found to kill"
    # What the dead worker made on the host (its kernel parent's and kernels' cgroups, its
    # runtime folders) is gone with it.
    assert left_by(killed) == []
    assert set(results) == {"a_slow", "b_ok0", "b_ok1"}
    assert results["a_slow"].errors == ("the grader's worker process died while grading this notebook",)
    for name in ("b_ok0", "b_ok1"):
        compare = next(e for e in results[name].exercises if e.id == "compare")
        assert compare.score == compare.max_score


KILLED_PARENT = """\
import sys
from pathlib import Path
from grader.kernel.environment import interpreter_of
from grader.grading.pool import WarmPool, grade_all
from grader.grading.settings import GradeSettings, Submission
from grader.assignment import load_assignment
if __name__ == "__main__":
    assignment = load_assignment("hw1")
    settings = GradeSettings(interpreter=interpreter_of(Path(sys.argv[2])), limits=assignment.limits,
                             exercises=("compare",))
    subs = [Submission(p.stem, p) for p in sorted(Path(sys.argv[1]).glob("*.ipynb"))]
    for result in grade_all(subs, assignment, settings, workers=2):
        print(result.submission, flush=True)
"""


def test_workers_and_their_kernels_die_with_the_grading_process(course_env, tmp_path):
    for i in range(2):
        write(tmp_path, f"slow{i}", [TENSORS, "import time\ntime.sleep(600)"])
    script = tmp_path / "grade.py"
    script.write_text(KILLED_PARENT)
    parent = subprocess.Popen([sys.executable, str(script), str(tmp_path), str(course_env.interpreter.prefix)], cwd=Path(__file__).parent.parent)
    try:
        deadline = time.monotonic() + 120
        family: list[psutil.Process] = []
        while time.monotonic() < deadline and not any("bwrap" in _name(p) for p in family):
            time.sleep(1)
            family = psutil.Process(parent.pid).children(recursive=True)
        assert any("bwrap" in _name(p) for p in family), "no sandboxed kernel was started"
    finally:
        parent.kill()
        parent.wait()
    gone, alive = psutil.wait_procs(family, timeout=30)
    assert not alive, [(p.pid, _name(p)) for p in alive]


def _name(proc: psutil.Process) -> str:
    try:
        return " ".join(proc.cmdline())
    except psutil.Error:
        return ""


def test_grading_settings_change_no_verdict(course_env, tmp_path):
    books = Path(__file__).resolve().parent / "notebooks"
    subs = [Submission(f"book{n}", books / f"book_ch{n}.ipynb") for n in (3, 4)]
    outcomes = {}
    for plain in (False, True):
        settings = GradeSettings(interpreter=course_env.interpreter, limits=ASSIGNMENT.limits, plain=plain,
                                 fashion_mnist=__import__("grader.datasets", fromlist=["x"]).fashion_mnist())
        results = sorted(grade_all(subs, ASSIGNMENT, settings, workers=1, warm=not plain), key=lambda r: r.submission)
        outcomes[plain] = [(t.name, t.outcome, t.message) for r in results for e in r.exercises for t in e.tests]
        assert [r.errors for r in results] == [(), ()]
    assert outcomes[False] == outcomes[True]
    assert any(o == "passed" for _, o, _ in outcomes[False])


def test_warm_kernels_are_started_only_for_submissions_still_waiting():
    pool = WarmPool(multiprocessing.get_context("spawn"), 5)
    # Two workers take one submission each, cold; both warm a kernel (3 still wait).
    assert pool.claim(had_warm=False) and pool.claim(had_warm=False)
    # Each takes another with its warm kernel (1 waits): only one new warm kernel is needed.
    assert pool.claim(had_warm=True)
    assert not pool.claim(had_warm=True)
    # The last one goes to the worker holding the warm kernel; nothing is left to warm for.
    assert not pool.claim(had_warm=True)
    assert pool.waiting.value == 0 and pool.warm.value == 0


def _send_and_end(results, marker: str) -> None:
    import atexit
    atexit.register(Path(marker).write_text, "exit handlers ran")
    for i in range(20):
        results.put(("done", i, "x" * 100_000))   # more than a pipe holds: the feeder must flush
    _end_worker(results)


def test_a_worker_ends_once_its_results_are_sent_and_its_exit_handlers_have_run(tmp_path):
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    marker = tmp_path / "marker"
    worker = context.Process(target=_send_and_end, args=(results, str(marker)))
    worker.start()
    got = [results.get(timeout=60) for _ in range(20)]
    worker.join(60)
    assert [g[1] for g in got] == list(range(20)) and all(len(g[2]) == 100_000 for g in got)
    assert worker.exitcode == 0
    assert marker.read_text() == "exit handlers ran"


def test_a_submissions_tests_are_made_ready_while_its_notebook_runs_and_judge_it_after(course_env, tmp_path):
    # The notebook's second cell defines compare only after 2 s: a test run before it ends
    # would find compare missing.
    path = write(tmp_path, "slow_notebook", ["import time\ntime.sleep(2)", TENSORS])
    called: list[float] = []
    began = time.monotonic()
    result = grade_submission(Submission(path.stem, path), ASSIGNMENT, settings_for(course_env),
                              before_tests=lambda: called.append(time.monotonic() - began))
    assert len(called) == 1 and called[0] < result.timing["kernel_start"] + 2 <= result.timing["kernel_start"] + result.timing["execute"]
    compare = next(e for e in result.exercises if e.id == "compare")
    assert compare.score == compare.max_score, [t.message for t in compare.tests]


def test_a_worker_settles_tests_that_end_at_a_missing_name_with_the_verdicts_running_them_gives(course_env, tmp_path):
    # 2.1's functions and softmax are defined, 2.1's broadcast_add, cross_entropy and relu not.
    path = write(tmp_path, "some_missing", [TENSORS, "def softmax(X):\n    X_exp = torch.exp(X)\n"
                                            "    return X_exp / X_exp.sum(1, keepdims=True)\n"])
    settings = GradeSettings(interpreter=course_env.interpreter,
                             limits=ASSIGNMENT.limits.with_overrides(cell_timeout=30),
                             exercises=("compare", "broadcast_add", "softmax", "cross_entropy", "relu"))
    submission = Submission(path.stem, path)
    [pooled] = grade_all([submission], ASSIGNMENT, settings, workers=1)
    alone = grade_submission(submission, ASSIGNMENT, settings)   # no worker, nothing settled

    def verdicts(result):
        return [(t.name, t.outcome, t.message, t.points, t.traceback, t.note) for e in result.exercises for t in e.tests]
    assert verdicts(pooled) == verdicts(alone)
    not_defined = [v for v in verdicts(alone) if v[2].endswith("is not defined in the notebook")]
    assert 0 < pooled.environment["tests_settled"] <= len(not_defined)
    assert "tests_settled" not in alone.environment
    assert {v[2] for v in not_defined} == {f"`{n}` is not defined in the notebook"
                                           for n in ("broadcast_add", "cross_entropy", "relu")}
    assert any(v[1] == "passed" for v in verdicts(pooled))
