"""`grader release` and `grader check`: one source of truth, deterministic, validated, and
nothing secret in what students receive."""
from __future__ import annotations

import ast
import hashlib
import inspect
import importlib
import io
import zipfile
from pathlib import Path

import nbformat
import pytest
from IPython.core.interactiveshell import InteractiveShell

from grader import release as release_module
from grader.check import check
from grader.errors import ReleaseError, UsageError
from grader.release import build_notebook, build_release, release_assignment
from grader.selfcheck import check_notebook
from grader.stubs import filled_where_first_stubbed, redefinitions, stub as _stub
from grader.judge.solutions import solution_pieces
from grader.assignment import load_assignment
from grader.grading.notebook import neutralise
from grader.release import validate_release
from grader.results import ExerciseResult, SubmissionResult

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


def handout_files(release) -> dict[str, bytes]:
    """Every file students receive: the notebook and what the wheel unpacks to."""
    with zipfile.ZipFile(release.wheel) as zf:
        unpacked = {name: zf.read(name) for name in zf.namelist()}
    return {release.student.name: release.student.read_bytes(), **unpacked}


def test_the_hand_out_is_the_notebook_and_one_wheel_named_for_the_assignment(release):
    assert sorted(files_under(release.student.parent)) == ["hw1.ipynb", "hw1_checks-2026.1-py3-none-any.whl"]
    names = set(handout_files(release))
    assert "hw1_checks/__init__.py" in names and "hw1_checks/engine/judge/plugin.py" in names
    assert "hw1_checks/hw1/data/penguins_raw.csv" in names and "hw1_checks/hw1/public/test_softmax.py" in names
    assert not any(n.startswith(("grader/", "reference/")) or "/hidden/" in n for n in names)


def test_no_solution_body_or_hidden_test_reaches_students(release):
    student_text = "\n".join(_normalised(b.decode("utf-8", "replace")) for b in handout_files(release).values())
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
    shipped = handout_files(release)
    hidden = [p.read_text() for p in ASSIGNMENT.hidden_dir.glob("test_*.py")]
    for name, data in shipped.items():   # a public file may share a hidden file's name
        if name.endswith(".py"):
            rewritten = data.decode().replace("hw1_checks.engine", "grader")
            assert all(rewritten != text for text in hidden), name
    assert "answer =" not in shipped["hw1_checks/hw1/assignment.toml"].decode()
    for ex in ASSIGNMENT.exercises:
        if ex.manual and len(ex.answer.strip()) > 30:
            assert ex.answer.strip()[:60] not in student_text


def test_the_bundle_holds_what_grading_needs_with_checksums(release):
    with zipfile.ZipFile(release.bundle) as zf:
        names = {n for n in zf.namelist() if n.startswith("hw1/")}   # beside it: the platform's files
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


def test_in_notebook_check_reports_each_exercise():
    shell = InteractiveShell.instance()
    shell.run_cell("import torch\n" + next(p.source for p in solution_pieces(ASSIGNMENT) if p.exercise == "softmax"))
    shell.run_cell("def cross_entropy(y_hat, y):\n    return torch.tensor(0.0)")
    result = check("softmax", "cross_entropy")
    lines = repr(result).splitlines()
    assert lines[0].startswith("PASS softmax: ") and lines[1].startswith("FAIL cross_entropy: ")
    assert "cross_entropy(y_hat, y) is 0; expected 1.49787" in lines[1]
    assert lines[-1].startswith("1 passed, 1 failed, 0.5/1.5 points")
    assert (result.passed, result.failed, result.points) == (1, 1, 0.5) and not result.all_passed
    assert "<table>" in result._repr_html_() and "cross_entropy(y_hat, y) is 0" in result._repr_html_()
    with pytest.raises(UsageError, match="did you mean 'softmax'"):
        check("sofmax")


def saved_output_bytes(shell: InteractiveShell, value) -> int:
    """What displaying ``value`` as a cell's result adds to a saved notebook."""
    data, _ = shell.display_formatter.format(value)
    empty = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('check("x")')])
    shown = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('check("x")', outputs=[
        nbformat.v4.new_output("execute_result", data=data, execution_count=1)])])
    return len(nbformat.writes(shown).encode()) - len(nbformat.writes(empty).encode())


def test_a_check_cell_saves_at_most_2_kb_whatever_it_reports():
    """Regression: check() returned an object whose repr held the whole assignment (~40 KB a cell)."""
    shell = InteractiveShell.instance()
    shell.run_cell("import torch\n" + next(p.source for p in solution_pieces(ASSIGNMENT) if p.exercise == "softmax"))
    shell.run_cell("def cross_entropy(y_hat, y):\n    raise ValueError('x' * 5000)")
    for exercises in (("softmax",), ("cross_entropy",), ()):   # () is every exercise: 100 failing checks
        result = check(*exercises)
        assert saved_output_bytes(shell, result) <= 2048, exercises
        assert repr(result).splitlines()[-1].startswith(f"{result.passed} passed, {result.failed} failed")
    assert result.failed > 90 and "FAIL" in repr(result)


def broken_template() -> nbformat.NotebookNode:
    """The student notebook as released before: text_labels' cell stubs the whole class again."""
    nb = build_notebook(ASSIGNMENT, solved=False)
    cells = {c.metadata.get("grader", {}).get("exercise"): c for c in nb.cells}
    cells["text_labels"].source = cells["fashion_mnist"].source
    return nb


def exercise_sources(nb: nbformat.NotebookNode) -> dict[str, str]:
    return {c.metadata["grader"]["exercise"]: c.source for c in nb.cells if c.metadata.get("grader", {}).get("exercise")}


def test_each_name_a_student_fills_in_is_stubbed_once(release):
    nb = nbformat.read(release.student, as_version=4)
    assert redefinitions(nb) == []
    sources = exercise_sources(nb)
    for name in ("FashionMNIST", "Classifier", "SoftmaxRegressionScratch", "MLPScratch"):
        assert sum(f"class {name}(" in s for s in sources.values()) == 1, name
    assert sources["text_labels"].startswith("@d2l.add_to_class(FashionMNIST)\ndef text_labels(self, indices):")
    assert sources["validation_step"].startswith("@d2l.add_to_class(Classifier)\ndef validation_step(self, batch):")
    assert "def text_labels" not in sources["fashion_mnist"]
    assert "softmax_training" not in sources   # it trains the class softmax_regression_scratch's cell holds
    assert 'check("softmax_training")' in [c.source for c in nb.cells]


def test_a_template_that_stubs_a_class_again_is_refused(monkeypatch, tmp_path):
    """Regression: a student who completed FashionMNIST in its first cell lost it to the next
    stub of the whole class, and with it fashion_mnist, text_labels and visualize."""
    broken = broken_template()
    problems = redefinitions(broken)
    assert len(problems) == 1
    assert "defines `FashionMNIST` again, replacing what a student writes for fashion_mnist" in problems[0]
    solved = build_notebook(ASSIGNMENT, solved=True)
    monkeypatch.setattr(release_module, "build_notebook", lambda a, *, solved: solved_nb if solved else broken)
    solved_nb = solved
    with pytest.raises(ReleaseError, match="defines `FashionMNIST` again"):
        build_release(ASSIGNMENT, tmp_path)
    assert not (tmp_path / "student").exists()


def test_adding_methods_or_subclassing_keeps_what_a_student_wrote():
    nb = build_notebook(ASSIGNMENT, solved=False)
    cell = next(c for c in nb.cells if c.metadata.get("grader", {}).get("exercise") == "text_labels")
    cell.source = "class FashionMNIST(FashionMNIST):\n    def text_labels(self, indices):\n        return []"
    assert redefinitions(nb) == []
    cell.source = "FashionMNIST = None"
    assert "defines `FashionMNIST` again" in redefinitions(nb)[0]


def test_the_validation_notebook_fills_each_stub_where_it_first_appears(release):
    solution = nbformat.read(release.solution, as_version=4)
    filled = filled_where_first_stubbed(nbformat.read(release.student, as_version=4), solution)
    assert exercise_sources(filled) == exercise_sources(solution)
    broken = exercise_sources(filled_where_first_stubbed(broken_template(), solution))
    assert broken["fashion_mnist"] == exercise_sources(solution)["fashion_mnist"]
    assert "raise NotImplementedError" in broken["text_labels"]   # left as released: it replaces the class


def test_validation_refuses_a_release_that_loses_a_filled_in_stub():
    def result(name: str, earned: dict[str, float]) -> SubmissionResult:
        return SubmissionResult(name, "", "hw1", "", sum(earned.values()), 4.0, 0.0, exercises=tuple(
            ExerciseResult(ex, ex, "4.2", "C", score, 1.0) for ex, score in earned.items()))
    full = {"fashion_mnist": 1.0, "text_labels": 1.0}
    lost = validate_release(result("solution", full), result("student", {"fashion_mnist": 0.0, "text_labels": 0.0}),
                            result("filled", {"fashion_mnist": 0.0, "text_labels": 1.0}))
    assert lost.problems == ("a student who fills in each stub where it first appears loses points on "
                             "fashion_mnist (0/1)",)
    assert validate_release(result("solution", full), result("student", {"fashion_mnist": 0.0}),
                            result("filled", full)).ok


def test_the_setup_cell_installs_in_one_line_and_works_without_the_checks(tmp_path, monkeypatch):
    """Regression: the setup cell did not import torchvision, which the book's 4.2 uses."""
    setup = build_notebook(ASSIGNMENT, solved=False).cells[1].source
    installs = [line for line in setup.splitlines() if line.startswith("!")]
    assert installs == ['!"{sys.executable}" -m pip install -q hw1_checks-2026.1-py3-none-any.whl torch torchvision '
                        'numpy pandas matplotlib matplotlib-inline scipy requests ipykernel && "{sys.executable}" '
                        '-m pip install -q --no-deps d2l==1.0.3']
    source, notes = neutralise(setup)   # as the grader runs it: no install, no checks package
    assert len(notes) == 1
    namespace: dict = {}
    exec(source, namespace)
    assert {"torchvision", "transforms", "d2l", "check", "data_path"} <= set(namespace)
    assert namespace["data_path"]("penguins_raw.csv") == str(Path("..", "data", "penguins_raw.csv"))
    namespace["check"]("softmax")   # a message, not an error


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
    assert lines[-1] == ("validated: the solution earns every automatic point; the blank notebook runs cleanly "
                         "and earns none; filling in each stub where it first appears earns every automatic point")


def test_check_says_nothing_is_done_in_the_blank_notebook(validated):
    out, _ = validated
    result = check_notebook(out / "student" / "hw1.ipynb", ("softmax", "compare"))
    assert not result.all_passed and result.passed == 0
    assert "FAIL softmax" in result.render() and "NotImplementedError" in result.render()
    assert result.notes == ()   # every cell ran: the setup and data cells work in `grader check`


def test_check_passes_every_exercise_of_the_solution_and_none_of_the_blank(validated):
    out, _ = validated
    solved = check_notebook(out / "solution" / "hw1.ipynb", ())
    assert solved.all_passed, solved.render()
    assert solved.notes == ()   # the data cell reads penguins_raw.csv through data_path()
    automatic = {e.id for e in ASSIGNMENT.exercises if not e.manual}
    assert {c.exercise for c in solved.checks} == automatic
    blank = check_notebook(out / "student" / "hw1.ipynb", ())
    assert {c.exercise for c in blank.checks} == automatic
    assert blank.passed == 0 and blank.render().count("FAIL ") == len(blank.checks)


def test_the_readme_matches_the_release_and_its_help():
    from click.testing import CliRunner

    from grader.cli import main
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    help_text = " ".join(CliRunner().invoke(main, ["release", "--help"]).output.split())
    for part in ("student/", "solution/", "autograder.zip"):
        assert f"OUT/{part}" in help_text and f"release/{part}" in readme
    assert "the blank and the filled-in student notebooks" in help_text
    install = next(line for line in build_notebook(ASSIGNMENT, solved=False).cells[1].source.splitlines()
                   if line.startswith("!"))
    assert f"`{install}`" in readme   # the students' step 2 quotes the notebook's own line
