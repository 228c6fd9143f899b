"""What a grading image installs besides the assignment: the grader as a wheel, built from this
checkout, and the grader's requirements pinned to the versions installed here (the ones the
release was built and validated with).

The wheel is built by the project's own build backend (setuptools, from pyproject.toml) in a
copy of the package, so it carries exactly what pyproject.toml declares (templates and
package data included, ``assignments/`` and ``reference/`` not), and a fixed
``SOURCE_DATE_EPOCH`` makes it byte for byte the same for the same sources.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

from grader.assignment import CHECKOUT, CourseEnvironment
from grader.errors import ReleaseError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SOURCE_DATE_EPOCH = "1577836800"   # 2020-01-01, as the release's other zip files
# Grading images are Linux on x86-64 (Gradescope's Ubuntu, PrairieLearn's Docker hosts):
# requirement markers are read for that platform, whatever machine builds the release.
IMAGE_PLATFORM = {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64",
                  "os_name": "posix", "implementation_name": "cpython",
                  "platform_python_implementation": "CPython"}


@dataclass(frozen=True)
class Pin:
    name: str      # canonical distribution name
    version: str   # as installed here, without a local label (torch's +cu130)

    def line(self) -> str:
        return f"{self.name}=={self.version}"


def project() -> dict:
    """``[project]`` of the checkout's pyproject.toml; refuses outside a checkout."""
    path = CHECKOUT / "pyproject.toml"
    if not path.is_file():
        raise ReleaseError(f"the grader's wheel is built from a checkout of d2l-grader, and {path} "
                           "does not exist: release from a checkout")
    return tomllib.loads(path.read_text(encoding="utf-8"))["project"]


def grader_wheel_name() -> str:
    meta = project()
    return f"{meta['name'].replace('-', '_')}-{meta['version']}-py3-none-any.whl"


def build_grader_wheel(folder: Path) -> Path:
    """Build the grader's wheel into ``folder`` from a copy of pyproject.toml, README.md and
    ``grader/`` (so no stale build/ folder of the checkout can slip into it)."""
    folder.mkdir(parents=True, exist_ok=True)
    name = grader_wheel_name()
    with tempfile.TemporaryDirectory(prefix="grader-wheel-") as scratch:
        source, out = Path(scratch) / "source", Path(scratch) / "out"
        for path in [CHECKOUT / "pyproject.toml", CHECKOUT / "README.md",
                     *sorted((CHECKOUT / "grader").rglob("*"))]:
            rel = path.relative_to(CHECKOUT)
            if path.is_file() and "__pycache__" not in rel.parts and path.suffix != ".pyc":
                (source / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, source / rel)
                os.chmod(source / rel, 0o644)
        env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
        code = "import sys, setuptools.build_meta as b; print(b.build_wheel(sys.argv[1]))"
        proc = subprocess.run([sys.executable, "-c", code, str(out)], cwd=source, env=env,
                              capture_output=True, text=True)
        built = out / name
        if proc.returncode != 0 or not built.is_file():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no wheel was written"]
            raise ReleaseError(f"could not build the grader's wheel {name}: {tail[0]}")
        shutil.copyfile(built, folder / name)
    return folder / name


def pinned_requirements(python: str) -> tuple[Pin, ...]:
    """The grader's run-time dependencies and all of theirs, each pinned to the version installed
    here, for ``python`` (e.g. "3.11") on Linux x86-64; sorted by name."""
    env = {**default_environment(), **IMAGE_PLATFORM, "python_version": python,
           "python_full_version": f"{python}.0"}
    pins: dict[str, Pin] = {}
    seen: set[tuple[str, str]] = set()
    todo = [(Requirement(text), "") for text in project().get("dependencies", [])]
    while todo:
        req, extra = todo.pop()
        if req.marker is not None and not req.marker.evaluate({**env, "extra": extra}):
            continue
        name = canonicalize_name(req.name)
        wanted = {(name, e) for e in ("", *sorted(req.extras))} - seen
        if not wanted:
            continue
        seen |= wanted
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            raise ReleaseError(f"{req.name}, which the grader needs, is not installed in this "
                               "environment: install the grader (make install) before releasing") from None
        pins[name] = Pin(name, dist.version.split("+", 1)[0])
        todo += [(Requirement(text), e) for text in dist.requires or [] for _, e in sorted(wanted)]
    return tuple(pins[name] for name in sorted(pins))


def shared_pins(pins: tuple[Pin, ...], spec: CourseEnvironment) -> tuple[Pin, ...]:
    """The pins of packages the course environment names without a version (torch, torchvision,
    ipykernel): constraining its build to them lets both environments install the same files,
    downloaded once and then linked, and any version satisfies the course's declaration."""
    bare = {canonicalize_name(Requirement(text).name) for text in spec.packages
            if not Requirement(text).specifier and not Requirement(text).url}
    return tuple(pin for pin in pins if pin.name in bare)


def missing_wheels(folder: Path, pins: tuple[Pin, ...], spec: CourseEnvironment) -> list[str]:
    """What a wheelhouse lacks to install offline: every pinned requirement at its version, and
    every package the course environment declares (at its version when pinned with ==).
    Dependencies of the course environment's packages are left to pip, which names them."""
    have: dict[str, set[str]] = {}
    for wheel in folder.glob("*.whl"):
        try:
            name, version, _, _ = parse_wheel_filename(wheel.name)
        except ValueError:
            continue
        have.setdefault(name, set()).add(str(version).split("+", 1)[0])
    missing = {pin.name: pin.line() for pin in pins if pin.version not in have.get(pin.name, set())}
    for text in (*spec.packages, *spec.no_deps):
        req = Requirement(text)
        name = canonicalize_name(req.name)
        if not any(req.specifier.contains(v, prereleases=True) for v in have.get(name, set())):
            missing.setdefault(name, text)
    return list(missing.values())
