"""The students' checks package: one wheel, named for the assignment
(``hw1_checks-2026.1-py3-none-any.whl``), with the check engine, the public tests and the
assignment's data files.

The engine modules the public checks need are copied under ``<package>.engine`` with their
``grader`` imports rewritten, and so are the public tests: the wheel installs no ``grader``
package (the package index has another one of that name), and it holds no reference
solution and no hidden test. It is written with the standard library, byte for byte the same
for the same inputs, and it depends only on what the checks import, without upper bounds,
so installing it never downgrades what a student has.
"""
from __future__ import annotations

import ast
import base64
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from grader.assignment import Assignment
from grader.errors import AssignmentError, ReleaseError
from grader.publish.report import TEMPLATES

ENGINE_DIR = Path(__file__).resolve().parent
# What check() and the public tests import, and what those import in turn: building the wheel
# refuses an import of the package's own modules that it does not hold, and
# tests/test_handout.py imports every module of an installed wheel.
ENGINE = ("errors.py", "text.py", "rules.py", "limits.py", "assignment.py", "results.py", "datasets.py", "testing.py",
          "bookcode/__init__.py", "bookcode/preliminaries.py", "bookcode/linear.py", "bookcode/classification.py",
          "bookcode/perceptrons.py", "check.py", "inkernel/__init__.py", "inkernel/agent.py", "inkernel/wire.py",
          "judge/__init__.py", "judge/plugin.py", "judge/bridge.py", "judge/local.py", "judge/compare.py",
          "judge/memo.py", "judge/solutions.py", "judge/source.py", "judge/definitions.py", "judge/tests.ini",
          "kernel/__init__.py", "kernel/owners.py")
REQUIRES = ("numpy", "pandas", "pytest>=8", "torch", "torchvision", 'tomli; python_version < "3.11"')
ZIP_TIME = (2020, 1, 1, 0, 0, 0)
PEP440 = re.compile(r"\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?")
_FROM_GRADER = re.compile(r"^(\s*from\s+)grader(?=[\s.])", re.MULTILINE)


def wheel_name(assignment: Assignment) -> str:
    if not PEP440.fullmatch(assignment.version):
        raise AssignmentError(f"{assignment.id}: version {assignment.version!r} cannot name a wheel; "
                              "use a version such as 2026.1 (PEP 440)")
    return f"{assignment.handout.package}-{assignment.version}-py3-none-any.whl"


def build_wheel(assignment: Assignment, folder: Path) -> Path:
    """Write the checks wheel into ``folder``; returns its path."""
    path = folder / wheel_name(assignment)
    folder.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_zip(_with_dist_info(assignment, package_files(assignment))))
    return path


def package_files(assignment: Assignment) -> dict[str, bytes]:
    """Every file of the package, by its path in the wheel."""
    package = assignment.handout.package
    files: dict[str, bytes] = {f"{package}/__init__.py": _init_source(assignment).encode()}
    files[f"{package}/engine/__init__.py"] = (
        '"""d2l-grader\'s check engine, copied from its ``grader`` package with the imports '
        f'rewritten to ``{package}.engine``."""\n').encode()
    for name in ENGINE:
        files[f"{package}/engine/{name}"] = _vendored(ENGINE_DIR / name, package)
    root = f"{package}/{assignment.id}"
    files[f"{root}/assignment.toml"] = student_assignment_toml(assignment).encode()
    for test in sorted(assignment.public_dir.glob("test_*.py")):
        files[f"{root}/public/{test.name}"] = _vendored(test, package)
    for data in sorted(assignment.data_dir.rglob("*")) if assignment.data_dir.is_dir() else []:
        if data.is_file() and "__pycache__" not in data.parts:
            files[f"{root}/data/{data.relative_to(assignment.data_dir).as_posix()}"] = data.read_bytes()
    _check_imports(files, package)
    return files


def _vendored(path: Path, package: str) -> bytes:
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        return text.encode()
    return _FROM_GRADER.sub(rf"\g<1>{package}.engine", text).encode()


def _check_imports(files: dict[str, bytes], package: str) -> None:
    """Every import of the package's own modules names one the wheel holds; none names ``grader``."""
    trees = {name: ast.parse(data.decode("utf-8"), name) for name, data in files.items() if name.endswith(".py")}
    modules = {name[:-3].replace("/", ".").removesuffix(".__init__"): tree for name, tree in trees.items()}
    for name, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                wanted = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                wanted = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names
                                          if f"{node.module}.{alias.name}" in modules
                                          or alias.name not in _top_level_names(modules.get(node.module))]
            else:
                continue
            for module in wanted:
                if module.split(".")[0] == "grader":
                    raise ReleaseError(f"the checks wheel: {name} imports {module}; only `from grader... import` "
                                       "lines are rewritten")
                if module.startswith(f"{package}.") and module not in modules:
                    raise ReleaseError(f"the checks wheel: {name} imports {module}, which the wheel does not hold; "
                                       "add it to ENGINE in grader/wheel.py")


def _top_level_names(tree: ast.Module | None) -> set[str]:
    if tree is None:
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return names


def student_assignment_toml(assignment: Assignment) -> str:
    """What students may see of the assignment: no reference answers, no hidden details."""
    lines = ["# What the public checks need; the grader holds the full assignment.", "",
             "[assignment]", f"id = {json.dumps(assignment.id)}", f"title = {json.dumps(assignment.title)}",
             f"version = {json.dumps(assignment.version)}", f"seed = {assignment.seed}",
             f"data = {json.dumps(list(assignment.data))}", ""]
    for name, tol in sorted(assignment.tolerances.items()):
        lines += [f"[tolerances.{json.dumps(name)}]", f"rtol = {tol.rtol!r}", f"atol = {tol.atol!r}",
                  f"why = {json.dumps(tol.why)}", ""]
    for ex in assignment.exercises:
        lines += ["[[exercises]]", f"id = {json.dumps(ex.id)}", f"section = {json.dumps(ex.section)}",
                  f"kind = {json.dumps(ex.kind)}", f"points = {ex.points!r}", f"title = {json.dumps(ex.title)}",
                  f"names = {json.dumps(list(ex.names))}", f"module = {json.dumps(ex.module)}"]
        if ex.timeout:
            lines.append(f"timeout = {ex.timeout!r}")
        lines.append("")
    return "\n".join(lines)


def _init_source(assignment: Assignment) -> str:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES / "release")), undefined=StrictUndefined,
                      keep_trailing_newline=True, autoescape=False)
    return env.get_template("checks_init.py.j2").render(assignment=assignment, package=assignment.handout.package)


def _with_dist_info(assignment: Assignment, files: dict[str, bytes]) -> list[tuple[str, bytes]]:
    """The package's files in name order, then its .dist-info (METADATA, WHEEL, top_level.txt,
    RECORD last, with each file's sha256 and size)."""
    package = assignment.handout.package
    info = f"{package}-{assignment.version}.dist-info"
    metadata = ["Metadata-Version: 2.1", f"Name: {package.replace('_', '-')}", f"Version: {assignment.version}",
                f"Summary: Public checks of {assignment.id} ({assignment.title}), made by d2l-grader",
                "Requires-Python: >=3.10", *(f"Requires-Dist: {r}" for r in REQUIRES), ""]
    wheel = ["Wheel-Version: 1.0", "Generator: d2l-grader", "Root-Is-Purelib: true", "Tag: py3-none-any", ""]
    entries = sorted(files.items())
    entries += [(f"{info}/METADATA", "\n".join(metadata).encode()), (f"{info}/WHEEL", "\n".join(wheel).encode()),
                (f"{info}/top_level.txt", f"{package}\n".encode())]
    record = [f"{name},sha256={_digest(data)},{len(data)}" for name, data in entries] + [f"{info}/RECORD,,", ""]
    return [*entries, (f"{info}/RECORD", "\n".join(record).encode())]


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _zip(entries: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buffer.getvalue()
