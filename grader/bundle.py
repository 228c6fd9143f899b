"""The grading platforms' files: ``autograder.zip`` for Gradescope and ``prairielearn/`` for
PrairieLearn, both built around the assignment folder the grader reads.

autograder.zip, at its root (Gradescope unpacks it to /autograder/source/)::

    setup.sh            run once as root while the platform builds its image (network on)
    run_autograder      run as root for every upload; always leaves a valid results.json
    requirements.txt    the grader's requirements, pinned to the release's environment
    constraints.txt     the pins the course's kernel environment shares with the grader
    link_identical.py   stores the two environments' identical files once
    wheels/             the grader, built from this checkout
    wheelhouse/         with ``--wheelhouse``: the wheels setup.sh then installs offline
    <id>/               assignment.toml, exercises/, public/, hidden/, data/, the reference
                        modules and MANIFEST.sha256

prairielearn/::

    Dockerfile          the grading image: setup.sh on python:<version>-bookworm; no layer
                        keeps the hidden tests or the reference solutions
    question/           a question folder: info.json, question.html, tests/run.sh (the
                        entrypoint) and tests/<id>/ (the assignment folder, as in the zip)

Every file is the same, byte for byte, for the same inputs.
"""
from __future__ import annotations

import hashlib
import json
import math
import shlex
import shutil
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from grader.assignment import REFERENCE_DIR, Assignment
from grader.errors import ReleaseError
from grader.limits import Limits
from grader.pins import Pin, build_grader_wheel, missing_wheels, pinned_requirements, shared_pins
from grader.publish.report import TEMPLATES

ZIP_TIME = (2020, 1, 1, 0, 0, 0)
VENV = "/opt/d2l-grader/venv"     # the grader's own environment in the image
CACHE = "/opt/d2l-grader/cache"   # D2L_GRADER_CACHE: the kernel environment and data, world-readable
# The grader's own process besides the kernel's memory_mb: bench/memory.py measured 875 MB at
# its peak per worker.
GRADER_MB = 1024
# Besides notebook_timeout: starting Python, importing torch in the grader, the kernel's parent
# and the first kernel in a freshly started container (measured by `make platform-check`).
START_UP_SECONDS = 120
# What the run script leaves the platform after its own limit: time to write the fallback result.
MARGIN_SECONDS = 60
PRAIRIELEARN_MAX_SECONDS = 600    # PrairieLearn's ceiling for externalGradingOptions.timeout


@dataclass(frozen=True)
class Needs:
    """What a platform must grant one upload, from the assignment's [limits]."""

    memory_mb: int        # the kernel's memory_mb plus the grader's own process
    run_seconds: int      # the run script's limit on the grader: notebook_timeout plus start-up

    @property
    def platform_seconds(self) -> int:
        return self.run_seconds + MARGIN_SECONDS

    def lines(self) -> list[str]:
        line = (f"grading one upload needs {math.ceil(self.memory_mb / 1024)} GB of memory and "
                f"{self.platform_seconds} s ({math.ceil(self.platform_seconds / 60)} min)")
        if self.platform_seconds <= PRAIRIELEARN_MAX_SECONDS:
            return [line]
        return [line, f"PrairieLearn allows at most {PRAIRIELEARN_MAX_SECONDS} s per grading job: there, uploads "
                      f"still running after {PRAIRIELEARN_MAX_SECONDS - MARGIN_SECONDS} s score 0; lower [limits] "
                      f"notebook_timeout to {PRAIRIELEARN_MAX_SECONDS - MARGIN_SECONDS - START_UP_SECONDS} s for it"]


def needs_of(limits: Limits) -> Needs:
    return Needs(memory_mb=limits.memory_mb + GRADER_MB,
                 run_seconds=math.ceil(limits.notebook_timeout) + START_UP_SECONDS)


@dataclass(frozen=True)
class Platforms:
    bundle: Path          # autograder.zip
    prairielearn: Path    # prairielearn/
    needs: Needs


def assignment_files(assignment: Assignment) -> list[tuple[str, bytes]]:
    """The assignment folder as the grader reads it, by path inside it, MANIFEST.sha256 last."""
    root = assignment.root
    files = [("assignment.toml", (root / "assignment.toml").read_bytes())]
    for folder in ("exercises", "public", "hidden", "data"):
        for f in sorted((root / folder).rglob("*")) if (root / folder).is_dir() else []:
            if f.is_file() and "__pycache__" not in f.parts:
                files.append((f"{folder}/{f.relative_to(root / folder).as_posix()}", f.read_bytes()))
    for module in sorted({e.module for e in assignment.exercises if e.module}):
        rel = module.replace(".", "/") + ".py"
        files.append((rel, (REFERENCE_DIR.parent / rel).read_bytes()))
    files.append(("reference/__init__.py", (REFERENCE_DIR / "__init__.py").read_bytes()))
    files.sort()
    manifest = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in files)
    return [*files, ("MANIFEST.sha256", manifest.encode())]


def platform_templates() -> Environment:
    # Shell's ${#array[@]} would open a Jinja comment: comments are written <#-- ... --#> here.
    env = Environment(comment_start_string="<#--", comment_end_string="--#>", loader=FileSystemLoader(str(TEMPLATES / "platform")), undefined=StrictUndefined,
                      autoescape=select_autoescape(["html.j2"]), keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["q"] = shlex.quote
    return env


def write_platforms(assignment: Assignment, out: Path, *, wheelhouse: Path | None = None) -> Platforms:
    """Write ``out/autograder.zip`` and ``out/prairielearn/``; with ``wheelhouse`` (a folder of
    wheels), the zip carries them and setup.sh installs from nothing else."""
    python = assignment.environment.python.strip()
    if python and tuple(int(p) for p in python.split(".")[:2]) < (3, 10):
        raise ReleaseError(f"{assignment.id}: the grading image runs the grader on the course's Python, "
                           f"and the grader needs 3.10 or later ([environment] python = {python!r})")
    pins = pinned_requirements(python or "3.11")
    if wheelhouse is not None:
        missing = missing_wheels(wheelhouse, pins, assignment.environment)
        if missing:
            raise ReleaseError(f"the wheelhouse {wheelhouse} lacks {len(missing)} wheels setup.sh would need: "
                               + ", ".join(missing[:8]) + (", ..." if len(missing) > 8 else "")
                               + "; fill it with pip download (see the README)")
    needs = needs_of(assignment.limits)
    bundle = out / "autograder.zip"
    with tempfile.TemporaryDirectory(prefix="grader-bundle-") as scratch:
        wheel = build_grader_wheel(Path(scratch))
        _write_zip(bundle, _bundle_entries(assignment, pins, wheel, wheelhouse, needs))
    prairielearn = out / "prairielearn"
    _write_prairielearn(assignment, prairielearn, needs)
    return Platforms(bundle, prairielearn, needs)


def _bundle_entries(assignment: Assignment, pins: tuple[Pin, ...], wheel: Path, wheelhouse: Path | None,
                    needs: Needs) -> list[tuple[str, bytes | Path, int]]:
    t = platform_templates()
    python = assignment.environment.python.strip()
    setup = t.get_template("setup.sh.j2").render(
        id=assignment.id, python_tag=python or "3", python_command=shlex.quote(f"python{python or '3'}"),
        venv=VENV, cache=CACHE, wheel=wheel.name, wheelhouse=wheelhouse is not None,
        packages=list(assignment.environment.packages), no_deps=list(assignment.environment.no_deps))
    entries: list[tuple[str, bytes | Path, int]] = [
        ("setup.sh", setup.encode(), 0o755),
        ("run_autograder", run_script(assignment, "gradescope", needs).encode(), 0o755),
        ("requirements.txt", _pin_file("The grader's requirements, pinned to the environment the release was "
                                       "built in", pins), 0o644),
        ("constraints.txt", _pin_file("Shared with the course's kernel environment, which names them without "
                                      "a version", shared_pins(pins, assignment.environment)), 0o644),
        ("link_identical.py", (TEMPLATES / "platform" / "link_identical.py").read_bytes(), 0o644),
        (f"wheels/{wheel.name}", wheel.read_bytes(), 0o644),
    ]
    if wheelhouse is not None:
        entries += [(f"wheelhouse/{w.name}", w, 0o644) for w in sorted(wheelhouse.glob("*.whl"))]
    entries += [(f"{assignment.id}/{name}", data, 0o644) for name, data in assignment_files(assignment)]
    return entries


def run_script(assignment: Assignment, platform: str, needs: Needs) -> str:
    """run_autograder (``gradescope``) or PrairieLearn's run.sh (``prairielearn``)."""
    root_var, default_root = {"gradescope": ("GRADER_AUTOGRADER_ROOT", "/autograder"),
                              "prairielearn": ("GRADER_PRAIRIELEARN_ROOT", "/grade")}[platform]
    seconds = needs.run_seconds
    if platform == "prairielearn":
        seconds = min(seconds, PRAIRIELEARN_MAX_SECONDS - MARGIN_SECONDS)
    return platform_templates().get_template("run.sh.j2").render(
        id=assignment.id, platform=platform, root_var=root_var, default_root=default_root,
        venv=VENV, cache=CACHE, seconds=seconds)


def _pin_file(title: str, pins: tuple[Pin, ...]) -> bytes:
    return "".join([f"# {title}.\n", *(f"{pin.line()}\n" for pin in pins)]).encode()


def _write_zip(path: Path, entries: list[tuple[str, bytes | Path, int]]) -> None:
    """Fixed timestamps and modes; wheels from a wheelhouse are streamed and stored as they are
    (already compressed, and possibly larger than memory)."""
    partial = path.with_name(path.name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.external_attr = (0o100000 | mode) << 16
            if isinstance(data, bytes):
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
                continue
            info.compress_type = zipfile.ZIP_STORED
            info.file_size = data.stat().st_size
            with open(data, "rb") as source, zf.open(info, "w", force_zip64=True) as target:
                shutil.copyfileobj(source, target, 1 << 20)
    partial.replace(path)


def _write_prairielearn(assignment: Assignment, folder: Path, needs: Needs) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    question = folder / "question"
    tests = question / "tests"
    for name, data in assignment_files(assignment):
        (tests / assignment.id / name).parent.mkdir(parents=True, exist_ok=True)
        (tests / assignment.id / name).write_bytes(data)
    (tests / "run.sh").write_text(run_script(assignment, "prairielearn", needs))
    (tests / "run.sh").chmod(0o755)
    t = platform_templates()
    python = assignment.environment.python.strip() or "3"
    (folder / "Dockerfile").write_text(t.get_template("Dockerfile.j2").render(id=assignment.id, python_tag=python))
    (question / "question.html").write_text(t.get_template("question.html.j2").render(assignment=assignment))
    (question / "info.json").write_text(json.dumps(info_json(assignment, needs), indent=2) + "\n")


def info_json(assignment: Assignment, needs: Needs) -> dict:
    """The question's info.json: external grading by this image, entrypoint and timeout."""
    return {
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"d2l-grader:{assignment.id}")),
        "title": assignment.title,
        "topic": "Homework",
        "type": "v3",
        "singleVariant": True,
        "gradingMethod": "External",
        "externalGradingOptions": {
            "enabled": True,
            "image": f"YOUR-REGISTRY/d2l-grader-{assignment.id}:{assignment.version}",
            "entrypoint": "/grade/tests/run.sh",
            "timeout": min(needs.platform_seconds, PRAIRIELEARN_MAX_SECONDS),
        },
    }

