"""Store identical files of the grading image's environments once: every regular file under the
folders given whose size, mode, owner and bytes equal an earlier one's becomes a hard link to it.

setup.sh runs this on the grader's environment and the course's kernel environment, which hold
the same torch, torchvision and CUDA libraries (several GB). Standard library only: it runs
before anything else is known to work. Prints how much it saved.
"""
from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path


def digest(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def link_identical(folders: list[Path]) -> tuple[int, int]:
    """Link duplicates within and across ``folders``; returns (files linked, bytes saved)."""
    by_shape: dict[tuple[int, int, int, int], list[Path]] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            info = path.lstat()
            if path.is_file() and not path.is_symlink() and info.st_size > 0:
                by_shape.setdefault((info.st_size, info.st_mode, info.st_uid, info.st_gid), []).append(path)
    linked = saved = 0
    for (size, *_), paths in by_shape.items():
        if len(paths) < 2:
            continue
        first: dict[str, os.stat_result] = {}
        keep: dict[str, Path] = {}
        for path in paths:
            info = path.lstat()
            key = digest(path)
            if key not in keep:
                keep[key], first[key] = path, info
                continue
            if (info.st_dev, info.st_ino) == (first[key].st_dev, first[key].st_ino):
                continue   # already one file
            temporary = path.with_name(path.name + ".link-identical")
            try:
                os.link(keep[key], temporary)
            except OSError:   # another file system, or links not allowed: keep both copies
                continue
            os.replace(temporary, path)
            linked, saved = linked + 1, saved + size
    return linked, saved


if __name__ == "__main__":
    found = [Path(arg) for arg in sys.argv[1:] if Path(arg).is_dir()]
    count, size = link_identical(found)
    print(f"link_identical.py: {count} identical files linked, {size / 2**30:.1f} GB saved")
