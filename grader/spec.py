"""The assignment, as declared in ``assignments/<id>/assignment.toml``.

One loader, frozen dataclasses, and every default named here.
"""
from __future__ import annotations

import difflib
import hashlib
import math
import re
import sys
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Iterable

from grader.errors import AssignmentError, UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENTS_DIR = PROJECT_ROOT / "assignments"

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
class Limits:
    """What one submission may use. Times in seconds, sizes in MB."""

    cell_timeout: float = 120.0
    notebook_timeout: float = 600.0
    call_timeout: float = 20.0
    memory_mb: int = 4096
    cpu_seconds: int = 1200
    processes: int = 256
    file_size_mb: int = 256
    open_files: int = 1024
    scratch_mb: int = 1024
    output_kb: int = 256
    notebook_mb: int = 50
    reply_mb: int = 64
    kernel_restarts: int = 2

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    def with_overrides(self, **changes: Any) -> "Limits":
        known = {k: v for k, v in changes.items() if v is not None}
        unknown = set(known) - set(self.__dict__)
        if unknown:
            raise UsageError(f"unknown limit(s): {', '.join(sorted(unknown))}")
        return replace(self, **known)


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
    rubric: tuple[str, ...] = ()    # free-response marking guide for graders (never shown to students)

    @property
    def manual(self) -> bool:
        return self.kind == "F"

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "section": self.section, "kind": self.kind,
                "points": self.points}


@dataclass(frozen=True)
class Environment:
    """The packages student kernels run with."""

    python: str = ""
    packages: tuple[str, ...] = ()
    no_deps: tuple[str, ...] = ()

    def digest(self) -> str:
        text = "\n".join([self.python, *self.packages, "--no-deps", *self.no_deps])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


# A timestamp in a file name: 2026-04-01T23-59-00, 2026-04-01 23:59, 20260401-2359, ...
TIMESTAMP = (r"(?<!\d)\d{4}-?\d{2}-?\d{2}[T _-]\d{2}[-:.h]?\d{2}(?:[-:.m]?\d{2})?(?!\d)")

# Where student ids come from, tried in order against the path of a notebook relative to the
# folder or zip it was found in (no ``.ipynb``): Canvas and Moodle bulk downloads, a folder per
# student, then a plain ``studentid.ipynb`` (optionally with a timestamp after an underscore).
DEFAULT_ID_PATTERNS = (
    r"(?:.*/)?(?P<name>[^/_]+)(?:_late)?_(?P<student>\d+)_(?P<attempt>\d+)_[^/]+",
    r"(?:.*/)?(?P<name>[^/_]+)_(?P<student>\d+)_assignsubmission_file_/.+",
    r"(?P<student>[^/]+)/.+",
    rf"(?P<student>[\w.-]+?)(?:[_ -]+(?P<timestamp>{TIMESTAMP}))?",
)


@dataclass(frozen=True)
class IntakeRules:
    """How files become students: id patterns (regular expressions with a ``student`` group
    and an optional ``timestamp`` group), tried in order."""

    id_patterns: tuple[str, ...] = DEFAULT_ID_PATTERNS

    def compiled(self) -> tuple[re.Pattern, ...]:
        out = []
        for text in self.id_patterns:
            try:
                pattern = re.compile(text, re.IGNORECASE)
            except re.error as exc:
                raise UsageError(f"id pattern {text!r} is not a regular expression: {exc}") from None
            if "student" not in pattern.groupindex:
                raise UsageError(f"id pattern {text!r} has no (?P<student>...) group")
            out.append(pattern)
        return tuple(out)

    def to_dict(self) -> dict:
        return {"id_patterns": list(self.id_patterns)}


@dataclass(frozen=True)
class LatePolicy:
    """Deadline and late penalty: after the deadline plus the grace period, each day or part of
    a day late costs ``percent_per_day`` of the total, up to ``max_percent``. No deadline: no
    penalty."""

    deadline: datetime | None = None
    grace_minutes: float = 0.0
    percent_per_day: float = 10.0
    max_percent: float = 100.0

    def days_late(self, submitted: datetime) -> int:
        if self.deadline is None:
            return 0
        late = submitted - self.deadline - timedelta(minutes=self.grace_minutes)
        if late <= timedelta(0):
            return 0
        return math.ceil(late / timedelta(days=1))

    def penalty_percent(self, days_late: int) -> float:
        return min(self.max_percent, days_late * self.percent_per_day)

    def with_overrides(self, **changes: Any) -> "LatePolicy":
        known = {k: v for k, v in changes.items() if v is not None}
        if isinstance(known.get("deadline"), str):
            known["deadline"] = parse_deadline(known["deadline"])
        return _checked_policy(replace(self, **known))

    def to_dict(self) -> dict:
        return {"deadline": self.deadline.isoformat() if self.deadline else None,
                "grace_minutes": self.grace_minutes, "percent_per_day": self.percent_per_day,
                "max_percent": self.max_percent}

    @classmethod
    def from_dict(cls, d: dict) -> "LatePolicy":
        return cls(deadline=parse_deadline(d["deadline"]) if d.get("deadline") else None,
                   grace_minutes=float(d.get("grace_minutes", 0.0)),
                   percent_per_day=float(d.get("percent_per_day", 10.0)),
                   max_percent=float(d.get("max_percent", 100.0)))


def parse_deadline(value: Any) -> datetime | None:
    """An ISO 8601 date-time (a TOML date-time or a string); without a UTC offset it is in this
    machine's local time. A bare date means the end of that day."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day, 23, 59, 59)
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise UsageError(f"deadline {value!r} is not an ISO 8601 date-time such as "
                             "2026-04-10T23:59:00+09:00") from None
        if len(str(value).strip()) == 10:
            moment = moment.replace(hour=23, minute=59, second=59)
    return moment if moment.tzinfo else moment.astimezone()


def _checked_policy(policy: LatePolicy) -> LatePolicy:
    for name in ("grace_minutes", "percent_per_day", "max_percent"):
        if getattr(policy, name) < 0:
            raise UsageError(f"late policy: {name} must not be negative")
    if policy.max_percent > 100:
        raise UsageError("late policy: max_percent cannot exceed 100")
    return replace(policy, grace_minutes=float(policy.grace_minutes),
                   percent_per_day=float(policy.percent_per_day), max_percent=float(policy.max_percent))


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    version: str
    root: Path
    exercises: tuple[Exercise, ...]
    tolerances: dict[str, Tolerance] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    environment: Environment = field(default_factory=Environment)
    seed: int = 0
    data: tuple[str, ...] = ()
    late: LatePolicy = field(default_factory=LatePolicy)
    intake: IntakeRules = field(default_factory=IntakeRules)

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
        return sum(e.points for e in self.exercises)

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

    def reference_module(self, exercise: "Exercise") -> Any:
        """The exercise's reference module. Reference solutions are not part of the installed
        package (students install the package); they are found beside the assignment (an
        unpacked autograder bundle) or in the project checkout."""
        import importlib
        if not exercise.module:
            raise AssignmentError(f"exercise {exercise.id!r} declares no reference module")
        root = self.root if (self.root / "reference").is_dir() else PROJECT_ROOT
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))
        try:
            return importlib.import_module(exercise.module)
        except ImportError as exc:
            raise AssignmentError(f"the reference module {exercise.module} cannot be imported ({exc}); "
                                  "reference solutions stay with the instructor") from None

    def sections(self) -> list[str]:
        seen: list[str] = []
        for e in self.exercises:
            if e.section not in seen:
                seen.append(e.section)
        return seen


def list_assignments(base: Path = ASSIGNMENTS_DIR) -> list[str]:
    return sorted(p.parent.name for p in base.glob("*/assignment.toml"))


def load_assignment(assignment_id: str | None = None, *, base: Path = ASSIGNMENTS_DIR) -> Assignment:
    """Load an assignment by id; with no id, the only one installed."""
    available = list_assignments(base)
    if assignment_id is None:
        if len(available) != 1:
            raise UsageError(
                f"several assignments are installed ({', '.join(available)}); pick one with --assignment"
                if available else f"no assignments found under {base}")
        assignment_id = available[0]
    path = base / assignment_id / "assignment.toml"
    if not path.is_file():
        hint = f" (installed: {', '.join(available)})" if available else ""
        raise UsageError(f"unknown assignment {assignment_id!r}{hint}")
    return parse_assignment(path)


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
        environment = Environment(python=env_raw.get("python", ""),
                                  packages=tuple(env_raw.get("packages", [])),
                                  no_deps=tuple(env_raw.get("no_deps", [])))
        late_raw = dict(raw.get("late", {}))
        late_raw["deadline"] = parse_deadline(late_raw.get("deadline"))
        late = _checked_policy(LatePolicy(**late_raw))
        intake_raw = raw.get("intake", {})
        intake = IntakeRules(**{k: tuple(v) for k, v in intake_raw.items()})
        intake.compiled()
    except (TypeError, UsageError) as exc:
        raise AssignmentError(f"{path}: {exc}") from None
    ids = [e.id for e in exercises]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise AssignmentError(f"{path}: exercise ids used twice: {', '.join(duplicates)}")
    return Assignment(
        id=meta.get("id", path.parent.name), title=meta.get("title", path.parent.name),
        version=str(meta.get("version", "1")), root=path.parent, exercises=exercises,
        tolerances=tolerances, limits=limits, environment=environment,
        seed=int(meta.get("seed", 0)), data=tuple(meta.get("data", [])), late=late, intake=intake)


def _exercise(raw: dict) -> Exercise:
    kind = raw.get("kind", "C")
    if kind not in KINDS:
        raise AssignmentError(f"exercise {raw.get('id')!r}: kind must be one of {', '.join(KINDS)}")
    return Exercise(
        id=raw["id"], title=raw.get("title", raw["id"]), section=str(raw.get("section", "")),
        kind=kind, points=float(raw.get("points", 0)), module=raw.get("module", ""),
        prompt=raw.get("prompt", ""), answer=raw.get("answer", ""), timeout=raw.get("timeout"),
        names=tuple(raw.get("names", [])), helpers=tuple(raw.get("helpers", [])),
        rubric=_rubric(raw.get("rubric", ())))


def _rubric(value: Any) -> tuple[str, ...]:
    """A rubric is one text or a list of criteria."""
    if isinstance(value, str):
        return (value.strip(),) if value.strip() else ()
    return tuple(str(v).strip() for v in value)
