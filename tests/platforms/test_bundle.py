"""The grading platforms' files: autograder.zip (Gradescope) and prairielearn/, built without
grading (the release's validation is tested in tests/test_release.py)."""
from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from grader.assignment import load_assignment
from grader.bundle import GRADER_MB, PRAIRIELEARN_MAX_SECONDS, START_UP_SECONDS, needs_of
from grader.errors import ReleaseError
from grader.pins import grader_wheel_name, pinned_requirements
from grader.publish.report import TEMPLATES
from grader.release import build_release

ASSIGNMENT = load_assignment("hw1")
LINK_IDENTICAL = TEMPLATES / "platform" / "link_identical.py"


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    return build_release(ASSIGNMENT, tmp_path_factory.mktemp("release"))


@pytest.fixture(scope="module")
def bundle(release) -> dict[str, zipfile.ZipInfo]:
    with zipfile.ZipFile(release.bundle) as zf:
        return {info.filename: info for info in zf.infolist()}


def read(release, name: str) -> bytes:
    with zipfile.ZipFile(release.bundle) as zf:
        return zf.read(name)


def mode(info: zipfile.ZipInfo) -> int:
    return stat.S_IMODE(info.external_attr >> 16)


def test_the_zip_has_setup_and_run_autograder_at_its_root_executable(bundle):
    assert mode(bundle["setup.sh"]) == 0o755
    assert mode(bundle["run_autograder"]) == 0o755
    assert {n for n in bundle if "/" not in n} == {"setup.sh", "run_autograder", "requirements.txt",
                                                   "constraints.txt", "link_identical.py"}
    assert all(mode(i) == 0o644 for n, i in bundle.items() if n not in ("setup.sh", "run_autograder"))


def test_the_platform_scripts_are_valid_bash(release, tmp_path):
    scripts = {name: read(release, name) for name in ("setup.sh", "run_autograder")}
    scripts["run.sh"] = (release.prairielearn / "question" / "tests" / "run.sh").read_bytes()
    for name, text in scripts.items():
        assert text.startswith(b"#!/usr/bin/env bash\n"), name
        (tmp_path / name).write_bytes(text)
        proc = subprocess.run(["bash", "-n", str(tmp_path / name)], capture_output=True, text=True)
        assert proc.returncode == 0, f"{name}: {proc.stderr}"


def test_hidden_tests_and_reference_solutions_are_only_in_the_assignment_folder(bundle, release):
    private = [n for n in bundle if "hidden/" in n or "reference/" in n]
    assert any(n.startswith("hw1/hidden/test_") for n in private) and "hw1/reference/softmax.py" in private
    assert all(n.startswith("hw1/") for n in private)
    with zipfile.ZipFile(release.bundle) as zf, zipfile.ZipFile(zf.open(f"wheels/{grader_wheel_name()}")) as wheel:
        inside = wheel.namelist()
    assert not [n for n in inside if n.startswith(("assignments/", "reference/", "hw1/")) or "/hidden/" in n]


def test_the_grader_wheel_carries_its_templates_and_package_data(release):
    with zipfile.ZipFile(release.bundle) as zf, zipfile.ZipFile(zf.open(f"wheels/{grader_wheel_name()}")) as wheel:
        names = set(wheel.namelist())
        dist_info = "-".join(grader_wheel_name().split("-")[:2])   # d2l_grader-0.1.0
        meta = wheel.read(f"{dist_info}.dist-info/METADATA").decode()
        scripts = wheel.read(f"{dist_info}.dist-info/entry_points.txt").decode()
    for name in ("grader/judge/tests.ini", "grader/publish/templates/report/report.html.j2",
                 "grader/publish/templates/release/setup.py.j2", "grader/publish/templates/platform/setup.sh.j2",
                 "grader/publish/templates/platform/link_identical.py", "grader/cli.py", "grader/kernel/sandbox.py"):
        assert name in names
    assert "Name: d2l-grader" in meta and "Requires-Dist: torch" in meta
    assert "grader = grader.cli:main" in scripts


def test_the_grader_wheel_installs(release, tmp_path):
    with zipfile.ZipFile(release.bundle) as zf:
        wheel = tmp_path / grader_wheel_name()
        wheel.write_bytes(zf.read(f"wheels/{wheel.name}"))
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
                           "--disable-pip-version-check", "--target", str(tmp_path / "site"), str(wheel)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "site" / "grader" / "publish" / "templates" / "platform" / "run.sh.j2").is_file()
    assert (tmp_path / "site" / "bin" / "grader").is_file()


def test_the_manifest_covers_the_assignment_folder_exactly(release, bundle):
    lines = read(release, "hw1/MANIFEST.sha256").decode().splitlines()
    listed = {}
    for line in lines:
        digest, name = line.split("  ", 1)
        listed[name] = digest
    shipped = {n[len("hw1/"):] for n in bundle if n.startswith("hw1/")} - {"MANIFEST.sha256"}
    assert set(listed) == shipped
    assert all(hashlib.sha256(read(release, f"hw1/{n}")).hexdigest() == d for n, d in listed.items())
    tests = release.prairielearn / "question" / "tests" / "hw1"
    assert (tests / "MANIFEST.sha256").read_bytes() == read(release, "hw1/MANIFEST.sha256")


def files_under(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_platform_files_are_byte_for_byte_reproducible(release, tmp_path):
    again = build_release(ASSIGNMENT, tmp_path)
    assert again.bundle.read_bytes() == release.bundle.read_bytes()
    assert files_under(again.prairielearn) == files_under(release.prairielearn)


def test_requirements_pin_what_the_grader_runs_on_here(release):
    lines = [line for line in read(release, "requirements.txt").decode().splitlines() if not line.startswith("#")]
    pins = dict(line.split("==") for line in lines)
    for name in ("torch", "torchvision", "jinja2", "nbclient", "pytest", "numpy", "packaging"):
        assert pins[name] == metadata.version(name).split("+")[0]
    assert "d2l-grader" not in pins and "dask" not in pins and "playwright" not in pins   # test extras
    assert list(pins) == sorted(pins)


def test_constraints_pin_only_what_the_course_environment_leaves_open(release):
    lines = [line for line in read(release, "constraints.txt").decode().splitlines() if not line.startswith("#")]
    assert [line.split("==")[0] for line in lines] == ["ipykernel", "torch", "torchvision"]


def test_setup_installs_the_course_python_the_grader_and_the_kernel_environment(release):
    setup = read(release, "setup.sh").decode()
    assert "python=python3.11" in setup and 'need+=("$python" "$python-venv")' in setup
    assert "need+=(bubblewrap)" in setup and "need+=(util-linux)" in setup
    assert 'venv="${GRADER_VENV:-/opt/d2l-grader/venv}"' in setup
    assert 'D2L_GRADER_CACHE="${D2L_GRADER_CACHE:-/opt/d2l-grader/cache}"' in setup
    assert f'"$here/wheels/{grader_wheel_name()}"' in setup and "--no-deps d2l==1.0.3" in setup
    assert '"$here/hw1/assignment.toml" "$wheels"' in setup and "chmod -R a+rX" in setup
    # online: one download folder for both environments, torch and the like constrained to the grader's pins
    assert 'wheels="$(mktemp -d)"' in setup and 'export PIP_CONSTRAINT="$here/constraints.txt"' in setup
    assert '"$pip" download "${options[@]}" -d "$wheels" -r "$here/requirements.txt"' in setup
    assert '-d "$wheels" torch torchvision numpy==1.23.5 ' in setup
    assert '"$pip" install "${options[@]}" --no-index --find-links "$wheels" -r "$here/requirements.txt"' in setup


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory):
    """A folder with a (tiny, fake) wheel for everything setup.sh would install."""
    folder = tmp_path_factory.mktemp("wheelhouse")
    names = [(pin.name.replace("-", "_"), pin.version) for pin in pinned_requirements("3.11")]
    names += [("numpy", "1.23.5"), ("pandas", "2.0.3"), ("matplotlib", "3.7.2"), ("matplotlib_inline", "0.1.6"),
              ("scipy", "1.10.1"), ("requests", "2.31.0"), ("d2l", "1.0.3")]
    for name, version in names:
        with zipfile.ZipFile(folder / f"{name}-{version}-py3-none-any.whl", "w") as zf:
            zf.writestr(f"{name}/__init__.py", "")
    return folder


def test_a_wheelhouse_goes_into_the_zip_and_setup_installs_only_from_it(wheelhouse, tmp_path):
    release = build_release(ASSIGNMENT, tmp_path, wheelhouse=wheelhouse)
    with zipfile.ZipFile(release.bundle) as zf:
        stored = {Path(i.filename).name: i for i in zf.infolist() if i.filename.startswith("wheelhouse/")}
        setup = zf.read("setup.sh").decode()
    assert set(stored) == {w.name for w in wheelhouse.glob("*.whl")}
    assert all(i.compress_type == zipfile.ZIP_STORED for i in stored.values())
    assert 'wheels="$here/wheelhouse"' in setup and " download " not in setup
    assert '--no-index --find-links "$wheels"' in setup and '"$here/hw1/assignment.toml" "$wheels"' in setup


def test_a_wheelhouse_that_lacks_a_wheel_is_refused_naming_it(wheelhouse, tmp_path):
    partial = tmp_path / "partial"
    partial.mkdir()
    for wheel in wheelhouse.glob("*.whl"):
        if not wheel.name.startswith(("numpy-1.23.5", "torch-")):
            (partial / wheel.name).write_bytes(wheel.read_bytes())
    with pytest.raises(ReleaseError, match=r"lacks 2 wheels setup.sh would need: torch==\S+, numpy==1.23.5"):
        build_release(ASSIGNMENT, tmp_path / "release", wheelhouse=partial)


def test_platform_needs_follow_the_assignment_limits(release):
    limits = ASSIGNMENT.limits
    assert release.needs.memory_mb == limits.memory_mb + GRADER_MB
    assert release.needs.run_seconds == limits.notebook_timeout + START_UP_SECONDS
    info = json.loads((release.prairielearn / "question" / "info.json").read_text())
    options = info["externalGradingOptions"]
    assert options["entrypoint"] == "/grade/tests/run.sh" and options["enabled"] is True
    assert options["timeout"] == min(release.needs.platform_seconds, PRAIRIELEARN_MAX_SECONDS)
    run_sh = (release.prairielearn / "question" / "tests" / "run.sh").read_text()
    assert f'limit="${{GRADER_TIMEOUT:-{options["timeout"] - 60}}}"' in run_sh
    assert f'limit="${{GRADER_TIMEOUT:-{release.needs.run_seconds}}}"' in read(release, "run_autograder").decode()
    short = needs_of(type(limits)(notebook_timeout=300))
    assert len(short.lines()) == 1 and len(release.needs.lines()) == 2   # only a long one warns about PrairieLearn


def test_the_prairielearn_image_keeps_no_hidden_file(release):
    docker = (release.prairielearn / "Dockerfile").read_text()
    assert "FROM python:3.11-bookworm" in docker
    run = docker[docker.index("RUN "):]
    assert "--mount=type=bind,source=autograder.zip" in run and "COPY" not in docker
    assert run.rstrip().endswith("rm -rf /tmp/autograder")
    assert stat.S_IMODE((release.prairielearn / "question" / "tests" / "run.sh").stat().st_mode) == 0o755
    html = (release.prairielearn / "question" / "question.html").read_text()
    assert '<pl-file-upload file-names="hw1.ipynb">' in html and "<pl-external-grader-results>" in html


# run_autograder and run.sh, run for real outside a container: GRADER_VENV points at a fake grader.

def run_script(release, platform: str, root: Path, venv: Path, **env: str) -> dict:
    if platform == "gradescope":
        script, root_var = root / "run_autograder", "GRADER_AUTOGRADER_ROOT"
        script.write_bytes(read(release, "run_autograder"))
    else:
        script, root_var = root / "run.sh", "GRADER_PRAIRIELEARN_ROOT"
        script.write_bytes((release.prairielearn / "question" / "tests" / "run.sh").read_bytes())
    script.chmod(0o755)
    proc = subprocess.run([str(script)], capture_output=True, text=True, timeout=60,
                          env={"PATH": os.environ["PATH"], root_var: str(root), "GRADER_VENV": str(venv), **env})
    assert proc.returncode == 0, proc.stderr
    return json.loads((root / "results" / "results.json").read_text())


def fake_grader(venv: Path, body: str) -> Path:
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "grader").write_text("#!/usr/bin/env bash\n" + body + "\n")
    (venv / "bin" / "grader").chmod(0o755)
    return venv


def test_run_autograder_without_the_grader_writes_score_zero_and_one_line(release, tmp_path):
    result = run_script(release, "gradescope", tmp_path, tmp_path / "no-venv")
    assert result["score"] == 0 and result["tests"] == []
    assert result["output"] == (f"Not graded: the grader is not installed at {tmp_path / 'no-venv'} (did setup.sh "
                                "fail?). Your score is 0 until this is fixed; please tell your instructor.")


def test_run_autograder_when_the_grader_crashes_writes_score_zero(release, tmp_path):
    venv = fake_grader(tmp_path / 'we"ird\\venv', 'echo "Traceback: boom" >&2; exit 3')
    result = run_script(release, "gradescope", tmp_path, venv)
    assert result["score"] == 0
    assert result["output"].startswith("Not graded: the grader stopped with exit status 3. ")
    assert "\n" not in result["output"] and "Traceback" not in result["output"]


def test_run_autograder_replaces_a_result_that_is_not_json(release, tmp_path):
    venv = fake_grader(tmp_path / "venv", 'echo "{not json" > "$GRADER_AUTOGRADER_ROOT/results/results.json"')
    result = run_script(release, "gradescope", tmp_path, venv)
    assert result["score"] == 0 and "finished without writing a result" in result["output"]


def test_run_autograder_stops_a_grader_past_its_time(release, tmp_path):
    venv = fake_grader(tmp_path / "venv", "sleep 30")
    result = run_script(release, "gradescope", tmp_path, venv, GRADER_TIMEOUT="1")
    assert result["score"] == 0 and "grading took longer than 1 seconds" in result["output"]


def test_run_autograder_keeps_what_the_grader_wrote_and_passes_it_the_platform(release, tmp_path):
    venv = fake_grader(tmp_path / "venv", 'printf \'{"score": 7, "args": "%s", "cache": "%s"}\' "$*" '
                                          '"$D2L_GRADER_CACHE" > "$GRADER_AUTOGRADER_ROOT/results/results.json"')
    result = run_script(release, "gradescope", tmp_path, venv)
    assert result == {"score": 7, "args": "autograde gradescope", "cache": "/opt/d2l-grader/cache"}


def test_prairielearn_run_sh_without_the_grader_writes_not_gradable(release, tmp_path):
    result = run_script(release, "prairielearn", tmp_path, tmp_path / "no-venv")
    assert result["gradable"] is False and result["score"] == 0   # PrairieLearn takes no attempt for it
    assert result["message"].startswith("Not graded: the grader is not installed at ")
    assert result["format_errors"] == [result["message"]]


def test_prairielearn_run_sh_runs_the_prairielearn_command(release, tmp_path):
    venv = fake_grader(tmp_path / "venv", 'printf \'{"score": 1, "args": "%s"}\' "$*" '
                                          '> "$GRADER_PRAIRIELEARN_ROOT/results/results.json"')
    assert run_script(release, "prairielearn", tmp_path, venv)["args"] == "autograde prairielearn"


def test_identical_files_of_two_environments_are_stored_once(tmp_path):
    a, b = tmp_path / "venv" / "lib", tmp_path / "cache" / "envs" / "lib"
    for folder in (a, b):
        folder.mkdir(parents=True)
        (folder / "libtorch.so").write_bytes(b"\x7fELF" + b"x" * 5000)
        (folder / "version.py").write_text(f"where = {str(folder)!r}\n")
    (a / "run").write_text("same")
    (b / "run").write_text("same")
    (b / "run").chmod(0o755)   # same bytes, another mode: stays a file of its own
    proc = subprocess.run([sys.executable, str(LINK_IDENTICAL), str(tmp_path / "venv"), str(tmp_path / "cache")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("link_identical.py: 1 identical files linked")
    assert (a / "libtorch.so").stat().st_ino == (b / "libtorch.so").stat().st_ino
    assert (a / "version.py").stat().st_ino != (b / "version.py").stat().st_ino
    assert (a / "run").stat().st_ino != (b / "run").stat().st_ino
    assert (b / "libtorch.so").read_bytes() == b"\x7fELF" + b"x" * 5000
