"""The notebook's source, read in the grader's process.

Some exercises are about how a function is written, not only what it returns: ``add_loop``
loops, ``transpose`` calls no ``.T``. That is read here, from the code cells the grader
holds (or, for an in-process link, the functions' own source), never from code running in
the student's kernel, where the notebook could patch whatever measured it.

A ``SourceIndex`` answers, for a name as of the end of a book section, what that function
uses (``Usage``), through the notebook's own functions, classes and aliases it reaches.
"""
from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from grader.errors import GraderError
from grader.judge.compare import Mismatch
from grader.judge.definitions import Definition, cell_definitions, namespace_definitions

# Builtins that run or look up code by a computed name: reading the source cannot say what
# they reach. ``getattr``/``setattr``/``delattr`` count only with a computed attribute name.
DYNAMIC_BUILTINS = frozenset({"eval", "exec", "compile", "__import__", "globals", "vars", "locals"})
DYNAMIC_ATTRIBUTES = frozenset({"__dict__", "__getattribute__", "attrgetter", "methodcaller",
                                "import_module"})
ATTRIBUTE_BUILTINS = frozenset({"getattr", "setattr", "delattr", "hasattr"})
CLOCKS = frozenset({"time.time", "time.perf_counter", "time.monotonic", "time.process_time",
                    "time.time_ns", "time.perf_counter_ns", "time.monotonic_ns", "time.process_time_ns",
                    "timeit.default_timer", "datetime.datetime.now"})


class SourceUnavailableError(GraderError):
    """The link gives the grader no notebook source, which the test reads."""


@dataclass(frozen=True)
class Usage:
    """What a function's source uses, its notebook helpers included.

    ``attributes``: attribute names read (``A.T`` gives "T"; ``getattr(A, "T")``, ``from torch
    import mv`` and the ``@`` operator, as "__matmul__", count too). ``references`` and
    ``calls``: dotted names read and called, their first part resolved through the notebook's
    imports and aliases ("torch.linalg.norm", "time.perf_counter"). ``dynamic``: the features
    that defeat reading the source, as phrases for a message."""

    attributes: frozenset[str]
    references: frozenset[str]
    calls: frozenset[str]
    loops: bool
    comprehensions: bool
    dynamic: frozenset[str]
    helpers: frozenset[str]

    def to_dict(self) -> dict:
        return {"attributes": sorted(self.attributes), "references": sorted(self.references),
                "calls": sorted(self.calls), "loops": self.loops, "comprehensions": self.comprehensions,
                "dynamic": sorted(self.dynamic), "helpers": sorted(self.helpers)}


class SourceIndex:
    """The notebook's top-level definitions, in cell order, with their book sections."""

    def __init__(self, definitions: Iterable[Definition], sections: Mapping[str | None, int]) -> None:
        self._names: dict[str, list[Definition]] = {}
        self._attributes: dict[str, list[Definition]] = {}
        for d in definitions:
            (self._attributes if d.kind == "attribute" else self._names).setdefault(d.name, []).append(d)
        self._last_position = dict(sections)   # section -> position of its last cell

    # ---------------------------------------------------------------- building
    @classmethod
    def from_cells(cls, cells: Iterable[tuple[str | None, str]]) -> "SourceIndex":
        """From code cells ``(section, source)`` in notebook order; IPython magics are turned
        into Python first, and a cell that still does not parse is skipped."""
        from IPython.core.inputtransformer2 import TransformerManager
        transform = TransformerManager().transform_cell
        definitions: list[Definition] = []
        sections: dict[str | None, int] = {}
        for position, (section, source) in enumerate(cells):
            sections[section] = position
            try:
                tree = ast.parse(transform(source))
            except (SyntaxError, ValueError, TypeError):
                continue
            definitions.extend(cell_definitions(tree.body, position, section))
        return cls(definitions, sections)

    @classmethod
    def from_namespaces(cls, namespaces: Iterable[tuple[str | None, Mapping[str, Any]]]) -> "SourceIndex":
        """From namespaces ``(section, globals at its end)`` in order, as an in-process link
        keeps them: functions and classes by ``inspect.getsource`` (with the module helpers
        they reach through their globals), modules as imports, other callables as aliases."""
        definitions: list[Definition] = []
        sections: dict[str | None, int] = {}
        parsed: dict[int, ast.AST | None] = {}
        for position, (section, namespace) in enumerate(namespaces):
            sections[section] = position
            definitions.extend(namespace_definitions(namespace, position, section, parsed))
        return cls(definitions, sections)

    # ---------------------------------------------------------------- questions
    def defines(self, name: str, section: str | None = None) -> bool:
        """Whether the cells define ``name`` at the top level (as of ``section``, else anywhere)."""
        return self._lookup(self._names, name, section) != []

    def definition(self, name: str, section: str | None = None) -> Definition | None:
        """The top-level definition of ``name`` as of the end of ``section``."""
        found = self._lookup(self._names, name, section)
        return found[-1] if found else None

    def usage(self, name: str, section: str | None = None) -> Usage | None:
        """What ``name`` uses as of the end of ``section`` (None when the notebook's source
        does not define it)."""
        start = self.definition(name, section)
        if start is None:
            return None
        total = _Reading()
        todo, done = [start], set()
        while todo:
            d = todo.pop()
            if id(d) in done:
                continue
            done.add(id(d))
            if d is not start and d.kind in ("function", "class"):
                total.helpers.add(d.name)
            reading = self._read(d, section)
            total.merge(reading)
            for global_name in reading.globals:
                todo.extend(self._lookup(self._names, global_name, section)[-1:])
            for attr in reading.attributes:
                todo.extend(self._lookup(self._attributes, attr, section, every=True))
        return total.usage()

    def timed_loops(self, name: str, section: str | None = None, *,
                    clocks: frozenset[str] = CLOCKS) -> tuple[str, ...]:
        """The calls that ``for`` loops in ``name``'s own body iterate over (resolved dotted
        names, e.g. "data.train_dataloader") when a clock is read before the loop starts and
        again after it ends."""
        d = self.definition(name, section)
        if d is None or d.kind != "function" or d.node is None:
            return ()
        resolve = self._resolver(d.node, section)
        reads = [n.lineno for n in ast.walk(d.node) if isinstance(n, ast.Call)
                 and resolve(_dotted(n.func)) in clocks]
        timed = []
        for loop in ast.walk(d.node):
            if isinstance(loop, (ast.For, ast.AsyncFor)) and isinstance(loop.iter, ast.Call):
                over = resolve(_dotted(loop.iter.func))
                end = loop.end_lineno or loop.lineno
                if over and any(r < loop.lineno for r in reads) and any(r > end for r in reads):
                    timed.append(over)
        return tuple(timed)

    # ---------------------------------------------------------------- plumbing
    def _lookup(self, table: dict[str, list[Definition]], name: str, section: str | None, *,
                every: bool = False) -> list[Definition]:
        """The last definition of ``name`` in cells up to the end of ``section``, else the
        last one anywhere (``every``: all of them, for attributes)."""
        found = table.get(name, [])
        limit = self._last_position.get(section) if section is not None else None
        if limit is not None:
            before = [d for d in found if d.position <= limit]
            found = before or found
        return found if every else found[-1:]

    def _resolver(self, node: ast.AST, section: str | None) -> Callable[[str | None], str | None]:
        """Resolves a dotted name's first part through imports in ``node`` and the notebook's
        top-level imports and dotted aliases."""
        local = _local_imports(node)
        bound = _locals(node) - set(local)

        def resolve(dotted: str | None, depth: int = 0) -> str | None:
            if not dotted or depth > 10:
                return dotted
            head, _, rest = dotted.partition(".")
            target = local.get(head)
            if target is None and (head not in bound or depth):
                d = self.definition(head, section)
                if d is not None and d.kind == "import":
                    target = d.dotted
                elif d is not None and d.kind == "alias" and isinstance(d.node, ast.expr):
                    target = resolve(_dotted(d.node), depth + 1)
            if not target:
                return dotted
            return f"{target}.{rest}" if rest else target
        return resolve

    def _read(self, d: Definition, section: str | None) -> "_Reading":
        reading = _Reading()
        if d.kind == "unreadable":
            reading.dynamic.add(f"{d.name}, whose source the grader cannot read")
        elif d.kind == "import":
            if "." in d.dotted:
                reading.attributes.add(d.dotted.rsplit(".", 1)[1])
            reading.references.add(d.dotted)
            _note_dynamic(reading, d.dotted)
        elif d.node is not None:
            reading.visit(d.node, self._resolver(d.node, section))
        return reading


class _Reading:
    """What one piece of source uses, collected by walking its tree."""

    def __init__(self) -> None:
        self.attributes: set[str] = set()
        self.references: set[str] = set()
        self.calls: set[str] = set()
        self.globals: set[str] = set()
        self.dynamic: set[str] = set()
        self.helpers: set[str] = set()
        self.loops = self.comprehensions = False

    def visit(self, node: ast.AST, resolve: Callable[[str | None], str | None]) -> None:
        local = _locals(node)
        for n in ast.walk(node):
            if isinstance(n, (ast.For, ast.AsyncFor, ast.While)):
                self.loops = True
            elif isinstance(n, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                self.comprehensions = True
            elif isinstance(n, (ast.BinOp, ast.AugAssign)) and isinstance(n.op, ast.MatMult):
                self.attributes.add("__matmul__")
            elif isinstance(n, ast.Attribute):
                self.attributes.add(n.attr)
                if n.attr in DYNAMIC_ATTRIBUTES:
                    self.dynamic.add(n.attr)
                self._reference(n, resolve)
            elif isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
                if n.id not in local:
                    self.globals.add(n.id)
                    self._reference(n, resolve)
                if n.id in DYNAMIC_BUILTINS:
                    self.dynamic.add(f"{n.id}()")
            elif isinstance(n, ast.ImportFrom) and n.module:
                for alias in n.names:
                    self.attributes.add(alias.name)
                    self.references.add(f"{n.module}.{alias.name}")
                    _note_dynamic(self, f"{n.module}.{alias.name}")
            elif isinstance(n, ast.Import):
                for alias in n.names:
                    _note_dynamic(self, alias.name)
            if isinstance(n, ast.Call):
                self._call(n, resolve)

    def _reference(self, n: ast.expr, resolve: Callable[[str | None], str | None]) -> None:
        dotted = resolve(_dotted(n))
        if dotted:
            self.references.add(dotted)
            _note_dynamic(self, dotted)

    def _call(self, n: ast.Call, resolve: Callable[[str | None], str | None]) -> None:
        dotted = resolve(_dotted(n.func))
        if dotted:
            self.calls.add(dotted)
        if isinstance(n.func, ast.Name) and n.func.id in ATTRIBUTE_BUILTINS and len(n.args) >= 2:
            name = n.args[1]
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                self.attributes.add(name.value)
            else:
                self.dynamic.add(f"{n.func.id}() with a computed name")

    def merge(self, other: "_Reading") -> None:
        for key in ("attributes", "references", "calls", "dynamic", "helpers"):
            getattr(self, key).update(getattr(other, key))
        self.loops |= other.loops
        self.comprehensions |= other.comprehensions

    def usage(self) -> Usage:
        return Usage(frozenset(self.attributes), frozenset(self.references), frozenset(self.calls),
                     self.loops, self.comprehensions, frozenset(self.dynamic), frozenset(self.helpers))


def _note_dynamic(reading: _Reading, dotted: str) -> None:
    parts = dotted.split(".")
    if parts[0] == "importlib":
        reading.dynamic.add("importlib")
    elif parts[-1] in DYNAMIC_ATTRIBUTES:
        reading.dynamic.add(parts[-1])
    elif parts[0] == "builtins" and len(parts) > 1 and parts[1] in DYNAMIC_BUILTINS | ATTRIBUTE_BUILTINS:
        reading.dynamic.add(dotted)


def _dotted(node: ast.AST | None) -> str | None:
    """"a.b.c" for a chain of attributes on a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def _locals(node: ast.AST) -> set[str]:
    """Names bound inside ``node`` (parameters, assignments, loop targets, local imports and
    defs), which therefore never mean a notebook global of the same name."""
    names: set[str] = set()
    for n in ast.walk(node):
        if isinstance(n, ast.arg):
            names.add(n.arg)
        elif isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            names.add(n.id)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n is not node:
            names.add(n.name)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in n.names)
    return names


def _local_imports(node: ast.AST) -> dict[str, str]:
    found: dict[str, str] = {}
    for n in ast.walk(node):
        if isinstance(n, ast.Import):
            for a in n.names:
                found[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(n, ast.ImportFrom) and n.module and not n.level:
            for a in n.names:
                found[a.asname or a.name] = f"{n.module}.{a.name}"
    return found


class Source:
    """The notebook's source as of the end of one book section: what a test's ``source``
    fixture gives, for the exercise's section."""

    def __init__(self, index: SourceIndex, section: str | None) -> None:
        self.index = index
        self.section = section

    def usage(self, name: str) -> Usage:
        """What ``name`` uses; Mismatch when the cells define no ``name`` the grader can read."""
        found = self.index.usage(name, self.section)
        if found is None:
            raise Mismatch(f"the grader cannot find `{name}` in the notebook's code cells: define it "
                           f"with `def {name}(...)` at the top level of a cell")
        return found

    def timed_loops(self, name: str) -> tuple[str, ...]:
        self.usage(name)
        return self.index.timed_loops(name, self.section)
