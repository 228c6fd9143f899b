"""`grader release` and `grader check`: one source of truth, deterministic, validated, and
nothing secret in what students receive."""
from __future__ import annotations

import ast
import hashlib
import inspect
import importlib
import zipfile
from pathlib import Path

import nbformat
import pytest
from IPython.core.interactiveshell import InteractiveShell

from grader.check import check, check_notebook
from grader.errors import UsageError
from grader.release import _stub, build_release, release_assignment
from grader.judge.solutions import solution_pieces
from grader.assignment import load_assignment

ASSIGNMENT = load_assignment("hw1")


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    return build_release(ASSIGNMENT, tmp_path_factory.mktemp("release"))


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_release_is_byte_for_byte_reproducible(release, tmp_path):
    again = build_release(ASSIGNMENT, tmp_path)
    first_root = release.student.parent.parent
    assert files_under(first_root) == files_under(tmp_path)


def _body_snippets(obj) -> set[str]:
    """Telltale pieces of a reference body: two consecutive statement lines, or one long line
    (short lines such as `return (z, h, o, L, s, J)` also occur in messages and test code)."""
    tree = ast.parse(inspect.getsource(obj).lstrip())
    snippets = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body[1:] if ast.get_docstring(node) else node.body
            lines = [line.strip() for stmt in body for line in ast.unparse(stmt).splitlines()
                     if line.strip() and not line.strip().startswith("raise NotImplementedError")]
            snippets |= {f"{a}\n{b}" for a, b in zip(lines, lines[1:])}
            snippets |= {line for line in lines if len(line) >= 50}
    return snippets


def _normalised(text: str) -> str:
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def test_no_solution_body_or_hidden_test_reaches_students(release):
    student_text = "\n".join(_normalised(b.decode("utf-8", "replace"))
                             for b in files_under(release.student.parent).values())
    leaks = []
    for ex in ASSIGNMENT.exercises:
        if ex.manual or not ex.module:
            continue
        module = importlib.import_module(ex.module)
        for name in (*ex.helpers, *ex.names):
            obj = getattr(module, name)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                leaks += [(name, snippet) for snippet in _body_snippets(obj) if snippet in student_text]
    assert leaks == []
    hidden_names = {p.name for p in ASSIGNMENT.hidden_dir.glob("test_*.py")}
    shipped = {p.name for p in release.student.parent.rglob("*.py")}
    for name in hidden_names & shipped:   # a public file may share a hidden file's name
        assert (ASSIGNMENT.hidden_dir / name).read_bytes() not in [p.read_bytes() for p in
                                                                   release.student.parent.rglob(name)]
    assert "answer =" not in (release.student.parent / "hw1" / "assignment.toml").read_text()
    for ex in ASSIGNMENT.exercises:
        if ex.manual and len(ex.answer.strip()) > 30:
            assert ex.answer.strip()[:60] not in student_text


def test_the_bundle_holds_what_grading_needs_with_checksums(release):
    with zipfile.ZipFile(release.bundle) as zf:
        names = set(zf.namelist())
        manifest = zf.read("hw1/MANIFEST.sha256").decode().splitlines()
        for line in manifest:
            digest, name = line.split("  ", 1)
            assert hashlib.sha256(zf.read(f"hw1/{name}")).hexdigest() == digest
    assert "hw1/assignment.toml" in names and "hw1/reference/softmax.py" in names
    assert any(n.startswith("hw1/hidden/test_") for n in names)
    assert len(manifest) == len(names) - 1


def test_stubs_keep_signatures_and_docstrings_and_only_raise():
    source = '''class SGD(d2l.HyperParameters):
    """Minibatch SGD."""

    def __init__(self, params, lr):
        self.save_hyperparameters()

    @property
    def size(self):
        return len(self.params)

    def step(self):
        """One update."""
        for param in self.params:
            param -= self.lr * param.grad
'''
    stub = _stub(source)
    assert stub == '''class SGD(d2l.HyperParameters):
    """Minibatch SGD."""

    def __init__(self, params, lr):
        raise NotImplementedError

    @property
    def size(self):
        raise NotImplementedError

    def step(self):
        """One update."""
        raise NotImplementedError'''


def test_in_notebook_check_reports_each_exercise(capsys):
    shell = InteractiveShell.instance()
    shell.run_cell("import torch\n" + next(p.source for p in solution_pieces(ASSIGNMENT) if p.exercise == "softmax"))
    shell.run_cell("def cross_entropy(y_hat, y):\n    return torch.tensor(0.0)")
    report = check("softmax", "cross_entropy")
    out = capsys.readouterr().out
    assert "PASS softmax" in out and "FAIL cross_entropy" in out
    assert "cross_entropy(y_hat, y) is 0; expected 1.49787" in out
    assert not report.all_passed
    with pytest.raises(UsageError, match="did you mean 'softmax'"):
        check("sofmax")


def test_check_refuses_missing_and_foreign_notebooks(tmp_path):
    with pytest.raises(UsageError, match="no such notebook"):
        check_notebook(tmp_path / "nope.ipynb", ())
    nb = nbformat.v4.new_notebook()
    nb.metadata["grader"] = {"assignment": "hw2"}
    nbformat.write(nb, tmp_path / "other.ipynb")
    with pytest.raises(UsageError, match="unknown assignment 'hw2'|is a hw2 notebook"):
        check_notebook(tmp_path / "other.ipynb", ())


@pytest.fixture(scope="module")
def validated(tmp_path_factory, course_env):
    out = tmp_path_factory.mktemp("validated")
    lines = release_assignment("hw1", out=out, validate=True, kernel_env="auto", progress=lambda m: None)
    return out, lines


def test_release_validation_passes(validated):
    _, lines = validated
    assert lines[-1].startswith("validated: the solution earns every automatic point")


def test_filling_the_stubs_with_the_reference_reaches_full_marks(validated, grade, tmp_path):
    out, _ = validated
    nb = nbformat.read(out / "student" / "hw1.ipynb", as_version=4)
    pieces = {p.exercise: p.source for p in solution_pieces(ASSIGNMENT)}
    for cell in nb.cells:
        exercise = cell.metadata.get("grader", {}).get("exercise")
        if exercise:
            cell.source = pieces[exercise]
    nbformat.write(nb, tmp_path / "filled.ipynb")
    results, _, _ = grade([tmp_path / "filled.ipynb"])
    filled = results["filled"]
    assert [(t.name, t.message) for e in filled.exercises for t in e.tests if t.outcome != "passed"] == []
    assert filled.score == sum(e.points for e in ASSIGNMENT.exercises if not e.manual)
    assert filled.warnings == ()   # made from the current release


def test_check_says_nothing_is_done_in_the_blank_notebook(validated):
    out, _ = validated
    report = check_notebook(out / "student" / "hw1.ipynb", ("softmax", "compare"))
    assert not report.all_passed
    assert {o.exercise for o in report.outcomes if o.outcome == "passed"} == set()
    assert "FAIL softmax" in report.render() and "NotImplementedError" in report.render()


def test_check_passes_every_exercise_of_the_solution_and_none_of_the_blank(validated):
    out, _ = validated
    solved = check_notebook(out / "solution" / "hw1.ipynb", ())
    assert solved.all_passed, solved.render()
    automatic = {e.id for e in ASSIGNMENT.exercises if not e.manual}
    assert {o.exercise for o in solved.outcomes} == automatic
    blank = check_notebook(out / "student" / "hw1.ipynb", ())
    assert {o.exercise for o in blank.outcomes} == automatic
    assert [o.name for o in blank.outcomes if o.outcome == "passed"] == []
    assert blank.render().count("FAIL ") == len(automatic)
