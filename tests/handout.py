"""The student's side of a release, tried as a student would: only ``release/student/`` copied
to an empty folder, a fresh Python environment that holds none of this repository, and the
released solution notebook run top to bottom there, its first cell installing the hand-out's
wheel. Every ``check(...)`` cell must report PASS, in at most 2 KB of saved output.

    .venv/bin/python -m tests.handout --python ~/.pyenv/versions/3.12.1/bin/python   # make handout-check

builds a virtual environment from that Python with the package registry's newest torch,
torchvision, numpy, pandas and matplotlib (a few GB, a few minutes the first time).
``tests/test_handout.py`` runs a smaller version in CI: a fresh environment on this Python
that borrows this environment's torch (numpy 2, pandas newer than the course's) through a
``.pth`` file.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

REGISTRY_STACK = ("torch", "torchvision", "numpy", "pandas", "matplotlib", "ipykernel")
OUTPUT_BYTES = 2048
CELL_TIMEOUT = 900


@dataclass(frozen=True)
class CheckCell:
    index: int
    source: str
    text: str        # the plain-text form of what it displayed (and any error)
    saved_bytes: int

    @property
    def passed(self) -> bool:
        lines = self.text.strip().splitlines()
        return bool(lines) and lines[-1].split(",")[1:2] == [" 0 failed"] and not any(
            line.startswith("FAIL") for line in lines) and not lines[-1].startswith("0 passed")


def make_venv(folder: Path, *, python: str, borrow: Path | None = None) -> Path:
    """A virtual environment; with ``borrow``, a site-packages folder it also reads (its .pth
    files are not run, so an editable install found there stays invisible)."""
    subprocess.run([python, "-m", "venv", str(folder)], check=True)
    interpreter = folder / "bin" / "python"
    if borrow is not None:
        site = subprocess.run([str(interpreter), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              check=True, capture_output=True, text=True).stdout.strip()
        Path(site, "_borrowed.pth").write_text(f"{borrow}\n")
    return interpreter


def install_registry_stack(interpreter: Path, packages: tuple[str, ...] = REGISTRY_STACK) -> None:
    subprocess.run([str(interpreter), "-m", "pip", "install", "-q", *packages], check=True)


def lay_out(student: Path, solution: Path, folder: Path) -> Path:
    """Only the hand-out, in an empty folder, with the solution notebook in the student's place."""
    folder.mkdir(parents=True)
    for item in student.iterdir():
        if item.suffix != ".ipynb":
            shutil.copy2(item, folder / item.name)
    shutil.copy2(solution, folder / solution.name)
    return folder / solution.name


def run_notebook(path: Path, interpreter: Path, *, env: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """Execute ``path`` in its folder with a kernel of ``interpreter`` (and ``env`` added to its
    environment); saves and returns the executed notebook."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    specs = path.parent.parent / "kernels"
    spec = {"argv": [str(interpreter), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "hand-out", "language": "python", "env": env or {}}
    (specs / "handout").mkdir(parents=True, exist_ok=True)
    (specs / "handout" / "kernel.json").write_text(json.dumps(spec))
    manager = KernelManager(kernel_name="handout", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(specs)]))
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, km=manager, timeout=CELL_TIMEOUT, allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    nbformat.write(nb, path)
    return nb


def check_cells(nb: nbformat.NotebookNode) -> list[CheckCell]:
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.startswith("check("):
            continue
        texts = []
        for out in cell.get("outputs", []):
            if out.get("output_type") in ("execute_result", "display_data"):
                texts.append(str(out.get("data", {}).get("text/plain", "")))
            elif out.get("output_type") == "stream":
                texts.append(str(out.get("text", "")))
            elif out.get("output_type") == "error":
                texts.append(f"FAIL error {out.get('ename')}: {out.get('evalue')}")
        saved = len(json.dumps(cell.get("outputs", []), indent=1, ensure_ascii=False).encode())
        found.append(CheckCell(index, cell.source, "\n".join(texts), saved))
    return found


def cell_errors(nb: nbformat.NotebookNode) -> list[str]:
    return [f"cell {i}: {out.get('ename')}: {out.get('evalue')}" for i, cell in enumerate(nb.cells)
            if cell.cell_type == "code" for out in cell.get("outputs", []) if out.get("output_type") == "error"]


def problems_of(nb: nbformat.NotebookNode) -> list[str]:
    """What a student would not expect to see: an error anywhere, a check that did not PASS or
    whose output is over 2 KB."""
    problems = cell_errors(nb)
    cells = check_cells(nb)
    if not cells:
        problems.append("the notebook has no check cells")
    for c in cells:
        if not c.passed:
            problems.append(f"cell {c.index} {c.source}: {c.text[-300:]!r}")
        if c.saved_bytes > OUTPUT_BYTES:
            problems.append(f"cell {c.index} {c.source}: {c.saved_bytes} bytes of output")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", required=True, help="the Python to build the fresh environment from")
    parser.add_argument("--release", type=Path, help="a release folder (default: `grader release hw1` into a temporary one)")
    parser.add_argument("--keep", type=Path, help="work here and keep it (default: a temporary folder)")
    parser.add_argument("--packages", nargs="+", default=list(REGISTRY_STACK),
                        help="what to install from the registry first (default: %(default)s), e.g. "
                             "torch==2.0.1 torchvision==0.15.2 numpy==1.24.4 pandas==1.5.3 matplotlib ipykernel")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="handout-check-"))
    release = args.release
    if release is None:
        from grader.assignment import load_assignment
        from grader.release import build_release
        release = work / "release"
        build_release(load_assignment("hw1"), release)
    started = time.monotonic()
    print(f"building a fresh environment from {args.python} with {' '.join(args.packages)} from the registry")
    interpreter = make_venv(work / "venv", python=args.python)
    install_registry_stack(interpreter, tuple(args.packages))
    versions = subprocess.run([str(interpreter), "-c", "import sys, torch, numpy, pandas; print(sys.version.split()[0], "
                               "'torch', torch.__version__, 'numpy', numpy.__version__, 'pandas', pandas.__version__)"],
                              check=True, capture_output=True, text=True).stdout.strip()
    print(f"environment: Python {versions} ({time.monotonic() - started:.0f} s)")
    notebook = lay_out(release / "student", release / "solution" / "hw1.ipynb", work / "student")
    print(f"running {notebook} (only the hand-out beside it)")
    nb = run_notebook(notebook, interpreter, env={"D2L_GRADER_CACHE": str(work / "cache")})
    cells = check_cells(nb)
    problems = problems_of(nb)
    largest = max((c.saved_bytes for c in cells), default=0)
    print(f"{sum(c.passed for c in cells)} of {len(cells)} check cells report PASS; the largest output is "
          f"{largest} bytes; {time.monotonic() - started:.0f} s in all")
    for problem in problems:
        print(f"problem: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
