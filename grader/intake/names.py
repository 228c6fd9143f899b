"""Naming submissions: filesystem-safe ids, and the folders never searched for notebooks."""
from __future__ import annotations

import re
import unicodedata

SCRATCH = ".intake"   # below the output folder: where zip members are extracted
SKIP_DIRS = {".ipynb_checkpoints", "__pycache__", ".git", SCRATCH}
# What the output folder holds besides the students' folders (the dashboard, the gradebook and
# its SQLite side files, the similarity report, the default export, manual and feedback
# folders): a student whose file is named so gets another folder name.
OUTPUT_NAMES = frozenset({"index.html", "gradebook.csv", "gradebook.sqlite", "gradebook.sqlite-journal",
                          "gradebook.sqlite-wal", "gradebook.sqlite-shm", "similarity", "exports", "manual",
                          "feedback"})


def safe_id(text: str) -> str:
    """Letters (any script), digits, '-', '_' and '.'; everything else becomes '_'."""
    text = unicodedata.normalize("NFC", text)
    cleaned = re.sub(r"[^\w.-]+", "_", text, flags=re.UNICODE).strip("._") or "submission"
    return cleaned[:100]
