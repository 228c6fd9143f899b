"""What is graded and how: a submission, and the settings shared by every submission of a batch."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader import datasets
from grader.kernel.isolation import BUBBLEWRAP, Isolation
from grader.kernel.plan import DataFile, KernelPython
from grader.limits import Limits


@dataclass(frozen=True)
class Submission:
    id: str
    path: Path


@dataclass(frozen=True)
class GradeSettings:
    """How submissions are run; the same for every submission in a batch."""

    interpreter: KernelPython
    limits: Limits
    isolation: Isolation = BUBBLEWRAP
    kernel_env_note: str = ""
    fashion_mnist: datasets.FashionMNISTFiles | None = None
    public_only: bool = False
    exercises: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)
    plain: bool = False     # no grading settings in the kernel (--plain-kernels)
    data_files: tuple[Path, ...] = ()   # the assignment's files shown at ../data/<name>
    threads: int = 0        # torch threads per kernel; 0 leaves torch's default

    @property
    def sandboxed(self) -> bool:
        return self.isolation.sandboxed

    def data(self) -> tuple[DataFile, ...]:
        """What kernels find under ``../data``."""
        found = tuple(DataFile(path, path.name) for path in self.data_files)
        if self.fashion_mnist is not None:
            found = (DataFile(self.fashion_mnist.raw_dir, "FashionMNIST/raw"), *found)
        return found
