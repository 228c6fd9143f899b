"""The assignment, as declared in ``assignments/<id>/assignment.toml``.

One loader, frozen dataclasses, and every default named here.
"""
from __future__ import annotations

import difflib
import hashlib
import importlib
import importlib.util
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any, Iterable

from grader.errors import AssignmentError, UsageError
from grader.limits import Limits, is_number
from grader.rules import TIMESTAMP, IntakeRules, LatePolicy, checked_policy, parse_deadline

__all__ = ["Assignment", "CourseEnvironment", "Exercise", "GradescopeSettings", "Handout", "IntakeRules", "LatePolicy", "Limits", "TIMESTAMP",
           "Tolerance", "load_assignment", "parse_assignment"]

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# In a checkout of the project, assignments and reference solutions sit beside the package;
# an installed package has neither (an unpacked autograder bundle brings its own).
CHECKOUT = Path(__file__).resolve().parent.parent
ASSIGNMENTS_DIR = CHECKOUT / "assignments"
REFERENCE_DIR = CHECKOUT / "reference"

KINDS = {"C": "computational", "P": "property", "F": "free response", "T": "experiment"}


@dataclass(frozen=True)
class Tolerance:
    """Closeness for float comparisons: |got - expected| <= atol + rtol * |expected|."""

    rtol: float = 1e-5
    atol: float = 1e-6
    why: str = ""

    def to_dict(self) -> dict:
        return {"rtol": self.rtol, "atol": self.atol, "why": self.why}


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    section: str
    kind: str
    points: float
    module: str = ""          # reference module, e.g. "reference.softmax"
    prompt: str = ""
    answer: str = ""          # reference answer for free-response items (graders only)
    timeout: float | None = None
    names: tuple[str, ...] = ()
    helpers: tuple[str, ...] = ()   # reference names the solution needs besides ``names``
    # Methods of the one class in ``names`` that this exercise adds, the book's way, with
    # ``@d2l.add_to_class`` to the class an earlier exercise defined (see grader/stubs.py).
    methods: tuple[str, ...] = ()
    rubric: tuple[str, ...] = ()    # free-response marking guide for graders (never shown to students)
    optional: bool = False          # extra credit: earned points count, missing ones cost nothing
    # Free response in a notebook that follows the book: the answer is the markdown of the
    # exercise's section under headings containing any of these words (case-insensitive).
    collect: tuple[str, ...] = ()

    @property
    def manual(self) -> bool:
        return self.kind == "F"

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "section": self.section, "kind": self.kind,
                "points": self.points}


@dataclass(frozen=True)
class CourseEnvironment:
    """The packages student kernels run with (``[environment]``); built by grader.kernel.environment."""

    python: str = ""
    packages: tuple[str, ...] = ()
    no_deps: tuple[str, ...] = ()

    def digest(self) -> str:
        text = "\n".join([self.python, *self.packages, "--no-deps", *self.no_deps])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Handout:
    """What students receive besides the notebook (``[handout]``): a wheel with the public
    checks, which the notebook's first cell installs."""

    package: str = ""   # the checks package's import name; "" means "<assignment id>_checks"
    url: str = ""       # where notebooks install the wheel from; "" means the file beside them

    def checked(self, assignment_id: str) -> "Handout":
        package = self.package or "".join(c if c.isalnum() else "_" for c in assignment_id) + "_checks"
        if not package.isidentifier() or package in ("grader", "d2l", "reference") or package in sys.stdlib_module_names:
            raise AssignmentError(f"[handout] package {package!r} must be a Python name of its own "
                                  "(not grader, d2l or a standard library module)")
        return replace(self, package=package)


# When Gradescope shows a test to students (its results.json "visibility").
VISIBILITIES = ("visible", "after_due_date", "after_published", "hidden")


@dataclass(frozen=True)
class GradescopeSettings:
    """How the autograder's results appear on Gradescope (``[platforms.gradescope]``): the
    visibility of public checks (students have them) and of hidden ones."""

    public: str = "visible"
    hidden: str = "after_published"

    def checked(self) -> "GradescopeSettings":
        for key, value in (("public", self.public), ("hidden", self.hidden)):
            if value not in VISIBILITIES:
                raise AssignmentError(f"[platforms.gradescope] {key} = {value!r} is not one of {', '.join(VISIBILITIES)}")
        return self


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    version: str
    root: Path
    exercises: tuple[Exercise, ...]
    tolerances: dict[str, Tolerance] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    environment: CourseEnvironment = field(default_factory=CourseEnvironment)
    seed: int = 0
    data: tuple[str, ...] = ()
    late: LatePolicy = field(default_factory=LatePolicy)
    intake: IntakeRules = field(default_factory=IntakeRules)
    handout: Handout = field(default_factory=Handout)
    gradescope: GradescopeSettings = field(default_factory=GradescopeSettings)
    variant_of: str = ""   # another assignment this one grades differently (never the default)

    @property
    def hidden_dir(self) -> Path:
        return self.root / "hidden"

    @property
    def public_dir(self) -> Path:
        return self.root / "public"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def max_score(self) -> float:
        """The points a submission can be graded out of (optional exercises are extra)."""
        return sum(e.points for e in self.exercises if not e.optional)

    def data_files(self) -> tuple[Path, ...]:
        """The data files notebooks may read, checked to exist."""
        files = tuple(self.data_dir / name for name in self.data)
        missing = [str(f) for f in files if not f.is_file()]
        if missing:
            raise AssignmentError(f"{self.id}: data files listed in assignment.toml are missing: {', '.join(missing)}")
        return files

    def test_files(self, exercises: "Iterable[str] | None", *, public_only: bool) -> list[Path]:
        """Test files to collect: all, or only the topics of the given exercises
        (``reference.<topic>`` is tested in ``test_<topic>.py``)."""
        folders = [self.public_dir] if public_only else [self.public_dir, self.hidden_dir]
        topics = {self.exercise(e).module.rpartition(".")[2] for e in exercises or ()}
        if exercises is None or "" in topics:
            return [f for f in folders if f.is_dir()]
        files = [folder / f"test_{topic}.py" for folder in folders for topic in sorted(topics)]
        return [f for f in files if f.is_file()]

    def exercise(self, exercise_id: str) -> Exercise:
        for e in self.exercises:
            if e.id == exercise_id:
                return e
        close = difflib.get_close_matches(exercise_id, [e.id for e in self.exercises], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise AssignmentError(f"{self.id} has no exercise named {exercise_id!r}{hint}")

    def tolerance(self, name: str) -> Tolerance:
        try:
            return self.tolerances[name]
        except KeyError:
            raise AssignmentError(
                f"{self.id}: no tolerance named {name!r} in assignment.toml") from None

    @property
    def reference_dir(self) -> Path:
        """The reference solutions: the assignment's own (an unpacked bundle) or the checkout's."""
        return self.root / "reference" if (self.root / "reference").is_dir() else REFERENCE_DIR

    def reference_module(self, exercise: "Exercise") -> Any:
        """The exercise's reference module. Reference solutions are not part of the installed
        package (students install the package); they are found beside the assignment (an
        unpacked autograder bundle) or in the project checkout."""
        if not exercise.module:
            raise AssignmentError(f"exercise {exercise.id!r} declares no reference module")
        folder = self.reference_dir
        try:
            _reference_package(folder)
            return importlib.import_module(exercise.module)
        except ImportError as exc:
            raise AssignmentError(f"the reference module {exercise.module} cannot be imported ({exc}); "
                                  "reference solutions stay with the instructor") from None

    def forget_imports(self) -> None:
        """Have this process import the assignment's test modules and reference solutions again,
        from their files as they are now (pytest and ``reference_module`` reuse a module already
        imported): a long-lived process grading a later batch must not keep the earlier tests."""
        folders = (self.root.resolve(), self.reference_dir.resolve())
        own = [name for name in sys.modules if name.split(".")[0] in (self.root.name, "reference")
               and _lies_in(sys.modules[name], folders)]   # never another package of that name
        for name in own:
            del sys.modules[name]

    def sections(self) -> list[str]:
        seen: list[str] = []
        for e in self.exercises:
            if e.section not in seen:
                seen.append(e.section)
        return seen


def _lies_in(module: ModuleType, folders: tuple[Path, ...]) -> bool:
    """True when the module's file and folders (a package's) are all inside ``folders``."""
    try:
        where = [getattr(module, "__file__", None), *list(getattr(module, "__path__", None) or [])]
    except Exception:   # noqa: BLE001 - a namespace package whose parent went; not ours to judge
        return False
    paths = [Path(w).resolve() for w in where if isinstance(w, str)]
    return bool(paths) and all(any(p.is_relative_to(f) for f in folders) for p in paths)


def _reference_package(folder: Path) -> ModuleType:
    """The ``reference`` package from ``folder``, imported by its path (sys.path unchanged)."""
    loaded = sys.modules.get("reference")
    if loaded is not None:
        paths = [Path(p).resolve() for p in getattr(loaded, "__path__", [])]
        if folder.resolve() in paths:
            return loaded
        raise AssignmentError(f"reference solutions from {paths[0] if paths else loaded} are already loaded; "
                              f"{folder} cannot be loaded beside them (grade one assignment per process)")
    init = folder / "__init__.py"
    if not init.is_file():
        raise ImportError(f"no reference solutions at {folder}")
    spec = importlib.util.spec_from_file_location("reference", init, submodule_search_locations=[str(folder)])
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["reference"] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules["reference"]
        raise
    return module


def list_assignments(base: Path = ASSIGNMENTS_DIR) -> list[str]:
    return sorted(p.parent.name for p in base.glob("*/assignment.toml"))


def load_assignment(assignment_id: str | None = None, *, base: Path = ASSIGNMENTS_DIR) -> Assignment:
    """Load an assignment by id, or from its folder (a path, e.g. an unpacked autograder
    bundle's ``hw1/``); with no id, the only one installed that is not a variant of another
    (``variant_of`` in its ``[assignment]``, e.g. hw1-book of hw1)."""
    if assignment_id is not None and ("/" in assignment_id or assignment_id.startswith(".")):
        folder = Path(assignment_id)
        if not (folder / "assignment.toml").is_file():
            raise UsageError(f"{folder} holds no assignment.toml; give an assignment id or an assignment's folder")
        return parse_assignment(folder / "assignment.toml")
    available = list_assignments(base)
    if assignment_id is None:
        principal = [a for a in available if not _variant_of(base / a / "assignment.toml")]
        if len(principal) != 1:
            raise UsageError(
                f"several assignments are installed ({', '.join(available)}); pick one with --assignment"
                if available else f"no assignments found under {base}")
        assignment_id = principal[0]
    path = base / assignment_id / "assignment.toml"
    if not path.is_file():
        hint = f" (installed: {', '.join(available)})" if available else ""
        raise UsageError(f"unknown assignment {assignment_id!r}{hint}")
    return parse_assignment(path)


def _variant_of(path: Path) -> str:
    return str(_read_toml(path).get("assignment", {}).get("variant_of", ""))


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise AssignmentError(f"{path}: {exc}") from None


def parse_assignment(path: Path) -> Assignment:
    """Read assignment.toml plus ``exercises/*.toml`` beside it (one file per book section)."""
    raw = _read_toml(path)
    raw.setdefault("exercises", [])
    raw.setdefault("tolerances", {})
    for part in sorted((path.parent / "exercises").glob("*.toml")):
        extra = _read_toml(part)
        raw["exercises"] += extra.get("exercises", [])
        for name, tol in extra.get("tolerances", {}).items():
            if name in raw["tolerances"] and raw["tolerances"][name] != tol:
                raise AssignmentError(f"{part}: tolerance {name!r} is declared twice, differently")
            raw["tolerances"][name] = tol
    meta = raw.get("assignment", {})
    try:
        exercises = tuple(_exercise(e) for e in raw.get("exercises", []))
        tolerances = {name: Tolerance(**t) for name, t in raw.get("tolerances", {}).items()}
        limits = Limits(**raw.get("limits", {}))
        env_raw = raw.get("environment", {})
        environment = CourseEnvironment(python=env_raw.get("python", ""),
                                  packages=tuple(env_raw.get("packages", [])),
                                  no_deps=tuple(env_raw.get("no_deps", [])))
        late_raw = dict(raw.get("late", {}))
        late_raw["deadline"] = parse_deadline(late_raw.get("deadline"))
        late = checked_policy(LatePolicy(**late_raw))
        intake_raw = raw.get("intake", {})
        intake = IntakeRules(**{k: tuple(v) for k, v in intake_raw.items()})
        intake.compiled()
        handout = Handout(**raw.get("handout", {})).checked(str(meta.get("id", path.parent.name)))
        gradescope = _gradescope(raw.get("platforms", {}))
    except (TypeError, UsageError, AssignmentError) as exc:
        raise AssignmentError(f"{path}: {exc}") from None
    ids = [e.id for e in exercises]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise AssignmentError(f"{path}: exercise ids used twice: {', '.join(duplicates)}")
    return Assignment(
        id=meta.get("id", path.parent.name), title=meta.get("title", path.parent.name),
        version=str(meta.get("version", "1")), root=path.parent, exercises=exercises,
        tolerances=tolerances, limits=limits, environment=environment,
        seed=int(meta.get("seed", 0)), data=tuple(meta.get("data", [])), late=late, intake=intake,
        handout=handout, gradescope=gradescope, variant_of=str(meta.get("variant_of", "")))


def _gradescope(platforms: Any) -> GradescopeSettings:
    """``[platforms.gradescope]``, checked (the only platform with settings of its own)."""
    table = platforms.get("gradescope", {}) if isinstance(platforms, dict) else None
    if not isinstance(table, dict) or set(platforms) - {"gradescope"}:
        raise AssignmentError("[platforms] may hold only a [platforms.gradescope] table")
    unknown = sorted(set(table) - {"public", "hidden"})
    if unknown:
        raise AssignmentError(f"[platforms.gradescope] has no setting {', '.join(unknown)} (only public and hidden)")
    return GradescopeSettings(**table).checked()


def _timeout(raw: dict) -> float | None:
    value = raw.get("timeout")
    if value is None or (is_number(value) and value > 0):
        return value
    raise AssignmentError(f"exercise {raw.get('id')!r}: timeout must be a number of seconds more than 0 (got {value!r})")


def _exercise(raw: dict) -> Exercise:
    if not isinstance(raw, dict) or not raw.get("id"):
        raise AssignmentError(f"an exercise has no id: {str(raw)[:120]}")
    kind = raw.get("kind", "C")
    if kind not in KINDS:
        raise AssignmentError(f"exercise {raw.get('id')!r}: kind must be one of {', '.join(KINDS)}")
    return Exercise(
        id=raw["id"], title=raw.get("title", raw["id"]), section=str(raw.get("section", "")),
        kind=kind, points=float(raw.get("points", 0)), module=raw.get("module", ""),
        prompt=raw.get("prompt", ""), answer=raw.get("answer", ""), timeout=_timeout(raw),
        names=tuple(raw.get("names", [])), helpers=tuple(raw.get("helpers", [])),
        methods=tuple(raw.get("methods", [])),
        rubric=_rubric(raw.get("rubric", ())), optional=bool(raw.get("optional", False)),
        collect=tuple(str(w).lower() for w in raw.get("collect", ())))


def _rubric(value: Any) -> tuple[str, ...]:
    """A rubric is one text or a list of criteria."""
    if isinstance(value, str):
        return (value.strip(),) if value.strip() else ()
    return tuple(str(v).strip() for v in value)
