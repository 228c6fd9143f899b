"""Files in the output folder are written whole or not at all."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, text: str, *, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` so readers see the old file or the new one, never part of
    one, even with several writers at once (each writes its own temporary file). A link is
    followed (the file it names is replaced, the link kept); what is not a file at all, such
    as /dev/stdout or a named pipe, is written to as it is."""
    if path.exists() and not path.is_file() and not path.is_dir():
        with open(path, "w", encoding=encoding, newline="") as f:
            f.write(text)
        return
    path = Path(os.path.realpath(path))
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
