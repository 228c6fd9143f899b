"""The batch's gradebook: one CSV row per submission (id, total, one column per exercise)."""
from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from pathlib import Path

from grader.results import SubmissionResult
from grader.spec import Assignment


def gradebook_csv(results: Sequence[SubmissionResult], assignment: Assignment) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    ids = [e.id for e in assignment.exercises]
    writer.writerow(["submission", "total", "max_score", "pending_manual", "errors", *ids])
    for r in sorted(results, key=lambda r: r.submission.lower()):
        scores = {e.id: ("" if e.manual else f"{e.score:g}") for e in r.exercises}
        writer.writerow([r.submission, f"{r.score:g}", f"{r.max_score:g}", f"{r.pending_manual:g}",
                         len(r.errors), *[scores.get(i, "") for i in ids]])
    return out.getvalue()


def write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
