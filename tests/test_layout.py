"""The engine's shape (see grader/__init__.py): each module imports only from its own stage and
earlier ones, code sent into kernels uses the standard library only, and modules stay small."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "grader"

# Stages in the order data flows; a module may import from its own stage and earlier ones.
STAGES = [
    {"errors", "text", "limits", "assignment", "rules", "results", "datasets", "scoring"},
    {"intake"},
    {"inkernel"},
    {"kernel"},
    {"judge"},
    {"grading"},
    {"gradebook"},
    {"standings"},
    {"publish"},
    {"batch", "check", "selfcheck", "stubs", "wheel", "pins", "bundle", "release", "testing", "bookcode",
     "platforms"},
    {"cli"},
]
MAX_LINES = 420


def stage_of(module: str) -> int:
    top = module.split(".")[1] if module.count(".") else ""
    for rank, names in enumerate(STAGES):
        if top in names:
            return rank
    raise AssertionError(f"{module} belongs to no stage; add it to STAGES and grader/__init__.py")


def modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if name != "grader":
            found.append((name, path))
    return found


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names if node.module == "grader")
    return names


@pytest.mark.parametrize("name,path", modules(), ids=[m for m, _ in modules()])
def test_modules_import_only_from_earlier_stages(name, path):
    own = stage_of(name)
    later = sorted(m for m in imported(path) if m.startswith("grader.") and stage_of(m) > own)
    assert not later, f"{name} imports from a later stage: {', '.join(later)}"


@pytest.mark.parametrize("path", sorted((PACKAGE / "inkernel").glob("*.py")), ids=lambda p: p.stem)
def test_code_sent_into_kernels_uses_the_standard_library_only(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    names = {a.name for n in top_level if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module for n in top_level if isinstance(n, ast.ImportFrom) and n.module}
    outside = sorted(n for n in names if n.split(".")[0] not in sys.stdlib_module_names
                     and n != "__future__")
    assert not outside, f"{path.name} imports {', '.join(outside)} at module level"
    relative = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level]
    assert not relative, f"{path.name} uses a relative import, which fails when it is sent as source"


@pytest.mark.parametrize("name,path", modules(), ids=[m for m, _ in modules()])
def test_modules_stay_small(name, path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines; split it by job"


def test_no_module_shadows_the_standard_library_at_the_top():
    clashes = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem in sys.stdlib_module_names)
    assert not clashes, f"top-level modules named like standard library ones: {clashes}"
