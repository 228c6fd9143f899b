"""A notebook's top-level definitions, found in its code cells or, for an in-process link,
in the namespaces it left: what ``source.SourceIndex`` reads."""
from __future__ import annotations

import ast
import inspect
import sysconfig
import textwrap
import types
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Definition:
    """One top-level binding of ``name``: a def or class, an import (``dotted`` is what it
    names), an alias (``name = expression``) or an attribute set on an object
    (``X.name = ...``, ``setattr(X, "name", ...)``, a method, a decorated def)."""

    name: str
    kind: str               # "function", "class", "import", "alias", "attribute", "unreadable"
    position: int           # order of the cell (or namespace) it came from
    section: str | None
    node: ast.AST | None = None
    dotted: str = ""


def cell_definitions(body: list[ast.stmt], position: int, section: str | None) -> list[Definition]:
    """Definitions made by a cell's statements, looking inside if/try/with/for blocks."""
    found: list[Definition] = []
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.append(Definition(stmt.name, "function", position, section, stmt))
            if stmt.decorator_list:   # e.g. @d2l.add_to_class(Trainer): a method of some class
                found.append(Definition(stmt.name, "attribute", position, section, stmt))
        elif isinstance(stmt, ast.ClassDef):
            d = Definition(stmt.name, "class", position, section, stmt)
            found += [d, *_methods(d)]
        elif isinstance(stmt, ast.Import):
            for a in stmt.names:
                name = a.asname or a.name.split(".")[0]
                found.append(Definition(name, "import", position, section, None,
                                        a.name if a.asname else name))
        elif isinstance(stmt, ast.ImportFrom) and stmt.module and not stmt.level:
            for a in stmt.names:
                found.append(Definition(a.asname or a.name, "import", position, section, None,
                                        f"{stmt.module}.{a.name}"))
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and stmt.value is not None:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                for t in ast.walk(target):
                    if isinstance(t, ast.Name):
                        found.append(Definition(t.id, "alias", position, section, stmt.value))
                if isinstance(target, ast.Attribute):
                    found.append(Definition(target.attr, "attribute", position, section, stmt.value))
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            call = stmt.value
            if (isinstance(call.func, ast.Name) and call.func.id == "setattr" and len(call.args) == 3
                    and isinstance(call.args[1], ast.Constant) and isinstance(call.args[1].value, str)):
                found.append(Definition(call.args[1].value, "attribute", position, section, call.args[2]))
        for field_name in ("body", "orelse", "finalbody", "handlers"):
            inner = getattr(stmt, field_name, None)
            if isinstance(inner, list) and not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                                   ast.ClassDef)):
                stmts = [s for h in inner for s in h.body] if field_name == "handlers" else inner
                found.extend(cell_definitions(stmts, position, section))
    return found


def _methods(d: Definition) -> list[Definition]:
    """A class's methods and class attributes, as attribute definitions (``self.helper()``)."""
    found = []
    for stmt in getattr(d.node, "body", []):
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.append(Definition(stmt.name, "attribute", d.position, d.section, stmt))
    return found


def _definition_of(name: str, obj: Any, position: int, section: str | None,
                   parsed: dict[int, ast.AST | None]) -> Definition | None:
    if isinstance(obj, types.ModuleType):
        return Definition(name, "import", position, section, None, obj.__name__)
    if inspect.isfunction(obj) or inspect.isclass(obj):
        if _from_a_library(obj):
            return Definition(name, "import", position, section, None, f"{obj.__module__}.{obj.__qualname__}")
        if id(obj) not in parsed:
            parsed[id(obj)] = _parse_source(obj)
        node = parsed[id(obj)]
        if node is None:
            return Definition(name, "unreadable", position, section)
        return Definition(name, "class" if isinstance(node, ast.ClassDef) else "function", position, section, node)
    label = getattr(obj, "__name__", None)
    if isinstance(label, str) and (callable(obj) or hasattr(obj, "__objclass__")):
        # A library function or descriptor bound to a name (t = torch.transpose, _T = Tensor.T).
        owner = getattr(obj, "__objclass__", None)
        where = getattr(owner, "__name__", None) or getattr(obj, "__module__", None) or "_"
        return Definition(name, "import", position, section, None, f"{where}.{label}")
    return None


def _from_a_library(obj: Any) -> bool:
    """Installed code (site-packages, the standard library) rather than code written for the
    notebook (a cell, or in-process the reference solutions and the project's test doubles)."""
    try:
        path = inspect.getsourcefile(obj)
    except TypeError:
        return True
    if not path:
        return getattr(obj, "__module__", "") not in ("__main__", None)
    paths = sysconfig.get_paths()
    roots = {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    return any(str(Path(path).resolve()).startswith(str(Path(root).resolve())) for root in roots)


def _parse_source(obj: Any) -> ast.AST | None:
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(obj)))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None
    first = tree.body[0] if tree.body else None
    return first if isinstance(first, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else None


def _global_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def namespace_definitions(namespace: Mapping[str, Any], position: int, section: str | None,
                          parsed: dict[int, ast.AST | None]) -> list[Definition]:
    """Functions and classes by ``inspect.getsource`` (with the module helpers they reach
    through their globals), modules as imports, other callables as aliases. ``parsed``
    keeps each object's tree across namespaces."""
    found: list[Definition] = []
    seen: set[str] = set()
    work = list(namespace.items())
    while work:
        name, obj = work.pop()
        if name in seen:
            continue
        seen.add(name)
        d = _definition_of(name, obj, position, section, parsed)
        if d is None:
            continue
        found.append(d)
        if d.kind == "class":
            found.extend(_methods(d))
        globals_ = getattr(obj, "__globals__", None)
        if isinstance(globals_, dict):
            work.extend((n, globals_[n]) for n in _global_names(obj.__code__)
                        if n in globals_ and n not in namespace and n not in seen)
    return found
