"""Markdown and LaTeX as safe HTML, rendered here so pages need no scripts and nothing from
the network: CommonMark (markdown-it-py) with ``$...$`` and ``$$...$$`` math (its dollarmath
plugin) turned into MathML (latex2mathml), which browsers draw natively.

Students write the answers rendered here, so nothing in them becomes markup the page did not
mean: raw HTML is shown as text, images and links are plain text (no request leaves the page,
nothing to click), and the MathML is rebuilt from an allow-list of elements and attributes
(latex2mathml copies ``\\text{<script>}`` and ``\\href`` through as they are).
"""
from __future__ import annotations

from html import escape
from html.parser import HTMLParser

import latex2mathml.converter
from markdown_it import MarkdownIt
from markupsafe import Markup
from mdit_py_plugins.dollarmath import dollarmath_plugin

MATH_CHARS = 2000       # one formula; longer ones are shown as their source

MATHML_ELEMENTS = frozenset({
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msub", "msup", "msubsup", "mfrac",
    "msqrt", "mroot", "mstyle", "merror", "mpadded", "mphantom", "mfenced", "menclose", "munder",
    "mover", "munderover", "mmultiscripts", "mprescripts", "none", "mtable", "mtr", "mtd", "mlabeledtr",
    "semantics", "annotation"})
MATHML_ATTRIBUTES = frozenset({
    "display", "mathvariant", "mathsize", "stretchy", "fence", "separator", "lspace", "rspace", "form",
    "largeop", "movablelimits", "accent", "accentunder", "minsize", "maxsize", "symmetric", "width",
    "height", "depth", "linethickness", "columnalign", "rowalign", "columnspacing", "rowspacing",
    "columnlines", "rowlines", "frame", "displaystyle", "scriptlevel", "notation", "open", "close",
    "separators", "encoding", "voffset"})


class _MathML(HTMLParser):
    """Re-emits allowed MathML elements and attributes; everything else becomes escaped text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in MATHML_ELEMENTS:
            self.out.append(escape(self.get_starttag_text() or ""))
            return
        kept = "".join(f' {name}="{escape(value or "")}"' for name, value in attrs if name in MATHML_ATTRIBUTES)
        namespace = ' xmlns="http://www.w3.org/1998/Math/MathML"' if tag == "math" else ""
        self.out.append(f"<{tag}{namespace}{kept}>")

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>" if tag in MATHML_ELEMENTS else escape(f"</{tag}>"))

    def handle_data(self, data: str) -> None:
        self.out.append(escape(data))


def clean_mathml(text: str) -> str:
    parser = _MathML()
    parser.feed(text)
    parser.close()
    return "".join(parser.out)


def math(source: str, *, display: bool) -> str:
    """One formula as MathML, or its source as code when it is too long or not LaTeX we read."""
    if len(source) <= MATH_CHARS:
        try:
            return clean_mathml(latex2mathml.converter.convert(source, display="block" if display else "inline"))
        except Exception:   # latex2mathml raises many kinds on malformed input
            pass
    kind = "math-source display" if display else "math-source"
    return f'<code class="{kind}">{escape(source)}</code>'


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.use(dollarmath_plugin, allow_space=True, allow_digits=False, double_inline=True,
           renderer=lambda content, options: math(content, display=bool(options.get("display_mode"))))
    md.enable("table").disable(["image", "link", "autolink", "html_inline", "html_block"])
    return md


_MD = _parser()


def render(text: str | None) -> Markup:
    """``text`` (Markdown with math) as an HTML block."""
    return Markup(_MD.render(text or ""))


def render_inline(text: str | None) -> Markup:
    """``text`` as inline HTML (for a title): emphasis, code and math, no paragraphs."""
    return Markup(_MD.renderInline(text or ""))
