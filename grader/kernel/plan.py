"""What one kernel is started with: its interpreter, its host folders, its limits and the
data files it sees at ``../data`` (bound read-only into a sandbox, copied for a kernel
without one)."""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from grader.assignment import Limits


@dataclass(frozen=True)
class KernelPython:
    """The interpreter student kernels run: a virtual environment and the Python it is based on."""

    python: Path
    prefix: Path
    base_prefix: Path


@dataclass(frozen=True)
class Mount:
    """A host path shown read-only inside the sandbox at ``target``."""

    source: Path
    target: str


@dataclass(frozen=True)
class DataFile:
    """A file or folder the notebook finds at ``../data/<name>`` (``name`` may hold '/')."""

    source: Path
    name: str


@dataclass(frozen=True)
class LaunchPlan:
    """Everything needed to start one kernel for one submission."""

    interpreter: KernelPython
    runtime_dir: Path
    limits: Limits
    sandboxed: bool
    data: tuple[DataFile, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    scratch_dir: Path | None = None  # an unsandboxed kernel's working folder
    plain: bool = False              # no grading settings in the kernel (see grader/inkernel/prelude.py)


def plan_kernel(*, interpreter: KernelPython, runtime_dir: Path, limits: Limits, sandboxed: bool,
                data: tuple[DataFile, ...] = (), threads: int = 0, plain: bool = False) -> LaunchPlan:
    """A plan for a kernel whose host folder is ``runtime_dir``. Without a sandbox the kernel
    works in ``runtime_dir/home/work`` and its data files are copied beside it."""
    env = {"OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)} if threads else {}
    scratch = None
    if not sandboxed:
        scratch = runtime_dir / "home" / "work"
        scratch.mkdir(parents=True)
        for item in data:
            target = runtime_dir / "home" / "data" / item.name
            target.parent.mkdir(parents=True, exist_ok=True)
            if item.source.is_dir():
                shutil.copytree(item.source, target)
            else:
                shutil.copyfile(item.source, target)
    return LaunchPlan(interpreter=interpreter, runtime_dir=runtime_dir, limits=limits, sandboxed=sandboxed,
                      data=data, env=env, scratch_dir=scratch, plain=plain)


def new_runtime_dir() -> Path:
    """A new host folder for one kernel's runtime files (the grader's only)."""
    return Path(tempfile.mkdtemp(prefix="jupyter-runtime-"))
