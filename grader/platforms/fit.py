"""Keeping a results.json under the 1 MB both platforms accept: the texts of the tests are cut
shorter step by step, then the top-level ones, then (only if that is not enough) the last tests
are left out; each cut is marked where it was made. Scores are never changed."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from grader.text import valid_json

RESULTS_BYTES = 1_000_000    # Gradescope's and PrairieLearn's limit on results.json ("1 MB")
RESERVED_BYTES = 4_000       # left for the note that says what was shortened
TEST_CHARS = (4000, 1000, 200, 40)
TOP_CHARS = 20_000
CUT_MARK = " [... shortened: the results must stay under 1 MB]"


@dataclass(frozen=True)
class Fitted:
    payload: dict
    shortened: bool = False
    left_out: int = 0     # tests dropped from the end

    def note(self) -> str:
        """What the caller tells the student ('' when nothing was changed)."""
        if not self.shortened:
            return ""
        dropped = f", and the last {self.left_out} checks left out" if self.left_out else ""
        return (f"Long messages were shortened{dropped} to keep these results under 1 MB; "
                "the course staff have the full report.")


def encoded(payload: dict) -> bytes:
    """The bytes of results.json (text UTF-8 cannot hold, such as an upload's name in a legacy
    encoding, as U+FFFD)."""
    try:
        return json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(valid_json(payload), ensure_ascii=False, indent=1).encode("utf-8")


def fit(payload: dict, *, test_texts: Sequence[str], top_texts: Sequence[str],
        limit: int = RESULTS_BYTES) -> Fitted:
    """``payload`` as it is if it fits in ``limit`` bytes; else shortened to fit in ``limit``
    less RESERVED_BYTES, leaving room for the note."""
    if len(encoded(payload)) <= limit:
        return Fitted(payload)
    room = limit - RESERVED_BYTES
    for chars in TEST_CHARS:
        payload = {**payload, "tests": [_cut(t, test_texts, chars) for t in payload.get("tests", [])]}
        if len(encoded(payload)) <= room:
            return Fitted(payload, shortened=True)
    payload = _cut(payload, top_texts, TOP_CHARS)
    tests = list(payload.get("tests", []))
    keep_low, keep_high = 0, len(tests)     # the most tests that fit, by bisection
    while keep_low < keep_high:
        middle = (keep_low + keep_high + 1) // 2
        if len(encoded({**payload, "tests": tests[:middle]})) <= room:
            keep_low = middle
        else:
            keep_high = middle - 1
    return Fitted({**payload, "tests": tests[:keep_low]}, shortened=True, left_out=len(tests) - keep_low)


def _cut(item: dict, keys: Sequence[str], chars: int) -> dict:
    changed = dict(item)
    for key in keys:
        text = item.get(key)
        if isinstance(text, str) and len(text) > chars:
            changed[key] = text[:chars] + CUT_MARK
    return changed
