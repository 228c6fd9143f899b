"""The student's hand-out on a student's stack, as the README's three steps have it: get the
folder (or the link), run the first cell, run the check cells.

Only ``release/student/`` (or, with a link, only the notebook) in an empty folder; a fresh
virtual environment that holds none of this repository and borrows this one's torch, with
numpy and pandas newer than the course's pins; the notebook run top to bottom with nbclient,
its first cell installing the checks wheel. ``make handout-check`` does the same on Python
3.12 with the package registry's newest packages (``tests/handout.py``).
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import base64
import http.server
import subprocess
import sys
import threading
import zipfile
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
import torch

from grader.assignment import load_assignment
from grader.release import build_release
from tests.handout import check_cells, lay_out, make_venv, problems_of, run_notebook

ASSIGNMENT = load_assignment("hw1")
AUTOMATIC = {e.id for e in ASSIGNMENT.exercises if not e.manual}
SITE_PACKAGES = Path(torch.__file__).resolve().parent.parent


def in_env(interpreter: Path, code: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(interpreter), "-c", code], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    """Step 1, the folder: the solution notebook run where only the hand-out is beside it."""
    work = tmp_path_factory.mktemp("handout")
    release = build_release(ASSIGNMENT, work / "release")
    interpreter = make_venv(work / "venv", python=sys.executable, borrow=SITE_PACKAGES)
    notebook = lay_out(release.student.parent, release.solution, work / "student")
    nb = run_notebook(notebook, interpreter, env={"D2L_GRADER_CACHE": str(work / "cache")})
    return SimpleNamespace(work=work, release=release, interpreter=interpreter, folder=notebook.parent, nb=nb)


@pytest.fixture(scope="module")
def linked(tmp_path_factory, solved):
    """Step 1, the link: a release whose notebook installs the wheel from an address (here a
    server on this machine), handed out alone, run blank in another fresh environment."""
    work = tmp_path_factory.mktemp("linked")
    served = work / "course-page"
    served.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{solved.release.wheel.name}"
        spec = dataclasses.replace(ASSIGNMENT, handout=dataclasses.replace(ASSIGNMENT.handout, url=url))
        release = build_release(spec, work / "release")
        (served / release.wheel.name).write_bytes(release.wheel.read_bytes())
        folder = work / "student"
        folder.mkdir()
        notebook = folder / release.student.name
        notebook.write_bytes(release.student.read_bytes())
        interpreter = make_venv(work / "venv", python=sys.executable, borrow=SITE_PACKAGES)
        nb = run_notebook(notebook, interpreter, env={"D2L_GRADER_CACHE": str(work / "cache")})
    finally:
        server.shutdown()
    return SimpleNamespace(url=url, interpreter=interpreter, folder=folder, nb=nb)


def test_the_environment_is_not_the_course_environment_and_holds_no_grader(solved):
    versions = in_env(solved.interpreter, "import numpy, pandas; print(numpy.__version__, pandas.__version__)",
                      solved.folder)
    numpy_version, pandas_version = versions.stdout.split()
    assert numpy_version != "1.23.5" and pandas_version != "2.0.3"
    assert "No module named 'grader'" in in_env(solved.interpreter, "import grader", solved.folder).stderr
    where = in_env(solved.interpreter, "import hw1_checks; print(hw1_checks.__file__, hw1_checks.__version__)",
                   solved.folder).stdout.split()
    assert Path(where[0]).is_relative_to(solved.work / "venv") and where[1] == ASSIGNMENT.version


def test_step_2_the_first_cell_installs_the_wheel_beside_the_notebook(solved):
    setup = solved.nb.cells[1]
    assert [o for o in setup.outputs if o.get("output_type") == "error"] == []
    assert f"pip install -q {solved.release.wheel.name} " in setup.source
    assert sorted(p.name for p in solved.folder.iterdir()) == ["hw1.ipynb", solved.release.wheel.name]


def test_step_3_every_check_of_the_solution_passes_in_at_most_2_kb(solved):
    assert problems_of(solved.nb) == []
    cells = check_cells(solved.nb)
    assert {c.source[len('check("'):-2] for c in cells} == AUTOMATIC
    assert all(c.passed and c.saved_bytes <= 2048 for c in cells)


def test_data_path_reads_the_files_the_wheel_ships(solved):
    data = solved.nb.cells[2]
    assert data.source.splitlines()[1] == 'penguins_raw = pd.read_csv(data_path("penguins_raw.csv"))'
    assert data.outputs[0]["data"]["text/plain"] == "(344, 17)"
    missing = in_env(solved.interpreter, "from hw1_checks import data_path; data_path('nope.csv')", solved.folder)
    assert "hw1 has no data file 'nope.csv'; it has: README.md, house_tiny.csv, penguins_raw.csv" in missing.stderr


def test_a_blank_notebook_installed_from_a_link_says_what_is_missing(linked):
    setup = linked.nb.cells[1]
    assert f"pip install -q {linked.url} " in setup.source
    assert sorted(p.name for p in linked.folder.iterdir()) == ["hw1.ipynb"]
    assert in_env(linked.interpreter, "import hw1_checks", linked.folder).returncode == 0
    cells = check_cells(linked.nb)
    assert {c.source[len('check("'):-2] for c in cells} == AUTOMATIC
    assert all(not c.passed and c.saved_bytes <= 2048 for c in cells)
    fashion = next(c for c in cells if c.source == 'check("fashion_mnist")')
    assert fashion.text.startswith("FAIL fashion_mnist: ") and "raised NotImplementedError" in fashion.text
    assert [e for e in problems_of(linked.nb) if "check(" not in e] == []   # no cell raised


def test_the_wheel_is_a_correct_reproducible_wheel(solved, tmp_path):
    wheel = solved.release.wheel
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        info = "hw1_checks-2026.1.dist-info"
        assert names[-1] == f"{info}/RECORD"
        for line in zf.read(f"{info}/RECORD").decode().splitlines():
            name, digest, size = line.split(",")
            if name != f"{info}/RECORD":
                data = zf.read(name)
                expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                assert (digest, size) == (f"sha256={expected}", str(len(data)))
        metadata = zf.read(f"{info}/METADATA").decode()
    assert "Name: hw1-checks\n" in metadata and "Requires-Python: >=3.10\n" in metadata
    requires = [line.split(": ", 1)[1] for line in metadata.splitlines() if line.startswith("Requires-Dist")]
    versions = [r.split(";")[0] for r in requires]   # what follows ";" says which Pythons need it
    assert not any(mark in v for v in versions for mark in ("==", "<", "~="))   # never a downgrade
    assert build_release(ASSIGNMENT, tmp_path).wheel.read_bytes() == wheel.read_bytes()
    modules = in_env(solved.interpreter, "import importlib, pkgutil, hw1_checks\n"
                     "names = [m.name for m in pkgutil.walk_packages(hw1_checks.__path__, 'hw1_checks.')]\n"
                     "[importlib.import_module(n) for n in names]\nprint(len(names))", solved.folder)
    assert modules.returncode == 0, modules.stderr
    assert int(modules.stdout) >= 20
