"""Text that comes from a student's notebook, made safe to keep: valid Unicode, bounded, one
line where a line is wanted, without terminal colour codes."""
from __future__ import annotations

import re
from typing import Any

MESSAGE_CHARS = 600
TRACEBACK_LINES = 30
LINE_CHARS = 300
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def valid_text(text: str) -> str:
    """``text`` itself when UTF-8 can encode it; else a copy with each lone surrogate (which a
    JSON escape such as \\ud800, a kernel's message or a file name can carry, and which no
    file, page or SQLite text can hold) made U+FFFD, and each split surrogate pair joined."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def valid_json(value: Any) -> Any:
    """``value`` (parsed JSON) with every string, keys included, made ``valid_text``."""
    if isinstance(value, str):
        return valid_text(value)
    if isinstance(value, list):
        return [valid_json(item) for item in value]
    if isinstance(value, dict):
        return {valid_text(str(key)): valid_json(item) for key, item in value.items()}
    return value


def shorten(text: Any, limit: int = MESSAGE_CHARS) -> str:
    """``text`` as valid Unicode, cut to ``limit`` characters, marked with '...' where it was cut."""
    text = valid_text(str(text))
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
