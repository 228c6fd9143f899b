"""Memory over a class-size batch: the grader's own memory stays flat.

    .venv/bin/python bench/memory.py [--submissions 500] [--workers N] [--main-only]

Grades many small notebooks (tensor exercises that pass and fail, a large tensor and a long
print each: every submission allocates in the kernel and sends results, reports and rows
back) and prints the workers' peak resident memory as the batch goes on, and the main
process's. Flat means the last submissions' peaks are about the first ones'.

``--main-only`` skips the kernels and feeds the main process HW1-sized results (hundreds of
tests each) as fast as it takes them: what it does per arriving result (store it, render
the student's pages) and the dashboard at the end, with its resident memory and time.
"""
from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.batch import BatchOptions, run_batch  # noqa: E402
from grader.publish.site import publish, store_result  # noqa: E402
from tests.test_memory import ASSIGNMENT, large_result, ungraded_gradebook  # noqa: E402


class Progress(io.StringIO):
    """Prints a line every `every` graded submissions, with the peaks so far."""

    def __init__(self, total: int, every: int) -> None:
        super().__init__()
        self.total, self.every, self.done, self.began = total, every, 0, time.monotonic()

    def write(self, text: str) -> int:
        self.done += text.count("\n") if text.startswith("[") else 0
        if text.startswith("[") and self.done % self.every == 0:
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"  {self.done}/{self.total} graded after {time.monotonic() - self.began:.0f} s; "
                  f"main process peak {rss:.0f} MB", flush=True)
        return super().write(text)


def write_submissions(folder: Path, count: int) -> None:
    """Run in a child process: the notebook maker imports torch (through the reference
    solutions), which the grader's main process never does, so it must not inflate its figure."""
    from tests.hostile.make_notebooks import allocating_notebook
    for i in range(count):
        nbformat.write(allocating_notebook(wrong=i % 3 == 0), folder / f"s{i:04d}.ipynb")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=500)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--main-only", action="store_true", help="the main process alone, HW1-sized results")
    args = parser.parse_args()
    if args.main_only:
        main_process_only(args.submissions)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "submissions"
        folder.mkdir()
        writer = multiprocessing.get_context("spawn").Process(target=write_submissions,
                                                              args=(folder, args.submissions))
        writer.start()
        writer.join()
        print(f"machine: {os.cpu_count()} cores; {args.submissions} submissions, {args.workers} workers")
        progress = Progress(args.submissions, max(1, args.submissions // 10))
        summary = run_batch(BatchOptions(paths=(folder,), out=Path(tmp) / "out", workers=args.workers,
                                         only=("compare",)), stream=progress)
        results = list(summary.results)
    # Results arrive in completion order; ru_maxrss only grows, so a worker that keeps memory
    # shows it as rising peaks from its first submissions to its last.
    peaks = [r.timing.get("grader_peak_memory_mb", 0.0) for r in results]
    head, tail = peaks[: max(1, len(peaks) // 10)], peaks[-max(1, len(peaks) // 10):]
    errors = sum(1 for r in results if r.errors)
    scores = sorted({f"{r.score:g}" for r in results})
    print()
    print(f"graded {len(results)} submissions ({errors} with errors; scores {', '.join(scores)})")
    print(f"worker peak memory: first tenth {max(head):.0f} MB, last tenth {max(tail):.0f} MB, "
          f"growth {max(tail) - max(head):+.0f} MB")
    print(f"main process peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main_process_only(count: int) -> None:
    sample = large_result("x")
    print(f"main process alone: {count} HW1-sized results "
          f"({len(sample.exercises)} exercises, {sum(len(e.tests) for e in sample.exercises)} tests each)")
    with tempfile.TemporaryDirectory() as tmp, ungraded_gradebook(Path(tmp), count) as gradebook:
        began = last = time.monotonic()
        for done, row in enumerate(gradebook.counted(), 1):
            store_result(gradebook, ASSIGNMENT, row, large_result(row.submission), Path(tmp))
            if done % max(1, count // 10) == 0:
                now = time.monotonic()
                print(f"  {done}/{count} stored and rendered; last {count // 10} took {now - last:.1f} s; "
                      f"resident {resident_mb():.0f} MB", flush=True)
                last = now
        published = time.monotonic()
        publish(gradebook, ASSIGNMENT, Path(tmp))
        print(f"dashboard published in {time.monotonic() - published:.1f} s; resident {resident_mb():.0f} MB; "
              f"peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; "
              f"total {time.monotonic() - began:.0f} s")


if __name__ == "__main__":
    main()
