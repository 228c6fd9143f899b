"""``grader release``: the notebook students receive, the solution notebook, and the grading
platforms' files (``grader/bundle.py``), all rendered from one source of truth (``reference/``
and assignment.toml) with the templates in ``templates/release/`` and ``templates/platform/``.

The release is deterministic (same inputs, byte-identical files) and validated: no later
cell of the notebook may replace a name an earlier exercise cell stubbed (``grader/stubs.py``),
the solution must earn every automatic point, the blank template none, and the template
filled in where each stub first appears every automatic point.
"""
from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.assignment import Assignment
from grader.bundle import Needs, write_platforms
from grader.errors import ReleaseError
from grader.publish.cells import release_templates, setup_cell
from grader.results import SubmissionResult
from grader.stubs import exercise_code, filled_where_first_stubbed, redefinitions
from grader.wheel import build_wheel, wheel_name


@dataclass(frozen=True)
class Release:
    student: Path    # student/<id>.ipynb; with the wheel beside it, the whole hand-out
    wheel: Path      # student/<package>-<version>-py3-none-any.whl: the public checks
    solution: Path
    bundle: Path         # autograder.zip: Gradescope's autograder
    prairielearn: Path   # prairielearn/: the grading image's Dockerfile and a question folder
    needs: Needs         # memory and time a platform must grant one upload


def build_notebook(assignment: Assignment, *, solved: bool) -> nbformat.NotebookNode:
    """The student notebook (stubs) or, with ``solved``, the solution notebook."""
    t = release_templates()
    code = exercise_code(assignment)
    wheel = wheel_name(assignment)
    cells = [_md(t.get_template("intro.md.j2").render(assignment=assignment, wheel=wheel,
                                                      url=assignment.handout.url), "intro"),
             _code(setup_cell(assignment, wheel, t), "setup")]
    if assignment.data:
        files = [{"name": name, "csv": name.endswith(".csv"), "variable": _variable(name)} for name in assignment.data]
        cells.append(_code(t.get_template("data.py.j2").render(files=files), "data"))
    section = None
    for ex in assignment.exercises:
        if ex.section != section:
            section = ex.section
            cells.append(_md(t.get_template("section.md.j2").render(section=section), f"section-{section}",
                             grader={"section": section}))
        cells.append(_md(t.get_template("prompt.md.j2").render(exercise=ex), f"{ex.id}-prompt"))
        if ex.manual:
            text = (f"**Answer {ex.id}:** {ex.answer.strip()}" if solved
                    else t.get_template("answer.md.j2").render(exercise=ex))
            cells.append(_md(text, f"{ex.id}-answer", grader={"answer": ex.id}))
            continue
        if ex.id in code:
            source = code[ex.id].solution if solved else code[ex.id].stub
            cells.append(_code(source, f"{ex.id}-code", grader={"exercise": ex.id}))
        cells.append(_code(t.get_template("check.py.j2").render(exercise=ex), f"{ex.id}-check"))
    nb = new_notebook(cells=cells)
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                   "language_info": {"name": "python"},
                   "grader": {"assignment": assignment.id, "version": assignment.version}}
    return nb


def _variable(name: str) -> str:
    stem = name.rsplit(".", 1)[0]
    clean = "".join(c if c.isalnum() else "_" for c in stem)
    return clean if clean.isidentifier() else f"data_{clean}"


def _md(text: str, cell_id: str, **meta: dict) -> nbformat.NotebookNode:
    cell = new_markdown_cell(text.strip())
    cell["id"] = _cell_id(cell_id)
    if meta:
        cell.metadata.update(meta)
    return cell


def _code(text: str, cell_id: str, **meta: dict) -> nbformat.NotebookNode:
    cell = new_code_cell(text.strip())
    cell["id"] = _cell_id(cell_id)
    if meta:
        cell.metadata.update(meta)
    return cell


def _cell_id(text: str) -> str:
    clean = "".join(c if c.isalnum() or c in "-_" else "-" for c in text)
    return clean[:64]


def write_notebook(nb: nbformat.NotebookNode, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")


def build_release(assignment: Assignment, out: Path, *, wheelhouse: Path | None = None) -> Release:
    """Write student/ (the notebook and the checks wheel: the whole hand-out), solution/,
    autograder.zip and prairielearn/ under ``out``, replacing what was there; with
    ``wheelhouse``, the zip installs offline from its wheels. Refuses a notebook in which a
    later cell would replace what a student wrote earlier."""
    for sub in ("student", "solution"):
        shutil.rmtree(out / sub, ignore_errors=True)
    notebook = build_notebook(assignment, solved=False)
    problems = redefinitions(notebook)
    if problems:
        raise ReleaseError("release refused: " + "; ".join(problems))
    student = out / "student" / f"{assignment.id}.ipynb"
    solution = out / "solution" / f"{assignment.id}.ipynb"
    write_notebook(notebook, student)
    write_notebook(build_notebook(assignment, solved=True), solution)
    wheel = build_wheel(assignment, out / "student")
    platforms = write_platforms(assignment, out, wheelhouse=wheelhouse)
    return Release(student, wheel, solution, platforms.bundle, platforms.prairielearn, platforms.needs)


@dataclass(frozen=True)
class Validation:
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def validate_release(solved: SubmissionResult, blank: SubmissionResult, filled: SubmissionResult) -> Validation:
    """The solution earns every automatic point; the blank template runs cleanly and earns
    none; a student who fills in each stub where it first appears, leaving the later cells as
    released, earns every automatic point."""
    problems = _losses(solved, "the solution loses points on")
    problems += [f"the solution notebook: {err}" for err in solved.errors]
    for c in blank.cells:
        if c.status != "ok":
            problems.append(f"the student notebook fails in cell {c.index}: "
                            f"{(c.error or {}).get('type', c.status)}: {(c.error or {}).get('message', '')}")
    for e in blank.exercises:
        if not e.manual and e.score > 0:
            problems.append(f"the blank student notebook earns {e.score:g} points on {e.id}")
    problems += [f"the student notebook: {err}" for err in blank.errors]
    problems += _losses(filled, "a student who fills in each stub where it first appears loses points on")
    problems += [f"the student notebook, filled in: {err}" for err in filled.errors]
    return Validation(tuple(problems))


def _losses(result: SubmissionResult, what: str) -> list[str]:
    problems = []
    for e in result.exercises:
        if not e.manual and e.score < e.max_score:
            failing = [t.message for t in e.tests if t.outcome != "passed"][:1]
            problems.append(f"{what} {e.id} ({e.score:g}/{e.max_score:g}" + (f": {failing[0]}" if failing else "") + ")")
    return problems


def release_assignment(assignment_id: str | None, *, out: Path, validate: bool, kernel_env: str,
                       progress: Callable[[str], None], wheelhouse: Path | None = None) -> list[str]:
    """Build the release and (unless told not to) validate it; refuses on any problem."""
    from grader import datasets
    from grader.assignment import load_assignment
    from grader.grading.pool import grade_all
    from grader.grading.settings import GradeSettings, Submission
    from grader.kernel import environment
    from grader.kernel.isolation import BUBBLEWRAP, UNCONFINED, probe_bubblewrap
    assignment = load_assignment(assignment_id)
    release = build_release(assignment, out, wheelhouse=wheelhouse)
    lines = [f"student hand-out:  {release.student.parent}/ ({release.student.name}, {release.wheel.name})",
             f"solution notebook: {release.solution}",
             f"Gradescope:        {release.bundle}" + (" (offline: with its wheelhouse)" if wheelhouse else ""),
             f"PrairieLearn:      {release.prairielearn}/ (Dockerfile, question/)",
             *release.needs.lines()]
    if not validate:
        return lines + ["not validated (--no-validate)"]
    progress("validating: grading the solution, the blank student notebook and the student notebook "
             "filled in where each stub first appears")
    kernel = environment.resolve(kernel_env, assignment.environment, progress=progress)
    settings = GradeSettings(interpreter=kernel.interpreter, limits=assignment.limits,
                             isolation=BUBBLEWRAP if not probe_bubblewrap() else UNCONFINED,   # our own notebooks
                             kernel_env_note=kernel.note,
                             fashion_mnist=datasets.fashion_mnist(), data_files=assignment.data_files())
    with tempfile.TemporaryDirectory(prefix="grader-release-") as scratch:
        filled = Path(scratch) / f"{assignment.id}.ipynb"
        write_notebook(filled_where_first_stubbed(nbformat.read(release.student, as_version=4),
                                                  nbformat.read(release.solution, as_version=4)), filled)
        graded = {r.submission: r for r in grade_all(
            [Submission("solution", release.solution), Submission("student", release.student),
             Submission("filled", filled)], assignment, settings, workers=2)}
    result = validate_release(graded["solution"], graded["student"], graded["filled"])
    if not result.ok:
        raise ReleaseError("release refused: " + "; ".join(result.problems))
    return lines + ["validated: the solution earns every automatic point; the blank notebook runs "
                    "cleanly and earns none; filling in each stub where it first appears earns every "
                    "automatic point"]
