"""Benchmark: the similarity report for a class of 100, 200 and 300 HW1 notebooks.

    .venv/bin/python bench/similarity.py [--students 300] [--steps 100,200,300]

Writes synthetic notebooks once: the released HW1 notebook with every exercise answered
from the reference, a kept mistake (tests/wrong) or a book-style notebook, each student's
copy renamed and given statements of their own, the book's code cells appended (students
follow the book) and a few helpers of their own, plus free-response answers. Planted: three
whole notebooks copied (renamed, reordered), three students who copied two exercises, one
answer copied in capitals. Then, for each class size, in a fresh process (its peak memory is
that size's own): a gradebook of that many students, and `write_similarity` as `grade` runs
it, timed in its three parts. Prints the times, how they grow from the first size to the
others (linear would be 2x and 3x; all pairs compared would be 4x and 9x), the peak memory,
and where the planted pairs rank.
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.assignment import load_assignment  # noqa: E402 - after sys.path is set

FUNCTIONS = ["exp", "log", "sin", "cos", "tanh", "abs", "sqrt", "sigmoid", "relu", "square", "log1p", "expm1"]
WORDS = ("the gradient loss model softmax label entropy probability weight bias layer update minibatch "
         "learning rate overflow underflow stable sum mean row column matrix vector shape broadcast tensor "
         "because therefore slower faster memory error sample noise variance estimate class output input").split()
COPIED = [(10, 20), (11, 21), (12, 22)]                 # (copier, source): whole notebooks
PARTIAL = [(30, 40), (31, 41), (32, 42)]                # two exercises copied
PARTIAL_EXERCISES = ("fit_ohm", "relu_mlp_pieces")
ANSWER_COPY = (50, 60)


def own_statement(rng: random.Random, indent: str) -> str:
    a, b = rng.sample(FUNCTIONS, 2)
    return (f"{indent}check_{rng.randrange(10**6)} = torch.{a}(torch.tensor({rng.uniform(-3, 3):.3f}))"
            f" {rng.choice('+-*')} torch.{b}(torch.ones({rng.randrange(1, 9)}) * {rng.randrange(2, 99)}).sum()")


def personalise(source: str, rng: random.Random, *, lines: int = 1) -> str:
    """Statements of the student's own at the top of each function's body (``lines`` each)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    starts = []
    for func in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        body = func.body[1:] if (len(func.body) > 1 and isinstance(func.body[0], ast.Expr)) else func.body
        starts.append((body[0].lineno, body[0].col_offset))
    if not starts:
        return source + "".join("\n" + own_statement(rng, "") for _ in range(lines)) + "\n"
    out = source.splitlines()
    for lineno, indent in sorted(starts, reverse=True):
        for _ in range(lines):
            out.insert(lineno - 1, own_statement(rng, " " * indent))
    return "\n".join(out) + "\n"


def make_class(folder: Path, count: int) -> None:
    """``count`` notebooks and answers.json in ``folder``."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell

    from grader.judge.solutions import solution_pieces
    from tests.similar_notebooks import ASSIGNMENT, filled, mistakes_by_exercise, renamed, reordered
    names = {n for e in ASSIGNMENT.exercises for n in (*e.names, *e.helpers)}
    options: dict[str, list[str]] = {p.exercise: [p.source] for p in solution_pieces(ASSIGNMENT)}
    for exercise, sources in mistakes_by_exercise().items():
        options.setdefault(exercise, []).extend(sources)
    book_cells = [(f.name.split("-")[0], c.strip()) for f in sorted((ROOT / "assignments/hw1/book").glob("[0-9]*.py"))
                  for c in f.read_text().split("# %%")[1:] if c.strip()]
    free = [e.id for e in ASSIGNMENT.exercises if e.manual]
    codes: list[dict[str, str]] = []
    answers: list[dict[str, str]] = []
    for s in range(count):
        rng = random.Random(s)
        own = 4 if s in {source for _, source in PARTIAL} else rng.randrange(1, 3)
        code = {e: personalise(renamed(rng.choice(o), keep=names, prefix=f"s{s}_"), rng, lines=own)
                for e, o in options.items() if rng.random() < 0.9 or e in PARTIAL_EXERCISES}
        codes.append(code)
        answers.append({e: " ".join(rng.choice(WORDS) for _ in range(rng.randrange(12, 40))) for e in free})
    for copier, source in COPIED:
        codes[copier] = {e: reordered(renamed(c, keep=names, prefix="cp_")) for e, c in codes[source].items()}
    for copier, source in PARTIAL:
        codes[copier] |= {e: renamed(codes[source][e], keep=names, prefix="pt_") for e in PARTIAL_EXERCISES}
    copier, source = ANSWER_COPY
    answers[copier][free[0]] = answers[source][free[0]].upper()
    for s, code in enumerate(codes):
        rng = random.Random(10_000 + s)
        nb = filled(code, answers[s])
        for _, cell in book_cells:
            nb.cells.append(new_code_cell(cell + ("\n" + own_statement(rng, "") if rng.random() < 0.3 else "")))
        nb.cells.append(new_markdown_cell("## My own helpers"))
        nb.cells += [new_code_cell(f"def helper_{k}(x):\n{own_statement(rng, '    ')}\n    return x * {k}\n")
                     for k in range(rng.randrange(3, 7))]
        nbformat.write(nb, str(folder / f"{s:04d}.ipynb"))
    (folder / "answers.json").write_text(json.dumps(answers))


def measure(folder: Path, count: int) -> dict:
    """One class size, in this process: gradebook, then the report in its three parts."""
    from grader.gradebook import Gradebook
    from grader.intake.survey import Attempt
    from grader.publish.similarity.page import write_pages
    from grader.publish.similarity.report import find_similar, participants_from
    from grader.results import ExerciseResult, SubmissionResult
    assignment = load_assignment("hw1")
    answers = json.loads((folder / "answers.json").read_text())
    out = folder / f"out{count}"
    free = {e.id: e for e in assignment.exercises if e.manual}
    with Gradebook.in_folder(out) as book:
        book.set_meta(assignment="hw1")
        book.record_attempts([Attempt(student=f"s{s:04d}", matched=True, origin=f"{s:04d}.ipynb",
                                      path=folder / f"{s:04d}.ipynb", content_hash=f"{s:064d}",
                                      submitted_at=datetime(2026, 4, 1, tzinfo=timezone.utc), time_source="file")
                              for s in range(count)])
        for row in book.counted():
            s = int(row.student[1:])
            exercises = tuple(ExerciseResult(e, free[e].title, free[e].section, "F", 0, free[e].points, answer=text,
                                             manual=True) for e, text in answers[s].items())
            book.record_result(row.id, SubmissionResult(submission=row.submission, path="", assignment="hw1",
                                                        assignment_version=assignment.version, score=0, max_score=1,
                                                        pending_manual=1, exercises=exercises), exercises=())
        cpu = cpu_seconds()
        began = time.monotonic()
        people, unreadable = participants_from(book, assignment)
        read, read_cpu = time.monotonic(), cpu_seconds()
        findings = find_similar(people, assignment, unreadable=unreadable)
        compared, compare_cpu = time.monotonic(), cpu_seconds()
        write_pages(findings, assignment, out / "similarity")
        written = time.monotonic()
    ids = [p.id for p in findings.participants]
    ranks = {f"{a}-{b}": next((i + 1 for i, p in enumerate(findings.pairs)
                               if {ids[p.a], ids[p.b]} == {f"s{a:04d}", f"s{b:04d}"}), None)
             for a, b in [*COPIED, *PARTIAL, ANSWER_COPY] if max(a, b) < count}
    return {"students": count, "read": read - began, "compare": compared - read, "write": written - compared,
            "total": written - began, "cpu": cpu_seconds() - cpu, "load": os.getloadavg()[0],
            "read_cpu": read_cpu - cpu, "compare_cpu": compare_cpu - read_cpu, "pairs": len(findings.pairs), "matches": len(findings.matches),
            "peak_mb": peak_mb(), "planted_ranks": ranks}


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the processes reading notebooks)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not the parent's from before exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--steps", default="100,200,300")
    parser.add_argument("--folder", type=Path, default=None, help="reuse (or keep) the notebooks here")
    parser.add_argument("--measure", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.folder, args.measure)))
        return
    folder = args.folder or Path(tempfile.mkdtemp(prefix="similarity-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "answers.json").is_file():
        began = time.monotonic()
        make_class(folder, args.students)
        print(f"wrote {args.students} notebooks to {folder} in {time.monotonic() - began:.0f} s "
              f"({sum(p.stat().st_size for p in folder.glob('*.ipynb')) / args.students / 1024:.0f} KB each)")
    rows = []
    for count in (int(n) for n in args.steps.split(",")):
        done = subprocess.run([sys.executable, __file__, "--folder", str(folder), "--measure", str(count)],
                              capture_output=True, text=True, check=True)
        rows.append(json.loads(done.stdout.splitlines()[-1]))
        r = rows[-1]
        print(f"{r['students']:4d} students: {r['total']:6.1f} s (read and fingerprint {r['read']:.1f} s, "
              f"compare {r['compare']:.1f} s, pages {r['write']:.1f} s); CPU {r['cpu']:.1f} s (read "
              f"{r['read_cpu']:.1f} s, compare {r['compare_cpu']:.1f} s; load {r['load']:.1f}); {r['pairs']} pairs reported, "
              f"peak {r['peak_mb']:.0f} MB; planted pairs ranked {r['planted_ranks']}")
    base = rows[0]
    for r in rows[1:]:
        n = r["students"] / base["students"]
        print(f"{base['students']} -> {r['students']} students ({n:g}x; linear {n:g}x, all pairs {n * n:g}x): "
              f"time {r['total'] / base['total']:.2f}x, CPU {r['cpu'] / base['cpu']:.2f}x (comparing alone "
              f"{r['compare_cpu'] / max(base['compare_cpu'], 1e-9):.2f}x), peak memory {r['peak_mb'] / base['peak_mb']:.2f}x")


if __name__ == "__main__":
    main()
