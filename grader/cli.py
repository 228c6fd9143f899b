"""Command line: ``grade`` for instructors (with ``grader manual``, ``grader export`` and
``grader feedback`` for the rest of the grading day), ``grader release`` and ``grader check``,
``grader autograde`` inside Gradescope's and PrairieLearn's containers, ``grader env`` for the
kernel environment.

Each command parses options and calls one function; every GraderError becomes one line on
stderr and its exit code.
"""
from __future__ import annotations

import errno
import sys
from pathlib import Path

import click

from grader.errors import GraderError, UsageError

LIMIT_OPTIONS = [
    ("--cell-timeout", "cell_timeout", float, "seconds one cell may run"),
    ("--notebook-timeout", "notebook_timeout", float, "seconds for the whole submission: cells, replays and checks"),
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


def _os_error_line(exc: OSError) -> str:
    """A file system error as one line naming the path: a folder that is a file, no such
    folder, no permission, a full disk."""
    path = exc.filename2 or exc.filename
    if path is None:
        return f"error: {exc.strerror or exc}"
    if isinstance(exc, FileExistsError):
        return f"error: {path} is a file, and a folder is needed there; give another path"
    if isinstance(exc, NotADirectoryError):
        return f"error: {path}: part of this path is a file, not a folder; give another path"
    return f"error: {path}: {exc.strerror or exc}"


class _OneLineErrors:
    """Every command: a file system error it meets (outside a submission's grading, which
    reports its own) is one line on stderr and exit status 2, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except OSError as exc:
            if exc.errno == errno.EPIPE:   # output piped to a reader that left: click's own handling
                raise
            click.echo(_os_error_line(exc), err=True)
            sys.exit(2)


class _Group(_OneLineErrors, click.Group):
    pass


class _Command(_OneLineErrors, click.Command):
    pass


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """d2l-grader: grade Dive into Deep Learning notebooks safely."""


@main.command("grade", cls=_Command)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--assignment", "-a", default=None, help="assignment id (default: the only one installed)")
@click.option("--out", "-o", type=click.Path(path_type=Path), default=Path("grades"), show_default=True,
              help="folder for reports, results and the gradebook")
@click.option("--workers", "-j", type=click.IntRange(min=0), default=0,
              help="submissions graded at once (default: cores)")
@click.option("--no-sandbox", is_flag=True, help="run student code unconfined (trusted notebooks only)")
@click.option("--isolation", type=click.Choice(["auto", "bubblewrap", "user"]), default="auto", show_default=True,
              help="bubblewrap, or (as root, where user namespaces are refused) an unprivileged user per kernel; "
                   "auto takes bubblewrap where it works")
@click.option("--kernel-env", default="auto", show_default=True,
              help="auto (the course environment, built on first use), current, or a venv path")
@click.option("--only", multiple=True, metavar="EXERCISE",
              help="grade only this exercise (repeatable); the others score 0")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="grade on a Dask cluster, e.g. tcp://host:8786 (default: local workers)")
@click.option("--plain-kernels", is_flag=True,
              help="no warm kernels or grading settings: run notebooks exactly as plain Jupyter would")
@click.option("--regrade", is_flag=True,
              help="grade again what the gradebook already holds for this assignment version")
@click.option("--roster", type=click.Path(path_type=Path), default=None,
              help="class list CSV (a Canvas gradebook export works): match files to students")
@click.option("--id-pattern", "id_patterns", multiple=True, metavar="REGEX",
              help="regular expression with a (?P<student>...) group, matched against each notebook's "
                   "path below its folder or zip (repeatable; replaces assignment.toml's [intake])")
@click.option("--deadline", default=None, metavar="ISO-TIME",
              help="e.g. 2026-04-10T23:59:00+09:00 (default: assignment.toml's [late])")
@click.option("--grace-minutes", type=float, default=None, help="minutes after the deadline still on time")
@click.option("--late-percent-per-day", "percent_per_day", type=float, default=None,
              help="penalty per day or part of a day late, in percent of the total")
@click.option("--late-cap", "max_percent", type=float, default=None, help="largest late penalty, in percent")
@click.option("--no-similarity", is_flag=True, help="do not write the similarity report (OUT/similarity/)")
@_limit_options
def grade_command(paths, assignment, out, workers, no_sandbox, isolation, kernel_env, only, scheduler,
                  plain_kernels, regrade, roster, id_patterns, deadline, grace_minutes, percent_per_day,
                  max_percent, no_similarity, **limits) -> None:
    """Grade the notebooks in PATHS: files, folders (searched recursively, a folder per
    student works) and zip files (bulk downloads). Results go to the gradebook in --out;
    what it already holds for this assignment version is not graded again."""
    from grader.batch import BatchOptions, run_batch
    late = {"deadline": deadline, "grace_minutes": grace_minutes, "percent_per_day": percent_per_day,
            "max_percent": max_percent}
    try:
        summary = run_batch(BatchOptions(paths=tuple(paths), assignment=assignment, out=out,
                                         workers=workers, isolation="none" if no_sandbox else isolation,
                                         kernel_env=kernel_env, limits=limits, only=tuple(only),
                                         plain_kernels=plain_kernels, scheduler=scheduler, regrade=regrade,
                                         roster=roster, id_patterns=tuple(id_patterns), late=late,
                                         similarity=not no_similarity))
    except GraderError as exc:
        _fail(exc)
    click.echo(summary.line())


def _gradebook_and_assignment(out: Path, assignment: str | None):
    """The gradebook in ``out`` and the assignment it belongs to."""
    from grader.assignment import load_assignment
    from grader.gradebook import Gradebook
    gradebook = Gradebook.in_folder(out, create=False)
    try:
        return gradebook, load_assignment(assignment or gradebook.meta("assignment"))
    except GraderError:
        gradebook.close()
        raise


@main.group("manual")
def manual_group() -> None:
    """Grade free-response answers by hand: in the grading room (serve), or as a CSV file
    (export, then import)."""


def _grades_folder(folder: Path | None, out: Path) -> Path:
    """The grading output folder, given as an argument (as in `grader manual serve grades/`) or --out."""
    return folder if folder is not None else out


GRADES_ARGUMENT = click.argument("folder", required=False, type=click.Path(path_type=Path))
OUT_OPTION = click.option("--out", "-o", type=click.Path(path_type=Path), default=Path("grades"), show_default=True,
                          help="the grading output folder holding the gradebook (or give it as FOLDER)")


@manual_group.command("serve")
@GRADES_ARGUMENT
@OUT_OPTION
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="port on 127.0.0.1 (default: a free one)")
@click.option("--grader", "grader_name", default="", help="your name, saved with each score (the page can set it too)")
@click.option("--anonymous", is_flag=True, help="never show names or ids; answers in shuffled order")
@click.option("--assignment", "-a", default=None, help="assignment id (default: the gradebook's)")
def manual_serve(folder, out, port, grader_name, anonymous, assignment) -> None:
    """Open the grading room: score free-response answers in a browser, one question at a
    time, saved to the gradebook as you go. Prints the address (with its access token)."""
    from grader.publish.room import serve
    out = _grades_folder(folder, out)

    def announce(line: str) -> None:
        click.echo(line)
        sys.stdout.flush()    # a script reading the address must see it now
    try:
        gradebook, spec = _gradebook_and_assignment(out, assignment)
        gradebook.close()
        serve(out, spec, port=port, grader=grader_name, anonymous=anonymous, announce=announce)
    except GraderError as exc:
        _fail(exc)


@manual_group.command("export")
@GRADES_ARGUMENT
@OUT_OPTION
@click.option("--to", "dest", type=click.Path(path_type=Path), default=None,
              help="folder for answers.csv and index.html (default: OUT/manual)")
@click.option("--assignment", "-a", default=None, help="assignment id (default: the gradebook's)")
def manual_export(folder, out, dest, assignment) -> None:
    """Write the free-response answers, with reference answers and rubrics, for graders."""
    from grader.publish.manual import export_manual
    out = _grades_folder(folder, out)
    try:
        gradebook, spec = _gradebook_and_assignment(out, assignment)
        with gradebook:
            summary = export_manual(gradebook, spec, dest or out / "manual")
    except GraderError as exc:
        _fail(exc)
    click.echo(summary.line())


@manual_group.command("zero-blanks")
@GRADES_ARGUMENT
@OUT_OPTION
@click.option("--exercise", default=None, help="only this free-response exercise")
@click.option("--assignment", "-a", default=None, help="assignment id (default: the gradebook's)")
def manual_zero_blanks(folder, out, exercise, assignment) -> None:
    """Give 0 to every blank free-response answer that has no score yet."""
    from grader.publish.manual import zero_blanks
    from grader.publish.site import publish
    out = _grades_folder(folder, out)
    try:
        gradebook, spec = _gradebook_and_assignment(out, assignment)
        with gradebook:
            if exercise is not None and not spec.exercise(exercise).manual:
                raise UsageError(f"{exercise!r} is not a free-response exercise of {spec.id}")
            scored = zero_blanks(gradebook, spec, exercise=exercise)
            publish(gradebook, spec, out)
    except GraderError as exc:
        _fail(exc)
    click.echo(f"{scored} blank answer(s) now score 0.")


@manual_group.command("import")
@click.argument("scores", type=click.Path(path_type=Path))
@click.option("--out", "-o", type=click.Path(path_type=Path), default=Path("grades"), show_default=True,
              help="the grading output folder holding the gradebook")
@click.option("--assignment", "-a", default=None, help="assignment id (default: the gradebook's)")
def manual_import(scores, out, assignment) -> None:
    """Import a filled-in answers.csv; reports, dashboard and gradebook.csv are rendered again."""
    from grader.publish.manual import import_manual
    from grader.publish.site import publish
    try:
        gradebook, spec = _gradebook_and_assignment(out, assignment)
        with gradebook:
            summary = import_manual(gradebook, spec, scores)
            publish(gradebook, spec, out)
    except GraderError as exc:
        _fail(exc)
    click.echo(summary.line())


@main.command("export")
@click.option("--format", "fmt", type=click.Choice(["canvas", "csv"]), required=True,
              help="canvas (a gradebook CSV Canvas imports) or csv; Gradescope grades with `grader autograde`")
@click.option("--out", "-o", type=click.Path(path_type=Path), default=Path("grades"), show_default=True,
              help="the grading output folder holding the gradebook")
@click.option("--to", "dest", type=click.Path(path_type=Path), default=None,
              help="the file to write, or a folder to write it in (default: OUT/exports/canvas.csv or "
                   "OUT/exports/grades.csv)")
@click.option("--column", default=None, help="Canvas: the assignment's column name (default: the assignment id)")
@click.option("--missing", type=click.Choice(["blank", "zero"]), default="blank", show_default=True,
              help="roster students who handed in nothing: a blank grade or 0")
@click.option("--assignment", "-a", default=None, help="assignment id (default: the gradebook's)")
def export_command(fmt, out, dest, column, missing, assignment) -> None:
    """Export final grades for Canvas or as a plain CSV."""
    from grader.publish.export import export_grades
    default = {"canvas": "canvas.csv", "csv": "grades.csv"}[fmt]
    try:
        gradebook, spec = _gradebook_and_assignment(out, assignment)
        with gradebook:
            dest = dest or out / "exports" / default
            summary = export_grades(gradebook, spec, fmt=fmt, dest=dest / default if dest.is_dir() else dest,
                                    column=column, missing=missing)
    except GraderError as exc:
        _fail(exc)
    click.echo(summary.line(), err=True)   # stdout may be the export itself (--to /dev/stdout)


@main.command("feedback")
@click.argument("grades", type=click.Path(path_type=Path), default=Path("grades"))
@click.option("--out", "-o", "dest", type=click.Path(path_type=Path), default=None,
              help="folder for the pages and the zip (default: GRADES/feedback)")
@click.option("--reference-answers", is_flag=True, help="show the model answers to free-response questions")
@click.option("--assignment", "-a", default=None, help="assignment id (default: the gradebook's)")
def feedback_command(grades, dest, reference_answers, assignment) -> None:
    """Write one self-contained feedback page per student from GRADES, and a zip of them named
    for the learning platform's bulk upload: safe to hand out."""
    from grader.publish.feedback import write_feedback
    try:
        gradebook, spec = _gradebook_and_assignment(grades, assignment)
        with gradebook:
            summary = write_feedback(gradebook, spec, dest or grades / "feedback", reference_answers=reference_answers)
    except GraderError as exc:
        _fail(exc)
    click.echo(summary.line())


@main.command("similarity")
@click.argument("out", type=click.Path(path_type=Path), default=Path("grades"))
@click.option("--assignment", "-a", default=None, help="assignment id (default: the gradebook's)")
def similarity_command(out, assignment) -> None:
    """Compare the notebooks graded into OUT (per exercise, answers, whole notebooks) and
    write OUT/similarity/: index.html, a page per pair, pairs.csv."""
    from grader.publish.similarity.report import write_similarity
    try:
        gradebook, spec = _gradebook_and_assignment(out, assignment)
        with gradebook:
            summary = write_similarity(gradebook, spec, out)
    except GraderError as exc:
        _fail(exc)
    click.echo(summary.line())


@main.command("release")
@click.argument("assignment", required=False)
@click.option("--out", "-o", type=click.Path(path_type=Path), default=Path("release"), show_default=True)
@click.option("--no-validate", is_flag=True,
              help="skip grading the solution, the blank and the filled-in student notebooks")
@click.option("--kernel-env", default="auto", show_default=True, help="environment for validation")
@click.option("--wheelhouse", type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="put this folder's wheels in autograder.zip; its setup.sh then installs only from them")
def release_command(assignment, out, no_validate, kernel_env, wheelhouse) -> None:
    """Write OUT/student/ (the hand-out: the notebook and the checks wheel), OUT/solution/,
    OUT/autograder.zip (Gradescope) and OUT/prairielearn/, then validate them (see the README)."""
    from grader.release import release_assignment
    try:
        lines = release_assignment(assignment, out=out, validate=not no_validate, kernel_env=kernel_env,
                                   progress=lambda m: click.echo(m, err=True), wheelhouse=wheelhouse)
    except GraderError as exc:
        _fail(exc)
    click.echo("\n".join(lines))


@main.group("autograde")
def autograde_group() -> None:
    """Grade the one notebook of an upload inside a learning platform's grading container and
    write the platform's results.json (run by the release's autograder; see the README)."""


def _autograde(platform: str, kernel_env: str) -> None:
    from grader.platforms.autograde import PLATFORMS, autograde
    try:
        outcome = autograde(PLATFORMS[platform], kernel_env=kernel_env, progress=lambda m: click.echo(m, err=True))
    except GraderError as exc:   # results.json could not be written
        _fail(exc)
    click.echo(outcome.line)


KERNEL_ENV_OPTION = click.option("--kernel-env", envvar="GRADER_KERNEL_ENV", default="auto", show_default=True,
                                 help="auto (the course environment, built on first use), current, or a venv "
                                      "path; also GRADER_KERNEL_ENV")


@autograde_group.command("gradescope")
@KERNEL_ENV_OPTION
def autograde_gradescope(kernel_env) -> None:
    """Grade $GRADER_AUTOGRADER_ROOT/submission/ (default /autograder) with the assignment in
    source/ and write results/results.json; exit status 0 whenever results.json was written."""
    _autograde("gradescope", kernel_env)


@autograde_group.command("prairielearn")
@KERNEL_ENV_OPTION
def autograde_prairielearn(kernel_env) -> None:
    """Grade $GRADER_PRAIRIELEARN_ROOT/student/ (default /grade) with the assignment in tests/
    and write results/results.json; exit status 0 whenever results.json was written."""
    _autograde("prairielearn", kernel_env)


@main.command("check")
@click.argument("notebook", type=click.Path(path_type=Path))
@click.argument("exercises", nargs=-1)
@click.option("--assignment", "-a", default=None, help="assignment id (default: from the notebook)")
@click.option("--cell-timeout", type=float, default=None, help="seconds one cell may run")
def check_command(notebook, exercises, assignment, cell_timeout) -> None:
    """Run NOTEBOOK (no sandbox), then the public checks of the EXERCISES named (or all)."""
    from grader.selfcheck import check_notebook
    try:
        result = check_notebook(notebook, tuple(exercises), assignment=assignment, timeout=cell_timeout)
    except GraderError as exc:
        _fail(exc)
    click.echo(result.render())
    sys.exit(0 if result.all_passed else 1)


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
    from grader.assignment import load_assignment
    from grader.kernel import environment
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
    from grader.assignment import load_assignment
    from grader.kernel import environment
    try:
        click.echo(environment.show(load_assignment(assignment).environment))
    except GraderError as exc:
        _fail(exc)


def grade_main() -> None:
    """The ``grade`` console script: ``grade PATHS...`` is ``grader grade PATHS...``."""
    grade_command(prog_name="grade")
