"""Command-line errors are one line and a non-zero exit; help lists the commands."""
import os
import stat
import threading

import pytest
from click.testing import CliRunner

from grader.cli import main
from tests.test_room import make_gradebook


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
    assert result.output.strip() == "error: unknown assignment 'hw9' (installed: hw1, hw1-book)"


def test_missing_bubblewrap_refuses_with_the_install_command(run, tmp_path):
    (tmp_path / "a.ipynb").write_text("{}")
    result = run("grade", str(tmp_path), "--isolation", "bubblewrap", env={"PATH": str(tmp_path)})
    assert result.exit_code == 3
    line = result.output.strip()
    assert "\n" not in line
    assert "apt-get install -y bubblewrap" in line and "--no-sandbox" in line


@pytest.mark.skipif(os.geteuid() != 0, reason="the fallback needs root")
def test_the_fallback_without_its_tools_refuses_in_one_line(run, tmp_path):
    (tmp_path / "a.ipynb").write_text("{}")
    result = run("grade", str(tmp_path), "--isolation", "user", env={"PATH": str(tmp_path)})
    assert result.exit_code == 3
    line = result.output.strip()
    assert "\n" not in line and "apt-get install -y util-linux" in line


def test_grade_requires_a_path(run):
    result = run("grade")
    assert result.exit_code == 2 and "Missing argument" in result.output


def test_help_lists_the_grading_day_commands(run):
    result = run("--help")
    for command in ("manual", "export"):
        assert command in result.output
    assert "--regrade" in run("grade", "--help").output


@pytest.mark.parametrize("args, message", [
    (["--deadline", "next friday"],
     "error: deadline 'next friday' is not an ISO 8601 date-time such as 2026-04-10T23:59:00+09:00"),
    (["--id-pattern", "hw1_(\\d+)"], "error: id pattern 'hw1_(\\\\d+)' has no (?P<student>...) group"),
    (["--late-cap", "150"], "error: late policy: max_percent cannot exceed 100"),
    (["--cell-timeout", "-1"], "error: limit cell_timeout must be a number more than 0 (got -1.0)"),
    (["--call-timeout", "0"], "error: limit call_timeout must be a number more than 0 (got 0.0)"),
    (["--memory-mb", "0"], "error: limit memory_mb must be a whole number more than 0 (got 0)"),
])
def test_bad_intake_late_and_limit_options_are_one_line(run, tmp_path, args, message):
    (tmp_path / "a.ipynb").write_text("{}")
    result = run("grade", str(tmp_path), "--out", str(tmp_path / "out"), *args)
    assert result.exit_code == 2
    assert result.output.strip() == message
    assert not (tmp_path / "out").exists()


def test_limits_in_assignment_toml_are_checked_when_it_is_read(tmp_path):
    from grader.assignment import parse_assignment
    from grader.errors import AssignmentError
    for table, message in (("[limits]\nmemory_mb = \"4G\"\n", "limit memory_mb must be a whole number more than 0 "
                                                                "(got '4G')"),
                           ("[limits]\nkernel_restarts = -1\n", "limit kernel_restarts must be a whole number at "
                                                                 "least 0 (got -1)"),
                           ("[[exercises]]\nid = \"x\"\ntimeout = -5\n", "exercise 'x': timeout must be a number "
                                                                          "of seconds more than 0 (got -5)")):
        toml = tmp_path / "assignment.toml"
        toml.write_text(f'[assignment]\nid = "x"\n{table}')
        with pytest.raises(AssignmentError) as caught:
            parse_assignment(toml)
        assert str(caught.value) == f"{toml}: {message}"


@pytest.mark.parametrize("command, message", [
    ("grade -j -3 NB", "Invalid value for '--workers' / '-j': -3 is not in the range x>=0."),
    ("manual serve OUT --port 99999", "Invalid value for '--port': 99999 is not in the range 0<=x<=65535."),
])
def test_a_count_or_port_out_of_range_is_refused_before_anything_runs(run, tmp_path, command, message):
    (tmp_path / "a.ipynb").write_text("{}")
    words = [str(tmp_path / "a.ipynb") if w == "NB" else str(tmp_path / "out") if w == "OUT" else w
             for w in command.split()]
    result = run(*words)
    assert result.exit_code == 2
    assert result.output.strip().endswith(message)
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_an_output_folder_that_is_a_file_is_one_line_and_the_file_is_kept(run, tmp_path):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("keep me")
    (tmp_path / "a.ipynb").write_text("{}")
    grades = tmp_path / "grades"
    make_gradebook(grades)
    for command in (["grade", str(tmp_path / "a.ipynb"), "--out", str(a_file)],
                    ["feedback", str(grades), "--out", str(a_file)],
                    ["manual", "export", str(grades), "--to", str(a_file)],
                    ["release", "--out", str(a_file)]):
        result = run(*command)
        assert result.exit_code == 2, command
        line = result.output.strip()
        assert "\n" not in line and line.startswith(f"error: {a_file}") and "is a file" in line, line
    assert a_file.read_text() == "keep me"


def test_an_export_goes_into_a_folder_through_a_link_or_down_a_pipe(run, tmp_path):
    grades = tmp_path / "grades"
    make_gradebook(grades)
    folder = tmp_path / "exports"
    folder.mkdir()
    assert run("export", "--format", "canvas", "--out", str(grades), "--to", str(folder)).exit_code == 0
    assert (folder / "canvas.csv").read_text(encoding="utf-8-sig").startswith("Student,ID")
    real, link = tmp_path / "real.csv", tmp_path / "link.csv"
    real.write_text("old")
    link.symlink_to(real)
    assert run("export", "--format", "csv", "--out", str(grades), "--to", str(link)).exit_code == 0
    assert link.is_symlink() and real.read_text().startswith("submission,")
    pipe = tmp_path / "pipe"     # as /dev/stdout is when the output is piped
    os.mkfifo(pipe)
    received = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_text()))
    reader.start()
    result = run("export", "--format", "csv", "--out", str(grades), "--to", str(pipe))
    reader.join(timeout=30)
    assert result.exit_code == 0 and received and received[0].startswith("submission,")
    assert stat.S_ISFIFO(pipe.stat().st_mode) and not list(tmp_path.glob(".pipe.*"))


def test_a_missing_roster_is_one_line(run, tmp_path):
    (tmp_path / "a.ipynb").write_text("{}")
    result = run("grade", str(tmp_path), "--roster", str(tmp_path / "class.csv"))
    assert result.exit_code == 2
    assert result.output.strip() == f"error: no such roster file: {tmp_path / 'class.csv'}"


@pytest.mark.parametrize("command", [
    "export --format canvas --out OUT", "manual export --out OUT", "manual export OUT", "manual serve --out OUT",
    "manual serve OUT", "manual zero-blanks --out OUT", "manual import scores.csv --out OUT"])
def test_grading_day_commands_without_a_gradebook_are_one_line(run, tmp_path, command):
    """Every command takes the grading folder as --out; those with no other argument also as FOLDER."""
    out = tmp_path / "grades"
    result = run(*[str(out) if word == "OUT" else word for word in command.split()])
    assert result.exit_code == 2
    assert result.output.strip() == (f"error: no gradebook at {out / 'gradebook.sqlite'}; "
                                     f"grade into that folder first (grade --out {out})")
    assert not out.exists()


def test_an_unknown_export_format_is_refused(run, tmp_path):
    result = run("export", "--format", "moodle", "--out", str(tmp_path))
    assert result.exit_code == 2 and "'moodle' is not one of 'canvas', 'csv'" in result.output


def test_a_second_grade_run_into_the_same_folder_is_refused(run, tmp_path):
    import fcntl
    (tmp_path / "a.ipynb").write_text("{}")
    out = tmp_path / "grades"
    out.mkdir()
    with open(out / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = run("grade", str(tmp_path / "a.ipynb"), "--out", str(out))
    assert result.exit_code == 2
    assert result.output.strip() == f"error: another grade run is writing to {out}; wait for it to finish"
    assert not (out / "gradebook.sqlite").exists()
