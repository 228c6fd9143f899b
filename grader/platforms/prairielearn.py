"""PrairieLearn's results.json (its "External grading" documentation): ``gradable``, the
``score`` as a fraction of the question's points (here: of the automatic points), a
``message`` and ``output`` for the whole submission, and one test per check with its
``points``, ``max_points``, ``message`` and ``output``. An upload that cannot be graded is
``gradable: false`` with the reason: PrairieLearn then awards nothing and takes no attempt."""
from __future__ import annotations

from grader.assignment import Assignment
from grader.platforms.checks import Check, automatic_points, list_checks, summary_lines
from grader.platforms.fit import fit
from grader.platforms.run import Graded

DESCRIPTIONS = {"public": "a public check (students run it with check())", "hidden": "a hidden check",
                "free": "a free-response answer, graded by hand"}


def prairielearn_results(graded: Graded, assignment: Assignment) -> dict:
    """results.json for one graded upload, under 1 MB."""
    result = graded.result
    total = automatic_points(assignment)
    headline, *rest = summary_lines(result, assignment)
    payload = {"gradable": True, "score": min(1.0, result.score / total) if total else 0.0,
               "message": headline, "output": "\n".join([*rest, f"Isolation: {graded.isolation.describe()}"]),
               "tests": [_test(check) for check in list_checks(result)]}
    fitted = fit(payload, test_texts=("message", "output"), top_texts=("output",))
    if not fitted.shortened:
        return fitted.payload
    return {**fitted.payload, "message": f"{headline} {fitted.note()}"}


def _test(check: Check) -> dict:
    return {"name": check.name, "description": f"{check.exercise}: {DESCRIPTIONS[check.kind]}",
            "points": check.score, "max_points": check.max_score, "message": check.message,
            "output": check.output}


def prairielearn_refusal(message: str) -> dict:
    """results.json for an upload that could not be graded: not gradable, and why in one line."""
    return {"gradable": False, "score": 0.0, "message": f"Not graded: {message}", "format_errors": [message],
            "output": "", "tests": []}
