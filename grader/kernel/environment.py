"""The course environment: the virtual environment student kernels run, built once from
``[environment]`` in assignment.toml.

Student kernels run this environment's Python (HW1: d2l==1.0.3 with its pins: numpy
1.23.5, pandas 2.0.3, ...); the judge keeps running in the grader's own environment. The
environment lives under the cache folder, named by a hash of the declared package set, so
a changed declaration builds a new one and an unchanged one is reused.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from grader.assignment import CourseEnvironment
from grader.datasets import cache_dir
from grader.errors import EnvironmentBuildError, UsageError
from grader.kernel.plan import KernelPython

Progress = Callable[[str], None]


@dataclass(frozen=True)
class KernelEnv:
    """Which Python student kernels run, and how to describe it in reports."""

    interpreter: KernelPython
    note: str
    flagged: bool = False   # true when not the course's declared environment


def envs_dir() -> Path:
    return cache_dir() / "envs"


def _marker(spec: CourseEnvironment) -> Path:
    """Kept beside, not inside, the environment: inside, it would tell student code it is graded."""
    return envs_dir() / f"{spec.digest()}.json"


def env_path(spec: CourseEnvironment) -> Path:
    return envs_dir() / spec.digest()


def interpreter_of(prefix: Path) -> KernelPython:
    """The interpreter of the virtual environment at ``prefix``."""
    python = prefix / "bin" / "python"
    if not python.exists():
        raise UsageError(f"{prefix} is not a Python virtual environment (no bin/python)")
    base = Path(sys.base_prefix)
    cfg = prefix / "pyvenv.cfg"
    if cfg.is_file():
        for line in cfg.read_text().splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "home":
                base = Path(value.strip()).parent
    return KernelPython(python=python, prefix=prefix, base_prefix=base)


def current() -> KernelEnv:
    """The grader's own environment (``--kernel-env current``)."""
    interp = KernelPython(python=Path(sys.executable), prefix=Path(sys.prefix),
                          base_prefix=Path(sys.base_prefix))
    return KernelEnv(interp, "the grader's own environment (--kernel-env current), not the course's",
                     flagged=True)


def is_built(spec: CourseEnvironment) -> bool:
    return _marker(spec).is_file() and (env_path(spec) / "bin" / "python").exists()


def resolve(choice: str, spec: CourseEnvironment, *, progress: Progress, wheelhouse: Path | None = None) -> KernelEnv:
    """``auto`` (the course env, built on first use), ``current``, or a venv path."""
    if choice == "current":
        return current()
    if choice not in ("auto", ""):
        interp = interpreter_of(Path(choice).expanduser().resolve())
        return KernelEnv(interp, f"the environment at {interp.prefix} (--kernel-env)", flagged=True)
    prefix = build(spec, progress=progress, wheelhouse=wheelhouse)
    return KernelEnv(interpreter_of(prefix), f"course environment {spec.digest()}: " + describe(spec))


def describe(spec: CourseEnvironment) -> str:
    return ", ".join([*spec.packages, *spec.no_deps])


def build(spec: CourseEnvironment, *, progress: Progress, wheelhouse: Path | None = None,
          force: bool = False) -> Path:
    """Create the environment unless it exists; returns its prefix."""
    target = env_path(spec)
    if is_built(spec) and not force:
        return target
    envs_dir().mkdir(parents=True, exist_ok=True)
    with open(envs_dir() / f"{spec.digest()}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)   # one builder at a time; others wait, then reuse
        if is_built(spec) and not force:
            return target
        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        began = time.monotonic()
        progress(f"building the course's kernel environment in {target} (once; a few minutes)")
        python = _base_python(spec)
        _run([python, "-m", "venv", str(partial)], "create the virtual environment", progress)
        pip = [str(partial / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check",
               "--no-input", "--progress-bar", "off"]
        if wheelhouse is not None:
            pip += ["--no-index", "--find-links", str(wheelhouse)]
        if spec.packages:
            progress(f"installing {len(spec.packages)} packages: {', '.join(spec.packages)}")
            _run([*pip, *spec.packages], "install the declared packages", progress)
        if spec.no_deps:
            progress(f"installing without dependencies: {', '.join(spec.no_deps)}")
            _run([*pip, "--no-deps", *spec.no_deps], "install the packages declared no_deps", progress)
        _rewrite_prefix(partial, target)
        shutil.rmtree(target, ignore_errors=True)
        os.replace(partial, target)
        _marker(spec).write_text(json.dumps({
            "digest": spec.digest(), "packages": list(spec.packages), "no_deps": list(spec.no_deps),
            "built": time.strftime("%Y-%m-%dT%H:%M:%S"), "seconds": round(time.monotonic() - began, 1),
        }, indent=2))
        progress(f"kernel environment ready after {time.monotonic() - began:.0f} s")
    return target


def show(spec: CourseEnvironment) -> str:
    """What the environment holds: key package versions and where it is."""
    target = env_path(spec)
    if not is_built(spec):
        return f"not built yet (would be {target}); run `grader env build`"
    code = ("import importlib.metadata as m, sys\n"
            "print('python', sys.version.split()[0])\n"
            "for n in ('torch','torchvision','numpy','pandas','matplotlib','scipy','d2l','ipykernel'):\n"
            "    try: print(n, m.version(n))\n"
            "    except Exception: print(n, 'missing')\n")
    out = subprocess.run([str(target / "bin" / "python"), "-c", code], capture_output=True, text=True,
                         timeout=120)
    meta = json.loads(_marker(spec).read_text())
    return f"{target}\nbuilt {meta.get('built')}\n" + out.stdout.strip()


def _base_python(spec: CourseEnvironment) -> str:
    wanted = spec.python.strip()
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    if not wanted or wanted == here:
        return sys.executable
    found = shutil.which(f"python{wanted}")
    if found is None:
        raise EnvironmentBuildError(
            f"the course environment needs Python {wanted}, which is not on PATH "
            f"(this grader runs {here}); install python{wanted} or change [environment] python")
    return found


def _rewrite_prefix(partial: Path, target: Path) -> None:
    """Scripts in bin/ name the folder they were installed in; point them at the final one."""
    for script in (partial / "bin").iterdir():
        if script.is_file() and not script.is_symlink():
            try:
                text = script.read_text()
            except (UnicodeDecodeError, OSError):
                continue
            if str(partial) in text:
                script.write_text(text.replace(str(partial), str(target)))


def _run(cmd: list[str], what: str, progress: Progress) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        offline = any(s in (proc.stderr or "") for s in ("No matching distribution", "Could not find",
                                                        "NewConnectionError", "Network is unreachable"))
        hint = ("no package index or wheel folder could provide the packages: build it on a "
                "machine that reaches the index, or pass --wheelhouse DIR (see README), or grade "
                "with --kernel-env current" if offline else " | ".join(tail))
        raise EnvironmentBuildError(f"could not {what}: {hint}")
