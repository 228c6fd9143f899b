"""Command line: ``grade`` for instructors, ``grader env`` for the kernel environment.

Each command parses options and calls one function; every GraderError becomes one line on
stderr and its exit code.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from grader.errors import GraderError

LIMIT_OPTIONS = [
    ("--cell-timeout", "cell_timeout", float, "seconds one cell may run"),
    ("--notebook-timeout", "notebook_timeout", float, "seconds for the whole notebook"),
    ("--call-timeout", "call_timeout", float, "seconds one test's call into student code may take"),
    ("--memory-mb", "memory_mb", int, "kernel memory limit"),
    ("--cpu-seconds", "cpu_seconds", int, "CPU time per kernel process"),
    ("--processes", "processes", int, "processes and threads in the sandbox"),
    ("--file-size-mb", "file_size_mb", int, "largest file the kernel may write"),
]


def _limit_options(func):
    for flag, dest, kind, text in reversed(LIMIT_OPTIONS):
        func = click.option(flag, dest, type=kind, default=None, help=f"{text} (default: assignment.toml)")(func)
    return func


def _fail(exc: GraderError) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(exc.exit_code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """d2l-grader: grade Dive into Deep Learning notebooks safely."""


@main.command("grade")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--assignment", "-a", default=None, help="assignment id (default: the only one installed)")
@click.option("--out", "-o", type=click.Path(path_type=Path), default=Path("grades"), show_default=True,
              help="folder for reports, results and the gradebook")
@click.option("--workers", "-j", type=int, default=0, help="submissions graded at once (default: cores)")
@click.option("--no-sandbox", is_flag=True, help="run student code unconfined (trusted notebooks only)")
@click.option("--kernel-env", default="auto", show_default=True,
              help="auto (the course environment, built on first use), current, or a venv path")
@click.option("--only", multiple=True, metavar="EXERCISE",
              help="grade only this exercise (repeatable); the others score 0")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="grade on a Dask cluster, e.g. tcp://host:8786 (default: local workers)")
@click.option("--plain-kernels", is_flag=True,
              help="no warm kernels or grading settings: run notebooks exactly as plain Jupyter would")
@_limit_options
def grade_command(paths, assignment, out, workers, no_sandbox, kernel_env, only, scheduler,
                  plain_kernels, **limits) -> None:
    """Grade every notebook in PATHS (files or folders, searched recursively)."""
    from grader.batch import BatchOptions, run_batch
    try:
        summary = run_batch(BatchOptions(paths=tuple(paths), assignment=assignment, out=out,
                                         workers=workers, sandbox=not no_sandbox,
                                         kernel_env=kernel_env, limits=limits, only=tuple(only),
                                         fast=not plain_kernels, scheduler=scheduler))
    except GraderError as exc:
        _fail(exc)
    click.echo(summary.line())


@main.command("release")
@click.argument("assignment", required=False)
@click.option("--out", "-o", type=click.Path(path_type=Path), default=Path("release"), show_default=True)
@click.option("--no-validate", is_flag=True, help="skip grading the solution and blank notebooks")
@click.option("--kernel-env", default="auto", show_default=True, help="environment for validation")
def release_command(assignment, out, no_validate, kernel_env) -> None:
    """Render the student notebook, the solution notebook and autograder.zip."""
    from grader.release import release_assignment
    try:
        lines = release_assignment(assignment, out=out, validate=not no_validate, kernel_env=kernel_env,
                                   progress=lambda m: click.echo(m, err=True))
    except GraderError as exc:
        _fail(exc)
    click.echo("\n".join(lines))


@main.command("check")
@click.argument("notebook", type=click.Path(path_type=Path))
@click.argument("exercises", nargs=-1)
@click.option("--assignment", "-a", default=None, help="assignment id (default: from the notebook)")
@click.option("--cell-timeout", type=float, default=None, help="seconds one cell may run")
def check_command(notebook, exercises, assignment, cell_timeout) -> None:
    """Run the public checks on your notebook (all exercises, or the ones named)."""
    from grader.check import check_notebook
    try:
        report = check_notebook(notebook, tuple(exercises), assignment=assignment, timeout=cell_timeout)
    except GraderError as exc:
        _fail(exc)
    click.echo(report.render())
    sys.exit(0 if report.all_passed else 1)


@main.group("env")
def env_group() -> None:
    """The course's kernel environment."""


@env_group.command("build")
@click.argument("assignment", required=False)
@click.option("--wheelhouse", type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="install offline from this folder of wheels")
@click.option("--force", is_flag=True, help="rebuild even if it exists")
def env_build(assignment, wheelhouse, force) -> None:
    """Build (once) the virtual environment student kernels run."""
    from grader import environment
    from grader.spec import load_assignment
    try:
        spec = load_assignment(assignment).environment
        prefix = environment.build(spec, progress=lambda m: click.echo(m, err=True),
                                   wheelhouse=wheelhouse, force=force)
    except GraderError as exc:
        _fail(exc)
    click.echo(str(prefix))


@env_group.command("show")
@click.argument("assignment", required=False)
def env_show(assignment) -> None:
    """Where the kernel environment is and what it holds."""
    from grader import environment
    from grader.spec import load_assignment
    try:
        click.echo(environment.show(load_assignment(assignment).environment))
    except GraderError as exc:
        _fail(exc)


def grade_main() -> None:
    """The ``grade`` console script: ``grade PATHS...`` is ``grader grade PATHS...``."""
    grade_command(prog_name="grade")
