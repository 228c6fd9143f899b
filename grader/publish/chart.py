"""Small static SVG charts for the class dashboard and reports: no scripts, no fonts or
files fetched, every label escaped. Each function returns one ``<svg>`` element as text."""
from __future__ import annotations

from collections.abc import Sequence
from html import escape

BAR = "#4a7bd0"
MUTED = "#777"


def _svg(width: float, height: float, label: str, body: list[str], *, css_id: str = "") -> str:
    ident = f' id="{escape(css_id)}"' if css_id else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg"{ident} class="chart" role="img" '
            f'width="{width:g}" height="{height:g}" viewBox="0 0 {width:g} {height:g}" '
            f'aria-label="{escape(label)}"><title>{escape(label)}</title>' + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = 11, color: str = "#333",
          css_class: str = "") -> str:
    kind = f' class="{css_class}"' if css_class else ""
    return (f'<text{kind} x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{color}" font-family="sans-serif">{escape(text)}</text>')


def histogram(values: Sequence[float], *, high: float, bins: int = 10, label: str,
              css_id: str = "", width: int = 560, height: int = 200) -> str:
    """Counts of ``values`` in ``bins`` equal bins from 0 to ``high`` (the top bin includes
    ``high``), drawn as columns with each bin edge's value below it (the last one ending at
    the right edge, so no two labels overlap)."""
    high = high or 1.0
    counts = [0] * bins
    for v in values:
        index = int(min(max(v, 0.0), high) / high * bins)
        counts[min(index, bins - 1)] += 1
    top = max(counts) or 1
    left, bottom, right, head = 30, 34, 10, 12
    plot_w, plot_h = width - left - right, height - bottom - head
    step = plot_w / bins
    body = [f'<line x1="{left}" y1="{head + plot_h}" x2="{width - right}" y2="{head + plot_h}" stroke="#999"/>',
            _text(left - 6, head + 4, str(top), anchor="end", color=MUTED),
            _text(left - 6, head + plot_h, "0", anchor="end", color=MUTED)]
    for i, count in enumerate(counts):
        lo, hi = high * i / bins, high * (i + 1) / bins
        h = plot_h * count / top
        x = left + i * step
        body.append(f'<rect class="bin" x="{x + 1:.1f}" y="{head + plot_h - h:.1f}" width="{step - 2:.1f}" '
                    f'height="{h:.1f}" fill="{BAR}" data-count="{count}"><title>{lo:g}–{hi:g}: '
                    f'{count} submission{"s" if count != 1 else ""}</title></rect>')
        if count:
            body.append(_text(x + step / 2, head + plot_h - h - 3, str(count), anchor="middle", size=10))
    for i in range(bins + 1):
        edge = left + i * step
        body.append(f'<line x1="{edge:.1f}" y1="{head + plot_h}" x2="{edge:.1f}" y2="{head + plot_h + 3}" '
                    f'stroke="#999"/>')
        body.append(_text(edge, head + plot_h + 14, f"{high * i / bins:.4g}", anchor="end" if i == bins else
                          "middle", size=10, color=MUTED, css_class="tick"))
    body.append(_text(left + plot_w / 2, height - 4, "score", anchor="middle", color=MUTED))
    return _svg(width, height, label, body, css_id=css_id)


def bars(items: Sequence[tuple[str, float, float]], *, label: str, css_id: str = "", unit: str = "",
         width: int = 560, row: int = 18, label_width: int = 170) -> str:
    """Horizontal bars, one per (label, value, scale maximum), the value written after each."""
    top = max((m for _, _, m in items), default=1.0) or 1.0
    height = row * len(items) + 8
    plot_w = width - label_width - 70
    body = []
    for i, (name, value, scale) in enumerate(items):
        y = 4 + i * row
        w = plot_w * max(0.0, value) / top
        shown = name if len(name) <= 28 else name[:27] + "…"
        body.append(_text(label_width - 6, y + row * 0.7, shown, anchor="end"))
        body.append(f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" '
                    f'fill="{BAR}"><title>{escape(name)}: {value:.3g}{escape(unit)}</title></rect>')
        body.append(_text(label_width + w + 4, y + row * 0.7, f"{value:.3g}{unit}", color=MUTED))
    return _svg(width, height, label, body, css_id=css_id)


def heatmap(grid: Sequence[Sequence[float]], *, label: str, cell: int = 14) -> str:
    """A grid of shares in [0, 1] (e.g. of wrong entries per block), white to red."""
    rows, cols = len(grid), max((len(r) for r in grid), default=0)
    body = []
    for i, line in enumerate(grid):
        for j, share in enumerate(line):
            share = min(max(float(share), 0.0), 1.0)
            red = f"rgb({255},{int(255 - 190 * share)},{int(255 - 190 * share)})"
            body.append(f'<rect class="cell" x="{j * cell}" y="{i * cell}" width="{cell}" height="{cell}" '
                        f'fill="{red}" stroke="#ddd"><title>{share:.0%} wrong</title></rect>')
    return _svg(cols * cell, rows * cell, label, body)
