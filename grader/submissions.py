"""Naming submissions: filesystem-safe ids, and the folders never searched for notebooks."""
from __future__ import annotations

import re
import unicodedata

SKIP_DIRS = {".ipynb_checkpoints", "__pycache__", ".git", ".intake"}   # .intake: grade's own scratch


def safe_id(text: str) -> str:
    """Letters (any script), digits, '-', '_' and '.'; everything else becomes '_'."""
    text = unicodedata.normalize("NFC", text)
    cleaned = re.sub(r"[^\w.-]+", "_", text, flags=re.UNICODE).strip("._") or "submission"
    return cleaned[:100]
