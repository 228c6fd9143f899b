"""nbclient as the grader runs it: one cell at a time, with the output a cell may keep capped."""
from __future__ import annotations

from typing import Any

import nbformat
from nbclient import NotebookClient


class CappedClient(NotebookClient):
    """nbclient, keeping at most ``output_limit`` bytes of output per cell."""

    output_limit = 256 * 1024

    def output(self, outs: Any, msg: Any, display_id: Any, cell_index: Any) -> Any:  # type: ignore[override]
        used = sum(output_size(o) for o in outs)
        if used > self.output_limit:
            if not any(o.get("name") == "grader-note" for o in outs):
                outs.append(nbformat.v4.new_output(
                    "stream", name="grader-note",
                    text=f"[output truncated: more than {self.output_limit // 1024} KB]\n"))
            return None
        return super().output(outs, msg, display_id, cell_index)


def output_size(out: dict) -> int:
    if out.get("output_type") == "stream":
        return len(out.get("text", ""))
    data = out.get("data", {})
    return sum(len(v) if isinstance(v, str) else len(str(v)) for v in data.values())
