"""The grader's own memory stays flat over a batch: a worker's peak after many submissions
is about what it was after its first few, and the main process's work for each arriving
result (store it, render the student's pages) does not grow with what the gradebook holds."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import tracemalloc
from datetime import datetime, timezone
from pathlib import Path

import nbformat

from grader.batch import BatchOptions, run_batch
from grader.gradebook import Gradebook
from grader.intake.survey import Attempt
from grader.results import Verdict, SubmissionResult
from grader.scoring import score_exercises, totals
from grader.publish.site import publish, store_result
from grader.assignment import load_assignment

ASSIGNMENT = load_assignment("hw1")


def test_worker_memory_does_not_grow_with_the_batch(course_env, tmp_path):
    from tests.hostile.make_notebooks import allocating_notebook   # imports torch: only here
    for i in range(16):
        nb = allocating_notebook()
        nbformat.write(nb, tmp_path / f"s{i:02d}.ipynb")
    summary = run_batch(BatchOptions(paths=(tmp_path,), out=tmp_path / "out", workers=2, only=("compare",)),
                        stream=io.StringIO())
    results = list(summary.results)
    assert len(results) == 16 and all(not r.errors for r in results)
    by_worker: dict[int, list[float]] = {}
    for r in results:
        by_worker.setdefault(r.timing["grader_worker"], []).append(r.timing["grader_peak_memory_mb"])
    assert len(by_worker) == 2
    # ru_maxrss only grows; the spread between a worker's smallest and largest peak over the
    # batch bounds how much it grew after its first submission. (A worker forked from a warm
    # one starts lower: the libraries' pages it has not touched yet are not counted.)
    for peaks in by_worker.values():
        assert max(peaks) - min(peaks) < 80, by_worker
        assert max(peaks) < 1500


def large_result(submission: str) -> SubmissionResult:
    """A result the size of a HW1 one (hundreds of tests with messages and tracebacks)."""
    exercise = ASSIGNMENT.exercises[0].id
    tests = [Verdict(name=f"hidden/test_x::test_{i}", exercise=exercise, outcome="failed", points=0.0,
                         max_points=0.5, description=f"check {i}", message=f"check {i} differs " + "x" * 200,
                         traceback=tuple(f"line {j} of the student's code" for j in range(10)))
             for i in range(400)]
    exercises = score_exercises(ASSIGNMENT, tests)
    score, max_score, pending = totals(exercises)
    return SubmissionResult(submission=submission, path="/nowhere", assignment=ASSIGNMENT.id,
                            assignment_version=ASSIGNMENT.version, score=score, max_score=max_score,
                            pending_manual=pending, exercises=exercises, timing={"total": 3.0})


def ungraded_gradebook(folder: Path, students: int) -> Gradebook:
    """A gradebook with one attempt per student, none graded yet."""
    gradebook = Gradebook.in_folder(folder)
    now = datetime.now(timezone.utc)
    gradebook.record_attempts([Attempt(student=f"s{i:04d}", matched=True, origin=f"s{i:04d}.ipynb",
                                       path=Path(f"/nowhere/s{i:04d}.ipynb"), content_hash=f"{i:08d}",
                                       submitted_at=now, time_source="file") for i in range(students)])
    return gradebook


def filled_gradebook(folder: Path, students: int) -> Gradebook:
    """``students`` graded attempts and one more not graded yet."""
    gradebook = ungraded_gradebook(folder, students + 1)
    for row in gradebook.counted()[:students]:
        gradebook.record_result(row.id, large_result(row.submission), exercises=())
    return gradebook


def peak_bytes(work) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def arrival_peak(folder: Path, students: int) -> int:
    """The main process's peak while one more result arrives (what batch.py does per result)."""
    with filled_gradebook(folder, students) as gradebook:
        last = gradebook.counted()[-1]

        return peak_bytes(lambda: store_result(gradebook, ASSIGNMENT, last, large_result(last.submission), folder))


def test_an_arriving_result_costs_the_same_memory_however_many_are_stored(tmp_path):
    few, many = arrival_peak(tmp_path / "few", 3), arrival_peak(tmp_path / "many", 20)
    assert many < few * 1.2, (few, many)


def test_publishing_keeps_only_a_brief_of_each_result(tmp_path):
    one = len(json.dumps(large_result("x").to_dict()))
    peaks = {}
    for students in (5, 25):
        with filled_gradebook(tmp_path / str(students), students) as gradebook:
            peaks[students] = peak_bytes(lambda: publish(gradebook, ASSIGNMENT, tmp_path / str(students)))
    per_student = (peaks[25] - peaks[5]) / 20
    # Holding whole results cost about 6 times the JSON text per student (1.8 MB here); a brief
    # one is each exercise's score, about a fifth of it.
    assert per_student < one / 2, (per_student, one)


MAIN_PROCESS = """
import io, json, sys
from pathlib import Path
import nbformat
from nbformat.v4 import new_code_cell, new_notebook
from grader.batch import BatchOptions, run_batch

if __name__ == "__main__":
    folder = Path(sys.argv[1])
    nbformat.write(new_notebook(cells=[new_code_cell("import torch\\nx = torch.ones(2)")]), folder / "a.ipynb")
    summary = run_batch(BatchOptions(paths=(folder,), out=folder / "out", workers=1, only=("compare",)),
                        stream=io.StringIO())
    print(json.dumps({"graded": len(summary.results), "torch": "torch" in sys.modules}))
"""


def test_the_main_process_never_imports_torch(course_env, tmp_path):
    """torch is a few hundred MB resident; only the workers and kernels need it. Results
    reach the main process as plain data, so nothing there pulls it in."""
    script = tmp_path / "main_process.py"
    script.write_text(MAIN_PROCESS)
    (tmp_path / "subs").mkdir()
    done = subprocess.run([sys.executable, str(script), str(tmp_path / "subs")], capture_output=True, text=True,
                          timeout=600, cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.splitlines()[-1]) == {"graded": 1, "torch": False}
