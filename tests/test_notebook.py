"""Reading submissions: every bad file becomes one line a student can act on; shell and
install lines are not run; sections and free-response answers are found."""
import json

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.errors import NotebookError
from grader.grading.notebook import neutralise, prepare, read_notebook


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


@pytest.mark.parametrize("content,expected", [
    ('{"cells": [', "is not valid JSON (line 1, column 12"),
    (b"\xff\xfe{}", "is not UTF-8 text (bad byte at offset 0)"),
    ("", "is empty"),
    ('{"name": "not a notebook"}', "is JSON but not a Jupyter notebook"),
    ("[1, 2, 3]", "is JSON but not a Jupyter notebook"),
    ('{"cells": [], "metadata": {"n": ' + "9" * 5000 + "}}",   # once a grader fault, graded again every run
     "digits); clear all outputs (Edit > Clear All Outputs), save, and submit again"),
    ('{"cells": [], "metadata": {}, "nbformat": 4.0, "nbformat_minor": 5}',   # nbformat's error has no text
     "is not a readable notebook (AssertionError)"),
])
def test_unreadable_files_get_one_clear_line(tmp_path, content, expected):
    with pytest.raises(NotebookError) as info:
        read_notebook(write(tmp_path, "hw1.ipynb", content), max_mb=50)
    assert expected in str(info.value) and "\n" not in str(info.value)


def test_oversized_notebooks_are_refused_with_advice(tmp_path):
    path = write(tmp_path, "big.ipynb", "{" + " " * (2 * 1024 * 1024) + "}")
    with pytest.raises(NotebookError, match="over the 1 MB limit.*Clear All Outputs"):
        read_notebook(path, max_mb=1)


def test_symlinks_are_refused(tmp_path):
    link = tmp_path / "evil.ipynb"
    link.symlink_to("/etc/passwd")
    with pytest.raises(NotebookError, match="symbolic link"):
        read_notebook(link, max_mb=50)


def test_nbformat_3_is_upgraded(tmp_path):
    v3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": [
        {"cell_type": "code", "input": "x = 1", "language": "python", "outputs": []}]}]}
    nb = read_notebook(write(tmp_path, "old.ipynb", json.dumps(v3)), max_mb=50)
    assert nb.nbformat == 4 and nb.cells[0].source == "x = 1"


@pytest.mark.parametrize("line", ["!pip install d2l==1.0.3", "%pip install torch", "pip install d2l",
                                  "  !ls ../data", "!wget http://example.com/x"])
def test_shell_and_install_lines_are_not_run(line):
    source, notes = neutralise(f"import torch\n{line}\nx = 1")
    assert source.splitlines()[1].strip().startswith("pass")
    assert source.splitlines()[0] == "import torch" and source.splitlines()[2] == "x = 1"
    assert notes == [f"not run: `{line.strip()}`"]


def test_shell_cells_and_shell_assignments_are_not_run():
    assert neutralise("%%bash\nrm -rf /")[0] == "pass\n"
    assert neutralise("files = !ls")[0] == "files = []  # not run by the grader"
    assert neutralise("%matplotlib inline\nx = 1")[0] == "%matplotlib inline\nx = 1"


def test_sections_come_from_headings_and_answers_from_marked_cells():
    nb = new_notebook(cells=[
        new_markdown_cell("# 2.4. Calculus"), new_code_cell("def f(x):\n    return 3 * x ** 2 - 4 * x"),
        new_markdown_cell("### 2.4.1 Derivatives"), new_code_cell("y = 1"),
        new_markdown_cell("## 2.5 Automatic Differentiation"), new_code_cell("def f(a):\n    return a"),
        new_markdown_cell("**Answer why_second_derivative:** it needs the graph of the graph"),
        new_markdown_cell("Just notes", metadata={"grader": {"answer": "other"}}),
        new_code_cell("   "),
    ])
    prepared = prepare(nb, answer_ids={"why_second_derivative", "other"})
    assert [(c.index, c.section) for c in prepared.cells] == [(1, "2.4"), (3, "2.4"), (5, "2.5")]
    assert prepared.answers == {"why_second_derivative": "it needs the graph of the graph",
                                "other": "Just notes"}


def test_a_notebook_without_code_cells_is_noted():
    assert prepare(new_notebook(cells=[new_markdown_cell("hi")])).warnings == ("the notebook has no code cells",)


def test_free_response_is_gathered_from_a_sections_discussion_headings():
    nb = new_notebook(cells=[
        new_markdown_cell("# 2.1 Data Manipulation"), new_code_cell("x = 1"),
        new_markdown_cell("## Discussion\nTensors are arrays that autograd and GPUs understand.\nFor example:\n- GPU"),
        new_code_cell("y = 2"), new_markdown_cell("More thoughts."),
        new_markdown_cell("## 2.1.2 Operations"), new_markdown_cell("book text, not an answer"),
        new_markdown_cell("# 2.2 Data Preprocessing"), new_markdown_cell("**Exercises**\n1. done"),
        new_markdown_cell("Discussion:\nmissing values are imputed"),
        new_markdown_cell("# 2.3 Linear Algebra"), new_markdown_cell("## Takeaways\nnothing about 2.2"),
    ])
    prepared = prepare(nb, collect={"discuss_2_1": ("2.1", ("discussion",)),
                                    "discuss_2_2": ("2.2", ("discussion", "exercise")),
                                    "discuss_2_4": ("2.4", ("discussion",))})
    assert prepared.answers == {
        "discuss_2_1": "## Discussion\nTensors are arrays that autograd and GPUs understand.\nFor example:\n- GPU"
                       "\n\nMore thoughts.",
        "discuss_2_2": "**Exercises**\n1. done\n\nDiscussion:\nmissing values are imputed"}


def test_lone_surrogates_are_read_as_replacement_characters_and_named(tmp_path):
    """A JSON escape such as \\ud800 gives a string UTF-8 cannot encode: the kernel could not be
    sent the cell, and no page or gradebook could hold its text."""
    nb = new_notebook(cells=[new_markdown_cell("**Answer softmax:** it sums \ud800 to one"),
                             new_code_cell("x = 1  # \udcff"), new_code_cell("y = '\ud83d\ude00'")],
                      metadata={"grader": {"assignment": "hw1\ud800"}})
    path = tmp_path / "odd.ipynb"
    path.write_text(json.dumps(nb))
    prepared = prepare(read_notebook(path, max_mb=5), answer_ids={"softmax"})
    assert [c.source for c in prepared.cells] == ["x = 1  # \ufffd", "y = '\U0001f600'"]
    assert prepared.answers == {"softmax": "it sums \ufffd to one"}
    assert prepared.metadata == {"assignment": "hw1\ufffd"}
    assert prepared.warnings == ("cells 0, 1 held characters that are not Unicode text (lone surrogates, "
                                 "as written by a \\ud800-style escape); each was read as U+FFFD",)
    for text in (*[c.source for c in prepared.cells], *prepared.answers.values()):
        text.encode("utf-8")


def test_a_notebook_without_its_version_is_read_as_version_4(tmp_path):
    """nbformat reads a notebook with no "nbformat" key as version 1, which finds no cells: the
    student's code was lost and the report said "the notebook has no code cells"."""
    cell = {"cell_type": "code", "source": "x = 1", "metadata": {}, "outputs": [], "execution_count": None}
    path = write(tmp_path, "hw1.ipynb", json.dumps({"cells": [cell], "metadata": {}}))
    prepared = prepare(read_notebook(path, max_mb=5))
    assert [c.source for c in prepared.cells] == ["x = 1"] and prepared.warnings == ()
