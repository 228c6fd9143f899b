"""The class list, from a CSV file: who the students are and the other names a file may
carry for them.

A Canvas gradebook export works as it is (columns ``Student``, ``ID``, ``SIS User ID``,
``SIS Login ID``, ``Section``); so does any CSV with a ``student_id`` (or ``id``) column and,
optionally, ``name``, ``login``, ``email``, ``section``, ``canvas_id``.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from grader.errors import UsageError

ID_COLUMNS = ("sis user id", "student_id", "student id", "id")
CANVAS_COLUMNS = ("id", "canvas_id", "canvas id", "user_id")
LOGIN_COLUMNS = ("sis login id", "login", "email", "username")
NAME_COLUMNS = ("student", "name", "student name")
SECTION_COLUMNS = ("section",)


@dataclass(frozen=True)
class RosterEntry:
    student_id: str
    name: str = ""
    section: str = ""
    canvas_id: str = ""
    login: str = ""

    def keys(self) -> set[str]:
        """Every text a file name may use for this student, normalised."""
        keys = {normalise(k) for k in (self.student_id, self.canvas_id, self.login) if k}
        if self.login and "@" in self.login:
            keys.add(normalise(self.login.split("@")[0]))
        if self.name:
            keys.add(normalise(self.name))           # "Smith, John" -> "smithjohn", as Canvas names files
        return keys - {""}

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Roster:
    entries: tuple[RosterEntry, ...]
    source: str = ""

    def lookup(self, *keys: str) -> RosterEntry | None:
        index: dict[str, RosterEntry] = {}
        for entry in self.entries:
            for key in entry.keys():
                index.setdefault(key, entry)
        for key in keys:
            found = index.get(normalise(key))
            if found is not None:
                return found
        return None

    def to_dict(self) -> dict:
        return {"source": self.source, "entries": [e.to_dict() for e in self.entries]}

    @classmethod
    def from_dict(cls, d: dict) -> "Roster":
        return cls(entries=tuple(RosterEntry(**e) for e in d.get("entries", [])), source=d.get("source", ""))


def normalise(text: str) -> str:
    return re.sub(r"[\W_]+", "", text, flags=re.UNICODE).casefold()


def load_roster(path: Path) -> Roster:
    if not path.is_file():
        raise UsageError(f"no such roster file: {path}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the roster {path}: {exc}") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise UsageError(f"the roster {path} is empty")
    header = [h.strip().casefold() for h in rows[0]]

    def column(names: tuple[str, ...], *, avoid: int | None = None) -> int | None:
        for name in names:
            if name in header and header.index(name) != avoid:
                return header.index(name)
        return None

    id_col = column(ID_COLUMNS)
    if id_col is None:
        raise UsageError(f"the roster {path} has no student id column (one of: {', '.join(ID_COLUMNS)})")
    canvas_col = column(CANVAS_COLUMNS, avoid=id_col)
    login_col, name_col, section_col = column(LOGIN_COLUMNS), column(NAME_COLUMNS), column(SECTION_COLUMNS)
    entries = []
    seen: set[str] = set()
    for number, row in enumerate(rows[1:], start=2):
        def cell(index: int | None) -> str:
            return row[index].strip() if index is not None and index < len(row) else ""
        student_id = cell(id_col) or cell(canvas_col)
        name = cell(name_col)
        if not student_id or name.strip().casefold() in ("points possible", "test student"):
            continue
        if student_id in seen:
            raise UsageError(f"the roster {path} lists student id {student_id!r} twice (line {number})")
        seen.add(student_id)
        entries.append(RosterEntry(student_id=student_id, name=name, section=cell(section_col),
                                   canvas_id=cell(canvas_col), login=cell(login_col)))
    if not entries:
        raise UsageError(f"the roster {path} lists no students")
    return Roster(entries=tuple(entries), source=str(path))
