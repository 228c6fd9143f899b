"""Memory over a class-size batch: the grader's own memory stays flat.

    .venv/bin/python bench/memory.py [--submissions 500] [--workers N]

Grades many small notebooks (tensor exercises that pass and fail, a large tensor and a long
print each: every submission allocates in the kernel and sends results, reports and rows
back) and prints the workers' peak resident memory as the batch goes on, and the main
process's. Flat means the last submissions' peaks are about the first ones'.
"""
from __future__ import annotations

import argparse
import io
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
from tests.hostile.make_notebooks import allocating_notebook  # noqa: E402


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=500)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "submissions"
        folder.mkdir()
        for i in range(args.submissions):
            nbformat.write(allocating_notebook(wrong=i % 3 == 0), folder / f"s{i:04d}.ipynb")
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


if __name__ == "__main__":
    main()
