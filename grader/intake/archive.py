"""Zip files from a course platform's bulk download, opened without trusting them.

A member is refused, with a one-line reason, when its path would land outside the folder it
is extracted to (absolute, ``..``, a drive letter), when it is a link, encrypted or not a
notebook, or when its declared size or the bytes it actually expands to exceed the limits
(a zip bomb). Members are written only below a scratch folder, one file at a time, never
through a symbolic link and never over an existing file.
"""
from __future__ import annotations

import os
import stat
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from grader.errors import UsageError
from grader.text import valid_text

CHUNK = 1 << 20
IGNORED_FOLDERS = {".ipynb_checkpoints", "__pycache__", ".git"}


@dataclass(frozen=True)
class ZipLimits:
    """What one bulk download may hold. Sizes in MB."""

    member_mb: int = 50           # the largest notebook accepted (assignment.toml's notebook_mb)
    total_mb: int = 4096          # all members together, as declared and as extracted
    members: int = 20000

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Refusal:
    """Something offered for grading that was not taken, and why."""

    origin: str       # e.g. "bulk.zip:alice/hw1.ipynb"
    reason: str

    def line(self) -> str:
        return f"{self.origin}: {self.reason}"

    def to_dict(self) -> dict:
        return {"origin": self.origin, "reason": self.reason}


@dataclass(frozen=True)
class ZipMember:
    archive: Path
    name: str             # the member's name as stored
    relative: str         # its path below the archive, '/'-separated, checked to stay inside
    size: int             # declared uncompressed size
    modified: datetime    # the member's time stamp (naive: zip files carry no time zone)

    @property
    def origin(self) -> str:
        return valid_text(f"{self.archive.name}:{self.relative}")


def survey_zip(path: Path, limits: ZipLimits) -> tuple[list[ZipMember], list[Refusal]]:
    """The notebooks a zip file offers and the members refused, without extracting anything."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UsageError(f"{path} is not a readable zip file ({exc})") from None
    except UnicodeDecodeError as exc:   # a name flagged as UTF-8 that is not
        raise UsageError(f"{path} is not a readable zip file: a member's name is marked as UTF-8 but is not "
                         f"(byte 0x{exc.object[exc.start]:02x}); unzip it with an archive tool and grade "
                         "the folder instead") from None
    members: list[ZipMember] = []
    refused: list[Refusal] = []
    seen: set[str] = set()
    declared = 0
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.members:
            raise UsageError(f"{path} holds {len(infos)} entries, over the limit of {limits.members}")
        for info in infos:
            if info.is_dir():
                continue
            origin = valid_text(f"{path.name}:{info.filename}")
            relative, reason = _check_member(info, limits)
            if relative is not None and relative.lower() in seen:
                reason = "a second member with the same path"
            if reason is None and declared + info.file_size > limits.total_mb * 1024 * 1024:
                reason = f"the archive's members together exceed {limits.total_mb} MB"
            if reason is not None:
                if reason:   # "" means: skip without a word (checkpoint copies)
                    refused.append(Refusal(origin, reason))
                continue
            assert relative is not None
            seen.add(relative.lower())
            declared += info.file_size
            members.append(ZipMember(archive=path, name=info.filename, relative=relative,
                                     size=info.file_size, modified=_member_time(info)))
    return members, refused


def _check_member(info: zipfile.ZipInfo, limits: ZipLimits) -> tuple[str | None, str | None]:
    """(relative path, None) for a member to extract, or (None, why it is refused)."""
    name = info.filename.replace("\\", "/")
    if "\x00" in name:
        return None, "a path containing a NUL byte"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None, "an absolute path, outside the extraction folder"
    parts = PurePosixPath(name).parts
    if any(part == ".." for part in parts):
        return None, "a path with '..', outside the extraction folder"
    parts = tuple(p for p in parts if p not in ("", "."))
    if not parts or any(len(p.encode()) > 255 for p in parts):
        return None, "an unusable path"
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return None, "a symbolic link, not a notebook"
    if any(p in IGNORED_FOLDERS for p in parts[:-1]):
        return None, ""
    if parts[0] == "__MACOSX" or parts[-1].startswith("._"):
        return None, "macOS metadata, not a notebook"
    if not parts[-1].lower().endswith(".ipynb"):
        return None, "not a notebook (*.ipynb)"
    if info.flag_bits & 0x1:
        return None, "encrypted"
    if info.file_size > limits.member_mb * 1024 * 1024:
        return None, (f"declares {info.file_size / 1024 / 1024:.0f} MB uncompressed, over the "
                      f"{limits.member_mb} MB limit for a notebook")
    return "/".join(parts), None


def _member_time(info: zipfile.ZipInfo) -> datetime:
    try:
        return datetime(*info.date_time)
    except ValueError:
        return datetime(1980, 1, 1)


def extract_member(member: ZipMember, scratch: Path, limits: ZipLimits) -> Path:
    """Write one member below ``scratch``; UsageError-free: raises ValueError with the reason
    if the member expands past its declared size or the limit, or is corrupt."""
    root = scratch.resolve()
    target = root.joinpath(*member.relative.split("/"))
    if not target.resolve().is_relative_to(root):   # belt and braces after _check_member
        raise ValueError("a path outside the extraction folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.parent.resolve().is_relative_to(root):
        raise ValueError("a path outside the extraction folder")
    allowed = min(member.size, limits.member_mb * 1024 * 1024)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    written = 0
    try:
        with zipfile.ZipFile(member.archive) as archive, archive.open(member.name) as source:
            fd = os.open(target, flags, 0o600)
            with os.fdopen(fd, "wb") as sink:
                while chunk := source.read(CHUNK):
                    written += len(chunk)
                    if written > allowed:
                        raise ValueError(f"expands past its declared size of {member.size} bytes "
                                         "(a zip bomb?)")
                    sink.write(chunk)
    except ValueError:
        target.unlink(missing_ok=True)
        raise
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
        target.unlink(missing_ok=True)
        raise ValueError(f"cannot be extracted ({type(exc).__name__}: {exc})") from None
    return target
