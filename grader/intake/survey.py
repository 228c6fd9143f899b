"""From what a course platform hands out to attempts to grade: which files, whose, and when.

``survey`` finds the notebooks in folders (nested per-student folders included), single
files and zip files (bulk downloads), refusing unsafe or non-notebook zip members with a
reason. ``admit`` extracts the zip members into a scratch folder, hashes every file, and
names its student with the id patterns (and the roster, when there is one). A file no
pattern or roster entry claims is kept, under a name made from its path, and listed as
unmatched. Whose attempt counts is the gradebook's business (the newest per student).
"""
from __future__ import annotations

import hashlib
import re
import shutil
import stat
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import NamedTuple

from grader.assignment import TIMESTAMP
from grader.errors import UsageError
from grader.intake.archive import Refusal, ZipLimits, ZipMember, extract_member, survey_zip
from grader.intake.names import SKIP_DIRS, safe_id
from grader.intake.roster import Roster
from grader.text import valid_text

TIMESTAMP_RE = re.compile(TIMESTAMP)
RENAMED = "renamed"   # below the scratch folder: copies of files whose names are not UTF-8
STAMP_YEARS = (1980, 2999)   # a time stamp in a file name outside these years is not a hand-in time


@dataclass(frozen=True)
class Source:
    """One notebook offered for grading, not yet read."""

    origin: str                   # how the instructor knows it: "hw1.zip:kim_123_456_hw1.ipynb", "subs/alice/hw1.ipynb"
    relative: str                 # its path below the folder or zip it came in, '/'-separated
    # (both as valid text: a name that is not UTF-8 shows U+FFFD; ``path`` opens the file)
    path: Path | None = None      # a file on disk
    member: ZipMember | None = None

    def to_dict(self) -> dict:
        return {"origin": self.origin, "relative": self.relative}


@dataclass(frozen=True)
class Survey:
    sources: tuple[Source, ...]
    refused: tuple[Refusal, ...] = ()


@dataclass(frozen=True)
class Attempt:
    """A notebook on disk, attributed to a student, with the time it was handed in."""

    student: str
    matched: bool                 # False: no id pattern (or roster entry) claimed the file
    origin: str
    path: Path
    content_hash: str             # sha256 of the file's bytes
    submitted_at: datetime        # aware
    time_source: str              # "name" (a time stamp in the file name) or "file" (its modification time)
    note: str = ""                # why it is unmatched
    marked_late: bool = False     # the platform marked the file late (an id pattern's ``late`` group)

    def to_dict(self) -> dict:
        return {"student": self.student, "matched": self.matched, "origin": self.origin,
                "path": str(self.path), "content_hash": self.content_hash,
                "submitted_at": self.submitted_at.isoformat(), "time_source": self.time_source,
                "note": self.note, "marked_late": self.marked_late}


class Identity(NamedTuple):
    """Whose a notebook is, as its path says."""

    student: str
    matched: bool
    stamp: str | None             # a time stamp in the file name
    note: str                     # why it is unmatched
    marked_late: bool = False


@dataclass(frozen=True)
class Intake:
    attempts: tuple[Attempt, ...]
    refused: tuple[Refusal, ...] = field(default_factory=tuple)

    @property
    def unmatched(self) -> tuple[Attempt, ...]:
        return tuple(a for a in self.attempts if not a.matched)


def survey(paths: list[Path], *, limits: ZipLimits) -> Survey:
    """Every notebook named, below a named folder, or inside a named zip file."""
    sources: list[Source] = []
    refused: list[Refusal] = []
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"no such file or folder: {path}")
        if path.is_dir():
            for candidate in sorted(path.rglob("*.ipynb")):
                relative = candidate.relative_to(path)
                if any(part in SKIP_DIRS for part in relative.parts):
                    continue
                sources.append(Source(origin=valid_text(str(path / relative)),
                                      relative=valid_text(relative.as_posix()), path=candidate.absolute()))
        elif path.suffix.lower() == ".zip":
            members, refusals = survey_zip(path, limits)
            refused += refusals
            wrapper = _wrapper_folder([m.relative for m in members])
            sources += [Source(origin=m.origin, relative=m.relative[len(wrapper):], member=m) for m in members]
        else:
            sources.append(Source(origin=valid_text(str(path)), relative=valid_text(path.name), path=path.absolute()))
    unique = list({(s.path or s.origin): s for s in sources}.values())
    if not unique:
        raise UsageError(f"no notebooks (*.ipynb) found in {', '.join(str(p) for p in paths)}")
    return Survey(sources=tuple(unique), refused=tuple(refused))


def _wrapper_folder(relatives: list[str]) -> str:
    """'bulk/' when several members all sit in one top folder: a zip of a folder of
    submissions. A zip of a single notebook in a folder is that student's folder."""
    tops = {r.split("/", 1)[0] for r in relatives}
    if len(relatives) > 1 and len(tops) == 1 and all("/" in r for r in relatives):
        return tops.pop() + "/"
    return ""


def admit(found: Survey, *, patterns: tuple[re.Pattern, ...], scratch: Path, limits: ZipLimits,
          roster: Roster | None = None, timezone: tzinfo | None = None) -> Intake:
    """Bring zip members onto disk below ``scratch`` (emptied first) and attribute every file.

    Naive times (in file names and zip members) are read in ``timezone``, the deadline's,
    or this machine's local time when there is none."""
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    attempts: list[Attempt] = []
    refused = list(found.refused)
    archive_dirs: dict[Path, Path] = {}
    for source in found.sources:
        if source.member is not None:
            member = source.member
            folder = archive_dirs.setdefault(member.archive, scratch / f"{len(archive_dirs) + 1:02d}-"
                                             f"{safe_id(member.archive.stem)}")
            try:
                path = extract_member(member, folder, limits)
            except ValueError as exc:
                refused.append(Refusal(source.origin, str(exc)))
                continue
            file_time = _aware(member.modified, timezone)
        else:
            assert source.path is not None
            path = source.path
            try:
                file_time = datetime.fromtimestamp(path.lstat().st_mtime).astimezone(timezone)
                kind = path.stat().st_mode   # what a link names
            except OSError as exc:
                refused.append(Refusal(source.origin, f"cannot be read ({exc.strerror})"))
                continue
            except (OverflowError, ValueError):
                refused.append(Refusal(source.origin, "has a modification time no date can hold; "
                                       "touch the file (or copy it) and grade again"))
                continue
            if not stat.S_ISREG(kind):   # reading a named pipe would wait for ever
                refused.append(Refusal(source.origin, "is not a file (a folder, a named pipe or a device)"))
                continue
            if valid_text(str(path)) != str(path):
                try:
                    path = _copy_under_valid_name(path, scratch / RENAMED, taken=len(attempts))
                except OSError as exc:
                    refused.append(Refusal(source.origin, f"cannot be copied ({exc.strerror})"))
                    continue
        who = identify(source.relative, patterns=patterns, roster=roster)
        named_time = parse_timestamp(who.stamp, timezone) if who.stamp else None
        attempts.append(Attempt(student=who.student, matched=who.matched, origin=source.origin, path=path,
                                content_hash=_hash(path), submitted_at=named_time or file_time,
                                time_source="name" if named_time else "file", note=who.note,
                                marked_late=who.marked_late))
    return Intake(attempts=tuple(attempts), refused=tuple(refused))


def _copy_under_valid_name(path: Path, folder: Path, *, taken: int) -> Path:
    """A copy of ``path``, whose name is not UTF-8 (a name in a legacy encoding such as CP949,
    kept as raw bytes), under a name that is: no gradebook, page or export can hold the first."""
    folder.mkdir(exist_ok=True)
    copy = folder / f"{taken + 1:04d}-{safe_id(valid_text(path.stem))}.ipynb"
    shutil.copyfile(path, copy)
    return copy


def identify(relative: str, *, patterns: tuple[re.Pattern, ...], roster: Roster | None = None) -> Identity:
    """Whose the notebook at ``relative`` (its path below its folder or zip) is."""
    stem = relative[:-6] if relative.lower().endswith(".ipynb") else relative
    for pattern in patterns:
        m = pattern.fullmatch(stem)
        if m is None or not m.group("student"):
            continue
        student = m.group("student")
        stamp = m.groupdict().get("timestamp") or _stamp_outside(stem.rsplit("/", 1)[-1], student)
        late = bool(m.groupdict().get("late"))
        if roster is None:
            return Identity(safe_id(student), True, stamp, "", late)
        entry = roster.lookup(student, m.groupdict().get("name") or "")
        if entry is not None:
            return Identity(entry.student_id, True, stamp, "", late)
        return Identity(safe_id(student), False, stamp, f"{student!r} is not on the roster", late)
    stamp = _stamp_outside(stem.rsplit("/", 1)[-1], "")
    return Identity(safe_id(stem.replace("/", "_")), False, stamp, "no id pattern matches the file name")


def _stamp_outside(name: str, student: str) -> str | None:
    """A time stamp in the file name that is not part of the student id."""
    for m in TIMESTAMP_RE.finditer(name):
        if not student or student not in m.group(0):
            return m.group(0)
    return None


def parse_timestamp(text: str, timezone: tzinfo | None) -> datetime | None:
    digits = re.sub(r"\D", "", text)
    try:
        moment = datetime(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]), int(digits[8:10]),
                          int(digits[10:12]), int(digits[12:14] or 0))
    except (ValueError, IndexError):
        return None
    if not STAMP_YEARS[0] <= moment.year <= STAMP_YEARS[1]:
        return None   # not a hand-in time (0001-01-01 once stopped the batch: no local time for it)
    return _aware(moment, timezone)


def _aware(moment: datetime, timezone: tzinfo | None) -> datetime:
    return moment.replace(tzinfo=timezone) if timezone is not None else moment.astimezone()


def _hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
