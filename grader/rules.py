"""Rules an assignment declares for the grading day: how files become students (intake id
patterns) and what lateness costs (the late policy)."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from grader.errors import UsageError


# A timestamp in a file name: 2026-04-01T23-59-00, 2026-04-01 23:59, 20260401-2359, ...
TIMESTAMP = (r"(?<!\d)\d{4}-?\d{2}-?\d{2}[T _-]\d{2}[-:.h]?\d{2}(?:[-:.m]?\d{2})?(?!\d)")

# Where student ids come from, tried in order against the path of a notebook relative to the
# folder or zip it was found in (no ``.ipynb``): Canvas and Moodle bulk downloads, a folder per
# student, then a plain ``studentid.ipynb`` (optionally with a timestamp after an underscore).
# A ``late`` group that matches means the platform marked the file late (Canvas writes
# ``kimann_LATE_12345_67890_hw1.ipynb``).
DEFAULT_ID_PATTERNS = (
    r"(?:.*/)?(?P<name>[^/_]+)(?P<late>_late)?_(?P<student>\d+)_(?P<attempt>\d+)_[^/]+",
    r"(?:.*/)?(?P<name>[^/_]+)_(?P<student>\d+)_assignsubmission_file_/.+",
    r"(?P<student>[^/]+)/.+",
    rf"(?P<student>[\w.-]+?)(?:[_ -]+(?P<timestamp>{TIMESTAMP}))?",
)


@dataclass(frozen=True)
class IntakeRules:
    """How files become students: id patterns (regular expressions with a ``student`` group
    and optional ``timestamp`` and ``late`` groups), tried in order."""

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
        return checked_policy(replace(self, **known))

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


def checked_policy(policy: LatePolicy) -> LatePolicy:
    for name in ("grace_minutes", "percent_per_day", "max_percent"):
        if getattr(policy, name) < 0:
            raise UsageError(f"late policy: {name} must not be negative")
    if policy.max_percent > 100:
        raise UsageError("late policy: max_percent cannot exceed 100")
    return replace(policy, grace_minutes=float(policy.grace_minutes),
                   percent_per_day=float(policy.percent_per_day), max_percent=float(policy.max_percent))
