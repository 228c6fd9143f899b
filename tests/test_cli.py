"""Command-line errors are one line and a non-zero exit; help lists the commands."""
import pytest
from click.testing import CliRunner

from grader.cli import main


@pytest.fixture
def run():
    def invoke(*args, env=None):
        return CliRunner().invoke(main, list(args), env=env)
    return invoke


def test_help_lists_the_commands(run):
    result = run("--help")
    assert result.exit_code == 0
    for command in ("grade", "env"):
        assert command in result.output


def test_no_such_path(run, tmp_path):
    result = run("grade", str(tmp_path / "missing"))
    assert result.exit_code == 2
    assert result.output.strip() == f"error: no such file or folder: {tmp_path / 'missing'}"


def test_no_notebooks_found(run, tmp_path):
    result = run("grade", str(tmp_path))
    assert result.exit_code == 2
    assert result.output.strip().startswith("error: no notebooks (*.ipynb) found in")


def test_unknown_assignment(run, tmp_path):
    (tmp_path / "a.ipynb").write_text("{}")
    result = run("grade", str(tmp_path), "--assignment", "hw9")
    assert result.exit_code == 2
    assert result.output.strip() == "error: unknown assignment 'hw9' (installed: hw1)"


def test_missing_bubblewrap_refuses_with_the_install_command(run, tmp_path):
    (tmp_path / "a.ipynb").write_text("{}")
    result = run("grade", str(tmp_path), env={"PATH": str(tmp_path)})
    assert result.exit_code == 3
    line = result.output.strip()
    assert "\n" not in line
    assert "apt-get install -y bubblewrap" in line and "--no-sandbox" in line


def test_grade_requires_a_path(run):
    result = run("grade")
    assert result.exit_code == 2 and "Missing argument" in result.output
