"""Naming submissions: filesystem-safe ids, and the folders never searched for notebooks."""
from __future__ import annotations

import re
import unicodedata

SCRATCH = ".intake"   # below the output folder: where zip members are extracted
SKIP_DIRS = {".ipynb_checkpoints", "__pycache__", ".git", SCRATCH}


def safe_id(text: str) -> str:
    """Letters (any script), digits, '-', '_' and '.'; everything else becomes '_'."""
    text = unicodedata.normalize("NFC", text)
    cleaned = re.sub(r"[^\w.-]+", "_", text, flags=re.UNICODE).strip("._") or "submission"
    return cleaned[:100]
