"""d2l-grader: grade Dive into Deep Learning notebooks in sandboxed kernels.

Inside a notebook, ``from grader import check; check("softmax")`` runs the public checks; a
student's hand-out carries the same engine in its own checks package (``grader/wheel.py``).

The engine, grouped by the stage of a submission's path. A module imports only from its
own stage and from stages above it in this list (``tests/test_layout.py`` checks it):

    foundation   errors, text, assignment, results, datasets, scoring
    intake/      files in, students out: survey, archive, roster, names
    inkernel/    sent into the kernel as source, standard library only: wire, agent,
                 prelude, zygote
    kernel/      a sandboxed kernel and its limits: isolation, plan, sandbox, cgroups,
                 client, session, agentlink (requests to the agent), forkserver, environment,
                 owners and leftovers (what a killed worker left on the host, removed)
    judge/       pytest in the grader's process: plugin, bridge, local, memo, compare,
                 solutions, source and definitions (the notebook's source, read here)
    grading/     one submission end to end: settings, notebook, execution, submission,
                 kit, pool, siblings (workers forked from one warmed worker), cluster
    gradebook    the SQLite gradebook
    standings    each student's counted attempt and final result
    publish/     pages and files out: site, report, dashboard, chart, markup, export, manual,
                 room (the grading room, a local web app), feedback, similarity/ (copies across
                 a class), templates/
    entry points batch (grade), check (in a notebook) and selfcheck (``grader check``),
                 release with stubs (the notebook's cells), wheel (the students' checks
                 package), bundle (Gradescope's autograder.zip and PrairieLearn's image and
                 question) and pins (the grader's own wheel and pinned requirements),
                 platforms/ (``grader autograde``: one upload on Gradescope or PrairieLearn),
                 testing and bookcode/ (for test authors), cli

Data flows one way: intake -> grading (kernel, inkernel, judge, scoring) -> gradebook ->
standings -> publish.
"""
from __future__ import annotations


def check(*exercises: str, assignment: str | None = None):
    """Run the public checks for ``exercises`` (all when none) against this notebook."""
    from grader.check import check as run
    return run(*exercises, assignment=assignment)


__all__ = ["check"]
