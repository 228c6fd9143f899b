"""The platforms' results.json, checked against schemas written from their documentation
(schemas/) and against their 1 MB limit."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from grader.platforms.fit import RESULTS_BYTES

SCHEMAS = Path(__file__).resolve().parent / "schemas"


def check_results(payload: dict, platform: str, *, size: int | None = None) -> None:
    """Raise if ``payload`` breaks ``platform``'s schema or (``size`` in bytes, as written) 1 MB."""
    schema = json.loads((SCHEMAS / f"{platform}_results.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(payload)
    written = size if size is not None else len(json.dumps(payload, ensure_ascii=False).encode())
    assert written <= RESULTS_BYTES, f"results.json is {written} bytes, over {RESULTS_BYTES}"
