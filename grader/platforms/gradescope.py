"""Gradescope's results.json (gradescope-autograders.readthedocs.io, "Autograder
Specifications"): the submission's ``score`` (it overrides the tests' sum), ``execution_time``,
``output`` for the whole submission, and one test per check with its ``score``,
``max_score``, ``status``, ``output`` and ``visibility`` ([platforms.gradescope] in
assignment.toml). Free-response exercises are listed at 0 of 0 points: Gradescope adds the
tests' max_score to the autograder's total, which must be the automatic points alone."""
from __future__ import annotations

from grader.assignment import Assignment
from grader.platforms.checks import Check, list_checks, summary_lines
from grader.platforms.fit import fit
from grader.platforms.run import Graded


def gradescope_results(graded: Graded, assignment: Assignment) -> dict:
    """results.json for one graded upload, under 1 MB."""
    result = graded.result
    settings = assignment.gradescope
    visibility = {"public": settings.public, "hidden": settings.hidden, "free": settings.public}
    tests = [_test(check, visibility[check.kind]) for check in list_checks(result)]
    output = "\n".join([*summary_lines(result, assignment), f"Isolation: {graded.isolation.describe()}"])
    payload = {"score": result.score, "execution_time": _seconds(result.timing.get("total", 0.0)),
               "output": output, "output_format": "text", "tests": tests}
    fitted = fit(payload, test_texts=("output",), top_texts=("output",))
    if not fitted.shortened:
        return fitted.payload
    return {**fitted.payload, "output": f"{fitted.payload['output']}\n{fitted.note()}"}


def _test(check: Check, visibility: str) -> dict:
    output = "\n".join(part for part in (check.message, check.output) if part)
    return {"name": check.name, "score": check.score, "max_score": check.max_score,
            "status": "passed" if check.passed else "failed", "output": output, "visibility": visibility}


def gradescope_refusal(message: str) -> dict:
    """results.json for an upload that could not be graded: score 0 and why, in one line."""
    return {"score": 0.0, "output": f"Not graded: {message}", "output_format": "text", "tests": []}


def _seconds(value: float) -> int:
    return max(0, round(float(value)))
