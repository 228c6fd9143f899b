"""nbgrader's autograde on the benchmark's notebooks, for `bench/run.py --nbgrader`.

nbgrader is installed from the package registry into a throw-away virtual environment; its
kernel is the course environment's Python (as the naive run's), so both run the same code.
The notebooks carry no nbgrader cell metadata, so autograde executes each one whole, as the
naive run does, and grades nothing: this measures nbgrader's execution path, not tests.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ASSIGNMENT = "hw1"


def autograde_run(paths: list[Path], python: Path, data_raw: Path, csv_files: list[Path],
                  scratch: Path) -> tuple[float, str]:
    """Seconds `nbgrader autograde` takes for all of ``paths`` (one student each), and its version."""
    scratch.mkdir(parents=True, exist_ok=True)
    venv = scratch / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], scratch, dict(os.environ))
    _run([str(venv / "bin" / "pip"), "install", "-q", "nbgrader"], scratch, dict(os.environ))
    version = subprocess.run([str(venv / "bin" / "python"), "-c", "import nbgrader; print(nbgrader.__version__)"],
                             check=True, capture_output=True, text=True).stdout.strip()
    # The "python3" kernel nbgrader runs is the course environment's.
    kernel_dir = scratch / "jupyter" / "kernels" / "python3"
    kernel_dir.mkdir(parents=True)
    (kernel_dir / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "course", "language": "python",
        "env": {"PATH": f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}"}}))
    course = scratch / "course"
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    shutil.copy(paths[0], course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        "c.CourseDirectory.course_id = 'bench'\n"
        "c.Execute.timeout = 600\n")
    data = scratch / "data"
    shutil.copytree(data_raw, data / "FashionMNIST" / "raw")
    for f in csv_files:
        shutil.copy(f, data / f.name)
    for i, path in enumerate(paths):
        student = f"student{i:02d}"
        (course / "submitted" / student / ASSIGNMENT).mkdir(parents=True)
        shutil.copy(path, course / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
        # Autograde runs each notebook in autograded/<student>/hw1, so the book's ../data is here.
        (course / "autograded" / student).mkdir(parents=True)
        (course / "autograded" / student / "data").symlink_to(data)
    # nbgrader runs its own tools (alembic) from PATH.
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}", "JUPYTER_PATH": str(scratch / "jupyter"), "JUPYTER_CONFIG_DIR": str(scratch / "config"),
           "JUPYTER_DATA_DIR": str(scratch / "jupyter-data"), "JUPYTER_RUNTIME_DIR": str(scratch / "runtime")}
    nbgrader = str(venv / "bin" / "nbgrader")
    _run([nbgrader, "generate_assignment", ASSIGNMENT, "--force"], course, env)
    began = time.monotonic()
    _run([nbgrader, "autograde", ASSIGNMENT], course, env)
    seconds = time.monotonic() - began
    graded = sorted(p.parent.parent.name for p in (course / "autograded").glob(f"*/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"))
    if len(graded) != len(paths):
        raise RuntimeError(f"nbgrader autograded {len(graded)} of {len(paths)} notebooks")
    return seconds, version


def _run(argv: list[str], cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[-3:])} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
