"""Text that comes from a student's notebook, made safe to keep: bounded, one line where a
line is wanted, without terminal colour codes."""
from __future__ import annotations

import re
from typing import Any

MESSAGE_CHARS = 600
TRACEBACK_LINES = 30
LINE_CHARS = 300
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def shorten(text: Any, limit: int = MESSAGE_CHARS) -> str:
    """``text`` cut to ``limit`` characters, marked with '...' where it was cut."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def one_line(text: Any, limit: int = MESSAGE_CHARS) -> str:
    """``text`` with its white space folded to single spaces, then shortened."""
    return shorten(" ".join(str(text).split()), limit)


def plain_traceback(outputs: Any) -> list[str]:
    """The last lines of the first error output's traceback, colour codes removed."""
    for out in outputs:
        if out.get("output_type") == "error":
            lines = "\n".join(_ANSI.sub("", str(line)) for line in out.get("traceback", []))
            return [shorten(line, LINE_CHARS) for line in lines.splitlines()[-TRACEBACK_LINES:]]
    return []
