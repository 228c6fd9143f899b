"""``grader autograde gradescope|prairielearn``: find the assignment and the one notebook in
the platform's container, grade it, write the platform's results.json. Whatever goes wrong
before or during grading, even a grader bug, still ends in a valid results.json whose one
line says why: score 0 on Gradescope, ``gradable: false`` on PrairieLearn."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from grader.assignment import Assignment, parse_assignment
from grader.errors import GraderError, UsageError
from grader.grading.notebook import read_notebook
from grader.platforms.find import GRADESCOPE, PRAIRIELEARN, Layout, find_assignment, find_notebook
from grader.platforms.fit import encoded
from grader.platforms.gradescope import gradescope_refusal, gradescope_results
from grader.platforms.prairielearn import prairielearn_refusal, prairielearn_results
from grader.platforms.run import Graded, grade_upload
from grader.publish.files import write_atomically
from grader.text import one_line

REPORT = "report"   # results/report/: report.html and result.json, for the course staff


@dataclass(frozen=True)
class Platform:
    layout: Layout
    results: Callable[[Graded, Assignment], dict]
    refusal: Callable[[str], dict]


PLATFORMS = {"gradescope": Platform(GRADESCOPE, gradescope_results, gradescope_refusal),
             "prairielearn": Platform(PRAIRIELEARN, prairielearn_results, prairielearn_refusal)}


@dataclass(frozen=True)
class Outcome:
    path: Path          # the results.json written
    line: str           # what the command prints
    graded: bool


def autograde(platform: Platform, *, kernel_env: str, progress: Callable[[str], None]) -> Outcome:
    """Grade the upload in ``platform``'s container and write its results.json."""
    root = platform.layout.root()
    results = root / "results"
    try:
        assignment = parse_assignment(find_assignment(root / platform.layout.assignments) / "assignment.toml")
        notebook = find_notebook(root / platform.layout.uploads)
        read_notebook(notebook, max_mb=assignment.limits.notebook_mb)   # unreadable: say so before any kernel
        graded = grade_upload(notebook, assignment, kernel_env=kernel_env, report=results / REPORT,
                              locked=(results,), progress=progress)
        refused = _unscored(graded)
        payload = platform.refusal(refused) if refused else platform.results(graded, assignment)
    except GraderError as exc:
        refused = str(exc)
        payload = platform.refusal(refused)
    except Exception as exc:   # a grader bug: the platform still gets results, and one line
        refused = one_line(f"the grader failed ({type(exc).__name__}: {exc}); tell the course staff")
        payload = platform.refusal(refused)
    path = results / "results.json"
    try:
        results.mkdir(parents=True, exist_ok=True)
        write_atomically(path, encoded(payload).decode("utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    if refused:
        return Outcome(path, f"Not graded: {refused} ({path})", graded=False)
    return Outcome(path, f"Graded: score {payload['score']:g}; wrote {path}", graded=True)


def _unscored(graded: Graded) -> str:
    """Why the grader could not run the notebook at all ('' when it ran): the kernel did not
    start, say. The result then holds an error and no cell."""
    result = graded.result
    return one_line(result.errors[0]) if result.errors and not result.cells else ""
