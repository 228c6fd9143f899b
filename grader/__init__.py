"""d2l-grader: grade Dive into Deep Learning notebooks in sandboxed kernels.

Inside a notebook, ``from grader import check; check("softmax")`` runs the public checks.
"""
from __future__ import annotations


def check(*exercises: str, assignment: str | None = None):
    """Run the public checks for ``exercises`` (all when none) against this notebook."""
    from grader.check import check as run
    return run(*exercises, assignment=assignment)


__all__ = ["check"]
