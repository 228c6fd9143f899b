"""Run a command as a platform's container would look to the unprivileged-user isolation,
without changing the host: in a private mount namespace where the folders above the given
paths (the course environment and its Python, under /root here) let other users pass through
but not list them, and the given folders (this project's checkouts, which hold hidden tests
and reference solutions) are closed to them.

    python tests/open_root.py --pass PATH ... --close DIR ... -- COMMAND ...
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path


def wrap(command: list[str], *, passes: list[Path], close: list[Path]) -> list[str]:
    """``command`` run by this module in a new mount namespace."""
    options = [arg for path in passes for arg in ("--pass", str(path))]
    options += [arg for folder in close for arg in ("--close", str(folder))]
    return ["unshare", "--mount", "--propagation", "private", "--",
            sys.executable, str(Path(__file__).resolve()), *options, "--", *command]


# Where a checkout or an unpacked copy of this project may lie on a grading or CI machine.
COPY_PLACES = (Path("/tmp"), Path("/var/tmp"), Path("/work"), Path("/home"), Path("/srv"), Path("/opt"), Path("/mnt"))


def _copies_below(folder: Path, depth: int) -> list[Path]:
    """Folders down to ``depth`` levels below ``folder`` that hold an assignment's hidden
    tests as a checkout does (``assignments/<name>/hidden``); links are not followed."""
    try:
        entries = [Path(e.path) for e in os.scandir(folder) if e.is_dir(follow_symlinks=False)]
    except OSError:
        return []
    found = [e for e in entries if any((e / "assignments").glob("*/hidden"))]
    if depth > 1:
        found += [f for e in entries if e not in found for f in _copies_below(e, depth - 1)]
    return found


def project_checkouts() -> list[Path]:
    """This checkout, the repositories on this machine it was cloned from, their worktrees, and
    any other copy of the project in the usual places (a clone left in /tmp, say): every copy
    of the hidden tests a kernel could otherwise find here."""
    copies = {copy for place in COPY_PLACES for copy in _copies_below(place, 3)}
    found: set[Path] = set()
    todo = [Path(__file__).resolve().parent.parent, *copies]
    while todo:
        here = todo.pop()
        if here in found or not (here / ".git").exists():
            continue
        found.add(here)
        git = ["git", "-C", str(here)]
        listed = subprocess.run([*git, "worktree", "list", "--porcelain"], capture_output=True, text=True)
        todo += [Path(line.split(" ", 1)[1]) for line in listed.stdout.splitlines() if line.startswith("worktree ")]
        remotes = subprocess.run([*git, "remote", "-v"], capture_output=True, text=True).stdout.split()
        todo += [Path(url) for url in remotes if url.startswith("/") and Path(url).is_dir()]
    return sorted(found | copies)


def _remount(folder: Path, mode: int, stashes: Path) -> None:
    """Put a tmpfs with ``mode`` over ``folder`` and show its entries again inside it (the
    original stays reachable, by root only, below ``stashes``)."""
    stash = Path(tempfile.mkdtemp(dir=stashes))
    subprocess.run(["mount", "--bind", str(folder), str(stash)], check=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"mode={mode:o}", "tmpfs", str(folder)], check=True)
    for entry in os.scandir(stash):
        target = folder / entry.name
        if entry.is_symlink():
            target.symlink_to(os.readlink(entry.path))
            continue
        if entry.is_dir():
            target.mkdir()
        else:
            target.touch()
        subprocess.run(["mount", "--bind", entry.path, str(target)], check=True)


def main(argv: list[str]) -> None:
    split = argv.index("--")
    options, command = argv[:split], argv[split + 1:]
    given = {kind: [Path(options[i + 1]) for i, arg in enumerate(options) if arg == kind]
             for kind in ("--pass", "--close")}
    stashes = Path(tempfile.gettempdir()) / ".open-root"   # root's only; a tmpfs in this namespace
    stashes.mkdir(mode=0o700, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=700", "tmpfs", str(stashes)], check=True)
    above = {folder for path in given["--pass"] for folder in Path(os.path.realpath(path)).parents}
    for folder in sorted(above, key=lambda f: len(f.parts)):
        if len(folder.parts) > 1 and not os.stat(folder).st_mode & 0o002:   # never / or /tmp
            _remount(folder, 0o711, stashes)
    for folder in given["--close"]:
        if folder.is_dir():
            _remount(folder, 0o700, stashes)
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
