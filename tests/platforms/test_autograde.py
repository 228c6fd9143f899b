"""The release on a platform, for real: a container made in a temp folder as the platform makes
it (Gradescope: autograder.zip unpacked into source/; PrairieLearn: the question's tests/
folder), the upload beside, the release's own entry point (run_autograder, run.sh) run with
the grader installed here, real kernels. Each graded container is graded once per module;
the uploads that cannot be graded cost no kernel."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader import datasets
from grader.assignment import load_assignment
from grader.kernel.isolation import BUBBLEWRAP
from grader.platforms.autograde import PLATFORMS, autograde
from grader.kernel import environment
from grader.platforms.checks import automatic_points
from grader.platforms.find import GRADESCOPE, PRAIRIELEARN, Layout
from grader.release import build_notebook, build_release
from tests.open_root import project_checkouts, wrap
from tests.platforms.schema import check_results

BIN = Path(sys.executable).parent
ASSIGNMENT = load_assignment("hw1")
AUTOMATIC = automatic_points(ASSIGNMENT)
WRONG_EXERCISE = ASSIGNMENT.exercise("compare")
WRONG_COMPARE = "def compare(X, Y):\n    return X == Y, X < Y   # forgot X > Y\n"
LAYOUTS = {"gradescope": GRADESCOPE, "prairielearn": PRAIRIELEARN}


def solution() -> str:
    return nbformat.writes(build_notebook(ASSIGNMENT, solved=True))


def blank() -> str:
    return nbformat.writes(build_notebook(ASSIGNMENT, solved=False))


def wrong() -> str:
    """The solution with one exercise's code wrong: every check of that exercise fails."""
    nb = build_notebook(ASSIGNMENT, solved=True)
    [cell] = [c for c in nb.cells if c.metadata.get("grader", {}).get("exercise") == WRONG_EXERCISE.id]
    cell.source = WRONG_COMPARE
    return nbformat.writes(nb)


def container(folder: Path, platform: str, uploads: dict[str, str], *, release, toml_tables: str = "") -> Path:
    """A platform's root as the release sets it up: Gradescope's autograder.zip unpacked into
    ``source/`` (modes kept), PrairieLearn's question ``tests/`` folder; ``toml_tables``
    replace those of the assignment.toml there; the upload's files; no results yet."""
    layout: Layout = LAYOUTS[platform]
    if platform == "gradescope":
        with zipfile.ZipFile(release.bundle) as zf:
            for info in zf.infolist():
                zf.extract(info, folder / "source")
                mode = stat.S_IMODE(info.external_attr >> 16)
                if mode and not info.is_dir():
                    (folder / "source" / info.filename).chmod(mode)
    else:
        shutil.copytree(release.prairielearn / "question" / "tests", folder / "tests")
    target = folder / layout.assignments / ASSIGNMENT.id
    assert (target / "reference").is_dir() and (target / "hidden").is_dir()
    if toml_tables:
        toml = target / "assignment.toml"
        names = [line.strip("[]") for line in toml_tables.splitlines() if line.startswith("[")]
        toml.write_text(without_tables(toml.read_text(encoding="utf-8"), *names) + toml_tables, encoding="utf-8")
    (folder / layout.uploads).mkdir()
    for name, text in uploads.items():
        path = folder / layout.uploads / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def without_tables(text: str, *names: str) -> str:
    """``text`` (TOML) without the tables ``names``."""
    for name in names:
        start = text.index(f"[{name}]")
        end = text.find("\n[", start + 1)
        text = text[:start] + (text[end + 1:] if end != -1 else "")
    return text


def run_autograder(platform: str, root: Path, *, isolation: str = "auto", kernel_env: str | None = None,
                   wrap=lambda argv: argv) -> tuple[subprocess.CompletedProcess, dict]:
    """Run the release's entry point (run_autograder, run.sh) with the grader installed here;
    its results.json, checked."""
    env = {**os.environ, LAYOUTS[platform].root_variable: str(root), "GRADER_ISOLATION": isolation,
           "GRADER_VENV": sys.prefix, "D2L_GRADER_CACHE": str(datasets.cache_dir())}
    env.pop("GRADER_KERNEL_ENV", None)
    if kernel_env is not None:
        env["GRADER_KERNEL_ENV"] = kernel_env
    script = root / "source" / "run_autograder" if platform == "gradescope" else root / "tests" / "run.sh"
    done = subprocess.run(wrap([str(script)]), env=env, capture_output=True, text=True, timeout=900, check=False)
    path = root / "results" / "results.json"
    assert done.returncode == 0, done.stderr[-2000:]
    payload = json.loads(path.read_text(encoding="utf-8"))
    check_results(payload, platform, size=path.stat().st_size)
    return done, payload


def checks(payload: dict, *, free: bool = False) -> list[dict]:
    return [t for t in payload["tests"] if t["name"].endswith("(free response)") == free]


def of_exercise(payload: dict, exercise) -> list[dict]:
    return [t for t in checks(payload) if t["name"].startswith(f"{exercise.section} {exercise.title}")]


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    return build_release(ASSIGNMENT, tmp_path_factory.mktemp("release"))


@pytest.fixture(scope="module")
def graded(tmp_path_factory, course_env, release):
    """Grade a container once per module: graded(name, platform, uploads, **options)."""
    done: dict[str, tuple[Path, subprocess.CompletedProcess, dict]] = {}

    def run(name: str, platform: str, uploads: dict[str, str], *, toml_tables: str = "", **options):
        if name not in done:
            root = container(tmp_path_factory.mktemp(name), platform, uploads, release=release,
                             toml_tables=toml_tables)
            done[name] = (root, *run_autograder(platform, root, **options))
        return done[name]
    return run


# Past the deadline by years, and Gradescope's visibility changed: the wrong notebook's container.
LATE_AND_HIDDEN = ('\n[late]\ndeadline = "2020-01-01T00:00:00+00:00"\npercent_per_day = 10\n'
                   '\n[platforms.gradescope]\npublic = "after_due_date"\nhidden = "hidden"\n')


@pytest.mark.slow
def test_the_solution_earns_every_automatic_point_on_gradescope(graded):
    root, done, payload = graded("gs-solution", "gradescope", {"hw1.ipynb": solution()})
    assert payload["score"] == AUTOMATIC
    assert all(t["status"] == "passed" and t["score"] == t["max_score"] for t in checks(payload))
    assert sum(t["max_score"] for t in payload["tests"]) == pytest.approx(AUTOMATIC)
    assert payload["output"].splitlines()[0] == f"{ASSIGNMENT.title}: {AUTOMATIC:g} / {AUTOMATIC:g} automatic points."
    assert f"Isolation: {BUBBLEWRAP.describe()}" in payload["output"]
    assert done.stdout.strip() == f"Graded: score {AUTOMATIC:g}; wrote {root / 'results' / 'results.json'}"
    report = json.loads((root / "results" / "report" / "result.json").read_text())
    assert report["score"] == AUTOMATIC and report["environment"]["sandbox"] == BUBBLEWRAP.describe()
    assert "<html" in (root / "results" / "report" / "report.html").read_text()


@pytest.mark.slow
def test_an_upload_named_in_a_legacy_encoding_holding_a_lone_surrogate_is_graded(graded):
    """An upload whose name is CP949 bytes, not UTF-8, and a notebook with a \\ud800 escape once
    got 'the grader failed (UnicodeEncodeError ...)' and 0: results.json could not hold them."""
    nb = json.loads(solution())
    nb["cells"].insert(0, {"cell_type": "markdown", "metadata": {}, "source": "my notes \ud800"})
    root, done, payload = graded("gs-odd-text", "gradescope", {os.fsdecode(b"\xb1\xe8_hw1.ipynb"): json.dumps(nb)})
    assert payload["score"] == AUTOMATIC
    assert done.stdout.strip() == f"Graded: score {AUTOMATIC:g}; wrote {root / 'results' / 'results.json'}"
    report = json.loads((root / "results" / "report" / "result.json").read_text())
    assert report["path"].endswith("/\ufffd\ufffd_hw1.ipynb")
    assert "cell 0 held characters that are not Unicode text" in " ".join(report["warnings"])


@pytest.mark.slow
def test_by_default_public_checks_are_visible_and_hidden_ones_after_publishing(graded):
    _, _, payload = graded("gs-solution", "gradescope", {"hw1.ipynb": solution()})
    names = {t["visibility"] for t in checks(payload, free=True)}
    assert names == {"visible"}
    assert {t["visibility"] for t in checks(payload)} == {"visible", "after_published"}
    public = [t for t in checks(payload) if t["visibility"] == "visible"]
    assert 0 < len(public) < len(checks(payload))


@pytest.mark.slow
def test_free_response_answers_are_listed_at_0_graded_by_hand(graded):
    _, _, payload = graded("gs-solution", "gradescope", {"hw1.ipynb": solution()})
    free = checks(payload, free=True)
    assert len(free) == sum(1 for e in ASSIGNMENT.exercises if e.manual)
    assert all(t["score"] == t["max_score"] == 0 and "graded by hand" in t["output"]
               and t["output"].endswith("your answer was found") for t in free)


@pytest.mark.slow
def test_the_blank_notebook_earns_nothing_on_gradescope(graded):
    _, _, payload = graded("gs-blank", "gradescope", {"hw1.ipynb": blank()})
    assert payload["score"] == 0
    assert all(t["status"] == "failed" and t["score"] == 0 for t in checks(payload))
    assert all(t["output"].endswith("no answer was found in the notebook") for t in checks(payload, free=True))


@pytest.mark.slow
def test_a_wrong_exercise_loses_exactly_its_points_and_lateness_costs_nothing(graded):
    _, _, payload = graded("gs-wrong", "gradescope", {"sub/My HW1.ipynb": wrong()}, toml_tables=LATE_AND_HIDDEN)
    assert payload["score"] == AUTOMATIC - WRONG_EXERCISE.points
    lost = of_exercise(payload, WRONG_EXERCISE)
    assert lost and all(t["status"] == "failed" and t["score"] == 0 for t in lost)
    rest = [t for t in checks(payload) if t not in lost]
    assert all(t["status"] == "passed" and t["score"] == t["max_score"] for t in rest)
    assert "late" not in payload["output"].lower()


@pytest.mark.slow
def test_gradescope_visibility_follows_assignment_toml(graded):
    _, _, payload = graded("gs-wrong", "gradescope", {"sub/My HW1.ipynb": wrong()}, toml_tables=LATE_AND_HIDDEN)
    assert {t["visibility"] for t in checks(payload)} == {"after_due_date", "hidden"}
    assert {t["visibility"] for t in checks(payload, free=True)} == {"after_due_date"}


@pytest.mark.slow
def test_the_solution_scores_1_on_prairielearn(graded):
    _, _, payload = graded("pl-solution", "prairielearn", {"hw1.ipynb": solution()})
    assert payload["gradable"] is True and payload["score"] == 1.0
    assert all(t["points"] == t["max_points"] for t in payload["tests"])
    assert payload["message"] == f"{ASSIGNMENT.title}: {AUTOMATIC:g} / {AUTOMATIC:g} automatic points."
    assert f"Isolation: {BUBBLEWRAP.describe()}" in payload["output"]


@pytest.mark.slow
def test_a_wrong_exercise_costs_its_share_on_prairielearn(graded):
    _, _, payload = graded("pl-wrong", "prairielearn", {"hw1.ipynb": wrong()})
    assert payload["gradable"] is True
    assert payload["score"] == pytest.approx((AUTOMATIC - WRONG_EXERCISE.points) / AUTOMATIC)
    lost = [t for t in payload["tests"] if t["description"].startswith(f"{WRONG_EXERCISE.id}:")]
    assert lost and all(t["points"] == 0 < t["max_points"] for t in lost)


NOT_NOTEBOOK = "the upload holds no Jupyter notebook (.ipynb), only hw1.py; upload your notebook file (File > Download > .ipynb)"
BAD_UPLOADS = {
    "empty": ({}, "the upload is empty; upload your notebook file (File > Download > .ipynb)"),
    "two notebooks": ({"hw1.ipynb": "{}", "copy/hw1 (1).ipynb": "{}"},
                      "the upload holds 2 notebooks (copy/hw1 (1).ipynb, hw1.ipynb); upload only the one notebook to grade"),
    "not a notebook": ({"hw1.py": "def compare(X, Y): ...", ".ipynb_checkpoints/hw1-checkpoint.ipynb": "{}"},
                       NOT_NOTEBOOK),
    "unreadable": ({"hw1.ipynb": '{"cells": [{"cell_type": "code", '},
                   "hw1.ipynb is not valid JSON (line 1, column 34: Expecting property name enclosed in double quotes); "
                   "it may be truncated or not a notebook — download it again with File > Download > .ipynb"),
}


@pytest.mark.parametrize("platform", ["gradescope", "prairielearn"])
@pytest.mark.parametrize("case", list(BAD_UPLOADS))
def test_an_upload_that_cannot_be_graded_gets_valid_results_and_one_line(tmp_path, release, platform, case):
    uploads, line = BAD_UPLOADS[case]
    root = container(tmp_path, platform, uploads, release=release)
    done, payload = run_autograder(platform, root)
    assert done.stdout.strip() == f"Not graded: {line} ({root / 'results' / 'results.json'})"
    if platform == "gradescope":
        assert (payload["score"], payload["output"], payload["tests"]) == (0, f"Not graded: {line}", [])
    else:
        assert (payload["gradable"], payload["message"], payload["format_errors"]) == (False, f"Not graded: {line}", [line])
    assert not (root / "results" / "report").exists()   # no kernel was started


def test_a_container_without_the_assignment_gets_valid_results_and_one_line(tmp_path, release):
    container(tmp_path, "gradescope", {"hw1.ipynb": solution()}, release=release)
    shutil.rmtree(tmp_path / "source" / "hw1")
    _, payload = run_autograder("gradescope", tmp_path)
    assert payload["output"] == (f"Not graded: no assignment.toml in {tmp_path / 'source'} or a folder below it: "
                                 "the autograder bundle is not unpacked there")


def test_the_kernel_environment_comes_from_GRADER_KERNEL_ENV(tmp_path, release):
    root = container(tmp_path, "prairielearn", {"hw1.ipynb": solution()}, release=release)
    _, payload = run_autograder("prairielearn", root, kernel_env=str(tmp_path / "nowhere"))
    assert payload["message"] == f"Not graded: {tmp_path / 'nowhere'} is not a Python virtual environment (no bin/python)"


def test_a_grader_crash_still_writes_valid_results_in_one_line(tmp_path, release, monkeypatch):
    root = container(tmp_path, "gradescope", {"hw1.ipynb": solution()}, release=release)
    monkeypatch.setenv("GRADER_AUTOGRADER_ROOT", str(root))

    def crash(message: str) -> None:
        raise RuntimeError(f"progress broke on {message[:9]!r}\nsecond line")
    outcome = autograde(PLATFORMS["gradescope"], kernel_env="auto", progress=crash)
    payload = json.loads(outcome.path.read_text())
    check_results(payload, "gradescope")
    assert payload["output"] == ("Not graded: the grader failed (RuntimeError: progress broke on 'isolation' "
                                 "second line); tell the course staff")
    assert not outcome.graded


@pytest.mark.slow
def test_under_the_unprivileged_user_isolation_the_solution_earns_every_point_and_the_tests_are_locked(graded):
    kernel = environment.resolve("auto", ASSIGNMENT.environment, progress=lambda _: None).interpreter
    root, _, payload = graded("gs-user", "gradescope", {"hw1.ipynb": solution()}, isolation="user",
                              wrap=lambda argv: wrap(argv, passes=[kernel.prefix, kernel.base_prefix],
                                                     close=project_checkouts()))
    assert payload["score"] == AUTOMATIC
    assert "Isolation: fallback: each kernel its own unprivileged user" in payload["output"]
    for locked in (root / "source" / "hw1", root / "source" / "hw1" / "hidden" / "test_tensors.py",
                   root / "source" / "hw1" / "reference", root / "results"):
        assert stat.S_IMODE(locked.stat().st_mode) & 0o077 == 0, locked
