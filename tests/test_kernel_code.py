"""Kernel code is public and never judges.

This is the test that fails if any hidden test's verdict depends on a value computed by
code running in the kernel other than the student's function itself. Code a test sends
into the kernel (``student.run``) comes only from ``grader.bookcode``, which ships with the
students' checks, and every such snippet only drives the student's code and sends data
back: it reads no clock, inspects no memory addresses, storages or versions, patches no
module or library class, asserts nothing and returns no comparison. The notebook runs in
that same kernel and could patch whatever the snippet measured with, so a snippet that
measured, watched or compared would hand the verdict to the student. The three snippets
that once did are kept below as test data; the lint must reject each of them.
"""
from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import grader.bookcode
from grader.assignment import load_assignment

ASSIGNMENT = load_assignment("hw1")
TEST_FILES = sorted([*ASSIGNMENT.hidden_dir.glob("test_*.py"), *ASSIGNMENT.public_dir.glob("test_*.py")])
MODULES = [grader.bookcode] + [importlib.import_module(f"grader.bookcode.{m.name}")
                               for m in pkgutil.iter_modules(grader.bookcode.__path__)]

CLOCK_MODULES = {"time", "timeit", "datetime"}
CLOCK_NAMES = {"perf_counter", "perf_counter_ns", "monotonic", "monotonic_ns", "process_time",
               "process_time_ns", "time_ns", "default_timer", "thread_time"}
INTROSPECTION = {"data_ptr", "storage", "untyped_storage", "_storage", "storage_offset", "_version",
                 "_cdata", "_base", "getrefcount", "get_referrers", "__code__"}
COMPARISON_CALLS = {"equal", "allclose", "isclose", "array_equal", "assert_close", "assert_allclose"}
# A stand-in that records what the student's code passes to a library function: what it records
# comes back as data and is compared in the grader; a notebook that bypasses it only loses the test.
RECORDERS = {"CAPTURE_SHOW_IMAGES": {"d2l.show_images"}}


# ------------------------------------------------------------------ the lint

def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return ".".join([node.id, *reversed(parts)]) if isinstance(node, ast.Name) else None


def _judging(node: ast.AST) -> list[ast.AST]:
    """Comparisons (and comparison calls) whose result is part of ``node``'s value; the test
    of a conditional expression and a comprehension's filter only choose what is sent."""
    found, todo = [], [node]
    while todo:
        n = todo.pop()
        if isinstance(n, ast.Compare):
            found.append(n)
        elif isinstance(n, ast.Call) and (_dotted(n.func) or "").split(".")[-1] in COMPARISON_CALLS:
            found.append(n)
        if isinstance(n, ast.IfExp):
            todo += [n.body, n.orelse]
            continue
        if isinstance(n, ast.comprehension):
            todo += [n.target, n.iter]
            continue
        todo.extend(ast.iter_child_nodes(n))
    return found


def lint(code: str, *, recorders: set[str] = frozenset()) -> list[str]:
    """What makes ``code`` more than a driver of the student's code (empty when nothing does)."""
    tree = ast.parse(code)
    problems: list[str] = []
    imported = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Import):
            imported |= {(a.asname or a.name).split(".")[0] for a in n.names}
            problems += [f"reads a clock (imports {a.name})" for a in n.names if a.name.split(".")[0] in CLOCK_MODULES]
        elif isinstance(n, ast.ImportFrom) and n.module:
            imported |= {a.asname or a.name for a in n.names}
            if n.module.split(".")[0] in CLOCK_MODULES:
                problems.append(f"reads a clock (imports from {n.module})")
        elif isinstance(n, (ast.Attribute, ast.Name)):
            name = n.attr if isinstance(n, ast.Attribute) else n.id
            if name in CLOCK_NAMES:
                problems.append(f"reads a clock ({name})")
            if name in INTROSPECTION:
                problems.append(f"inspects memory or versions ({name})")
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in ("id", "setattr", "delattr"):
            problems.append("inspects object identity (id)" if n.func.id == "id" else f"patches with {n.func.id}()")
        elif isinstance(n, ast.Assert):
            problems.append("asserts")
        if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = n.targets if isinstance(n, (ast.Assign, ast.Delete)) else [n.target]
            for target in (t for tt in targets for t in ast.walk(tt)):
                dotted = _dotted(target) if isinstance(target, ast.Attribute) else None
                if dotted and dotted.split(".")[0] in imported and dotted not in recorders:
                    problems.append(f"patches {dotted}")
    # Names that hold a comparison's result, and the value the snippet sends back.
    holding = {t.id for n in ast.walk(tree) if isinstance(n, ast.Assign) and _judging(n.value)
               for target in n.targets for t in ast.walk(target) if isinstance(t, ast.Name)}
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        value = tree.body[-1].value
        if _judging(value):
            problems.append("returns a comparison")
        used = {n.id for n in ast.walk(value) if isinstance(n, ast.Name)} & holding
        problems += [f"returns a comparison (through {name})" for name in sorted(used)]
    return problems


# ------------------------------------------------------------------ which code is sent

def _snippets() -> dict[str, str]:
    """Every bookcode string that parses as Python (messages and format templates do not), and
    what the builders make for the arguments the tests pass them."""
    found = {}
    for module in MODULES:
        for name, value in vars(module).items():
            if isinstance(value, str) and name.lstrip("_").isupper():
                try:
                    ast.parse(value)
                except SyntaxError:
                    continue
                found[f"{module.__name__}.{name}"] = value
    for (builder, args), code in _built().items():
        found[f"{builder}{args!r}"] = code
    return found


def _bookcode_names(tree: ast.Module) -> tuple[dict[str, object], set[str]]:
    """Names a test file imports from grader.bookcode (name -> object), and bookcode modules
    it imports under a name."""
    names, modules = {}, set()
    for n in ast.walk(tree):
        if isinstance(n, ast.ImportFrom) and n.module and n.module.startswith("grader.bookcode"):
            module = importlib.import_module(n.module)
            for a in n.names:
                if inspect.ismodule(getattr(module, a.name, None)):
                    modules.add(a.asname or a.name)
                else:
                    names[a.asname or a.name] = getattr(module, a.name)
        elif isinstance(n, ast.ImportFrom) and n.module == "grader":
            modules |= {a.asname or a.name for a in n.names if a.name == "bookcode"}
    return names, modules


def _code_arguments(tree: ast.Module) -> list[tuple[int, ast.expr]]:
    """The code argument of every ``student.run(...)`` and of bookcode helpers that take one."""
    takes_code = {name: list(inspect.signature(obj).parameters).index("code")
                  for module in MODULES for name, obj in vars(module).items()
                  if inspect.isfunction(obj) and "code" in inspect.signature(obj).parameters}
    found = []
    for n in ast.walk(tree):
        if not isinstance(n, ast.Call):
            continue
        if isinstance(n.func, ast.Attribute) and n.func.attr == "run" and _dotted(n.func.value) == "student":
            position = 0
        elif isinstance(n.func, ast.Name) and n.func.id in takes_code:
            position = takes_code[n.func.id]
        else:
            continue
        given = n.args[position] if len(n.args) > position else next(
            (k.value for k in n.keywords if k.arg == "code"), None)
        found.append((n.lineno, given))
    return found


def _built() -> dict[tuple[str, tuple], str]:
    """Builder calls in the tests, with their literal arguments, and the code they make."""
    made = {}
    for path in TEST_FILES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names, _ = _bookcode_names(tree)
        for _, given in _code_arguments(tree):
            if isinstance(given, ast.Call) and isinstance(given.func, ast.Name) and given.func.id in names:
                args = tuple(ast.literal_eval(a) for a in given.args)
                made[given.func.id, args] = names[given.func.id](*args)
    return made


# ------------------------------------------------------------------ the tests

@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_kernel_code_in_tests_comes_from_bookcode(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names, modules = _bookcode_names(tree)
    offenders = []
    for line, given in _code_arguments(tree):
        if isinstance(given, ast.Name) and given.id in names and isinstance(names[given.id], str):
            continue
        if isinstance(given, ast.Attribute) and (_dotted(given) or "").split(".")[0] in modules:
            continue
        if isinstance(given, ast.Call) and isinstance(given.func, ast.Name) and callable(names.get(given.func.id)):
            continue
        offenders.append(f"line {line}: {ast.unparse(given) if given is not None else 'no code'}")
    assert offenders == [], f"{path.name} sends code that is not a grader.bookcode name"


def test_every_test_file_that_runs_code_was_scanned():
    runs = [p.name for p in TEST_FILES if "student.run(" in p.read_text(encoding="utf-8")]
    assert len(runs) >= 20


@pytest.mark.parametrize("name,code", sorted(_snippets().items()), ids=sorted(_snippets()))
def test_bookcode_snippets_only_drive_the_students_code(name, code):
    recorders = RECORDERS.get(name.rsplit(".", 1)[-1], set())
    assert lint(code, recorders=recorders) == []


def test_bookcode_helpers_send_only_bookcode_constants():
    for module in MODULES:
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        constants = {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
        for line, given in _code_arguments(tree):
            assert isinstance(given, ast.Name) and (given.id in constants or given.id == "code"), \
                f"{module.__name__} line {line} sends {ast.unparse(given)}"


# ------------------------------------------------------------------ the old in-kernel verdicts

OLD_TIMING = """
import time
import torch
n = 10000
a, b = torch.ones(n), torch.ones(n)
t0 = time.perf_counter()
add_loop(a, b)
loop = time.perf_counter() - t0
vectorized = float("inf")
for _ in range(5):
    t0 = time.perf_counter()
    add_vectorized(a, b)
    vectorized = min(vectorized, time.perf_counter() - t0)
(loop, vectorized)
"""

OLD_ADD_INTO_POINTER = "Z.data_ptr()"

OLD_WATCH_CODE = """
import torch
_owners = {"torch": torch, "torch.linalg": torch.linalg, "Tensor": torch.Tensor}
_used, _saved, _inside = [], [], []

def _wrap(original, label):
    def note():
        if not _inside and label not in _used:
            _used.append(label)
    if callable(original):
        def spy(*args, **kwargs):
            note()
            _inside.append(label)
            try:
                return original(*args, **kwargs)
            finally:
                _inside.pop()
        return spy
    return property(lambda self: (note(), original.__get__(self, type(self)))[1])

try:
    for _owner, _name, _label in watch:
        _where = _owners[_owner]
        if not hasattr(_where, _name):
            continue
        _had = _name in vars(_where)
        _original = vars(_where)[_name] if _had else getattr(_where, _name)
        _saved.append((_where, _name, _had, _original))
        setattr(_where, _name, _wrap(_original, _label))
    _result = transpose(*args)
finally:
    for _where, _name, _had, _original in reversed(_saved):
        if _had:
            setattr(_where, _name, _original)
        else:
            delattr(_where, _name)
(_result, _used)
"""

OLD_NO_COS = """
import math, numpy, torch
def _no_cos(*args, **kwargs):
    raise RuntimeError('sin_derivative must get the derivative from autograd, not from cos')
_saved = (torch.cos, math.cos, numpy.cos, vars(torch.Tensor).get('cos'))
torch.cos = torch.Tensor.cos = math.cos = numpy.cos = _no_cos
try:
    _g = sin_derivative(x)
finally:
    torch.cos, math.cos, numpy.cos = _saved[:3]
_g
"""

OLD_UNTOUCHED = ("import torch\nx = x0.clone()\nfirst = backward_twice(x)\nsecond = backward_twice(x)\n"
                 "(first, second, x.grad is None and not x.requires_grad and torch.equal(x, x0))")


@pytest.mark.parametrize("code,reason", [
    (OLD_TIMING, "reads a clock (imports time)"),
    (OLD_ADD_INTO_POINTER, "inspects memory or versions (data_ptr)"),
    (OLD_WATCH_CODE, "patches with setattr()"),
    (OLD_NO_COS, "patches torch.cos"),
    (OLD_UNTOUCHED, "returns a comparison"),
], ids=["timing", "data_ptr", "watch", "no_cos", "untouched"])
def test_the_lint_rejects_the_old_in_kernel_verdicts(code, reason):
    assert reason in lint(code)


def test_the_lint_accepts_a_plain_driver():
    assert lint("import torch\nx = x0.clone().requires_grad_(True)\nf(x).sum().backward()\nx.grad") == []


def test_a_comparison_that_only_chooses_what_is_sent_is_allowed():
    assert lint("[None if m.bias is None else m.bias.shape for m in layers if m is not None]") == []
    assert lint("same = a is b\n(a, same)") == ["returns a comparison (through same)"]
