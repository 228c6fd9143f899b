"""What one kernel is started with: its interpreter, its host folders, its limits and the
data files it sees at ``../data`` (bound read-only into a sandbox, copied for a kernel
without one)."""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from grader.kernel.isolation import Isolation, pick_uid
from grader.kernel.owners import RUNTIME_FOLDER, tagged
from grader.limits import Limits



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
    isolation: Isolation
    data: tuple[DataFile, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    scratch_dir: Path | None = None  # an unsandboxed kernel's working folder
    plain: bool = False              # no grading settings in the kernel (see grader/inkernel/prelude.py)
    uid: int | None = None           # the fallback's user for this kernel alone

    @property
    def sandboxed(self) -> bool:
        return self.isolation.sandboxed

    @property
    def kernel_prefix(self) -> Path:
        """The kernel environment's path as an unsandboxed kernel sees it: under the fallback
        a link in its runtime folder, so that no path it is shown names the grader."""
        return self.runtime_dir / "venv" if self.uid is not None else self.interpreter.prefix


def plan_kernel(*, interpreter: KernelPython, runtime_dir: Path, limits: Limits, isolation: Isolation,
                data: tuple[DataFile, ...] = (), threads: int = 0, plain: bool = False) -> LaunchPlan:
    """A plan for a kernel whose host folder is ``runtime_dir``. Without a sandbox the kernel
    works in ``runtime_dir/home/work`` and its data files are copied beside it; under the
    unprivileged-user fallback that home is the kernel user's, and ``runtime_dir`` only
    lets it pass through."""
    env = {"OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)} if threads else {}
    scratch = None
    uid = None
    if not isolation.sandboxed:
        scratch = runtime_dir / "home" / "work"
        scratch.mkdir(parents=True)
        for item in data:
            target = runtime_dir / "home" / "data" / item.name
            target.parent.mkdir(parents=True, exist_ok=True)
            if item.source.is_dir():
                shutil.copytree(item.source, target)
            else:
                shutil.copyfile(item.source, target)
        if isolation.uid is not None:
            uid = pick_uid(isolation.uid)
            (runtime_dir / "home" / "tmp").mkdir()
            env["TMPDIR"] = str(runtime_dir / "home" / "tmp")
            for folder in runtime_dir.joinpath("home").rglob("*"):   # its folders; the data files stay root's
                if folder.is_dir() and not folder.is_symlink():
                    os.chown(folder, uid, uid)
            os.chown(runtime_dir / "home", uid, uid)
            (runtime_dir / "venv").symlink_to(interpreter.prefix)
            os.chmod(runtime_dir, 0o711)
    return LaunchPlan(interpreter=interpreter, runtime_dir=runtime_dir, limits=limits, isolation=isolation,
                      data=data, env=env, scratch_dir=scratch, plain=plain, uid=uid)


def new_runtime_dir() -> Path:
    """A new host folder for one kernel's runtime files (the grader's only)."""
    return Path(tempfile.mkdtemp(prefix=tagged(RUNTIME_FOLDER)))
