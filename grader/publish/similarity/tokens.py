"""Python source as a normalised token stream, and its fingerprints.

Normalising makes a copy look like its original whatever was changed on the surface:
comments, docstrings and bare string statements are dropped, layout is reduced to statement
ends and indentation, every string literal is ``S``, and every name a student chose (variables,
parameters, functions, classes, attributes of ``self``) is ``ID``. Names that carry the meaning
of the code are kept: keywords, builtins, the course's modules (``torch``, ``np``, ``F``, ...)
and attribute names reached from anything but ``self`` (``torch.exp``, ``X.sum``,
``keepdim``-style calls): a renamed copy still matches, while two students who called
different library functions do not look alike just because both wrote ``a = b.c(d)``.

Fingerprints are k-grams of tokens, hashed deterministically (the same in every process and
every run) and winnowed (Schleimer, Wilkerson and Aiken, 2003): in every window of ``window``
consecutive k-gram hashes the smallest is kept, so any run of ``k + window - 1`` shared
tokens is guaranteed to share a fingerprint.
"""
from __future__ import annotations

import builtins
import io
import keyword
import re
import token as tok
import tokenize
import zlib
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

K = 12          # tokens per k-gram: about one line of code
WINDOW = 4      # winnowing window: any shared run of K + WINDOW - 1 = 15 tokens is found

MODULES = frozenset({"torch", "nn", "F", "np", "numpy", "pd", "pandas", "d2l", "math", "random", "time",
                     "os", "inspect", "collections", "functools", "itertools", "plt", "torchvision",
                     "transforms", "scipy"})   # not "data": in the book it is mostly a variable
KEPT = frozenset(dir(builtins)) | MODULES
OWN_ATTRIBUTES = frozenset({"self", "cls"})
# A line IPython treats as a magic or a shell command (``!pip``, ``%matplotlib``, ``x = !ls``),
# blanked before tokenizing: it is not the student's Python.
MAGIC_LINE = re.compile(r"^[ \t]*(?:[!%?]|[A-Za-z_][\w.]*[ \t]*=[ \t]*[!%])")
PYTHON_CELL_MAGICS = ("%%time", "%%timeit", "%%capture", "%%prun", "%%writefile")
DROPPED = {tok.COMMENT, tok.NL, tok.ENCODING, tok.ENDMARKER}
_P = np.uint64(1_000_003)
_FSTRING = {getattr(tok, n) for n in ("FSTRING_MIDDLE", "FSTRING_END") if hasattr(tok, n)}
_FSTRING_START = getattr(tok, "FSTRING_START", None)


@dataclass(frozen=True)
class Tokens:
    """A normalised token stream: ``words[i]`` came from ``text[spans[i, 0]:spans[i, 1]]``."""

    words: tuple[str, ...]
    spans: np.ndarray            # (n, 2) int64 character offsets into the source


@dataclass(frozen=True)
class Prints:
    """Winnowed fingerprints: ``hashes[i]`` covers tokens ``starts[i]`` to ``starts[i] + K``."""

    hashes: np.ndarray           # uint64
    starts: np.ndarray           # int64 token positions

    @staticmethod
    def empty() -> Prints:
        return Prints(np.zeros(0, np.uint64), np.zeros(0, np.int64))


def blank_magics(source: str) -> str:
    """The source with IPython magics and shell lines replaced by spaces (offsets unchanged);
    a cell in another language (``%%bash``...) becomes blank."""
    first = source.lstrip().split("\n", 1)[0]
    if first.startswith("%%") and not first.startswith(PYTHON_CELL_MAGICS):
        return re.sub(r"[^\n]", " ", source)
    return "".join(_blank(line) for line in source.splitlines(keepends=True))


def _blank(line: str) -> str:
    if not MAGIC_LINE.match(line):
        return line
    body = line.rstrip("\r\n")
    return " " * len(body) + line[len(body):]


def normalise(source: str) -> Tokens:
    """Tokens of ``source`` (a cell or a definition), normalised as the module docstring says.
    Code that does not tokenize to the end keeps the tokens before the fault."""
    starts = [0, 0]                      # tokenize counts rows from 1 and splits lines at "\n" only
    for row in source.split("\n"):
        starts.append(starts[-1] + len(row) + 1)
    words: list[str] = []
    spans: list[int] = []
    line: list[tokenize.TokenInfo] = []
    try:
        for t in tokenize.generate_tokens(io.StringIO(source).readline):
            line.append(t)
            if t.type == tok.NEWLINE:
                _logical_line(line, starts, words, spans)
                line = []
    except (tokenize.TokenError, SyntaxError, ValueError):
        pass
    _logical_line(line, starts, words, spans)
    return Tokens(tuple(words), np.array(spans, dtype=np.int64).reshape(-1, 2))


_LAYOUT = DROPPED | {tok.NEWLINE, tok.INDENT, tok.DEDENT}
_STRINGS = {tok.STRING, *_FSTRING} | ({_FSTRING_START} if _FSTRING_START is not None else set())


def _logical_line(line: list[tokenize.TokenInfo], starts: list[int], words: list[str], spans: list[int]) -> None:
    """Append the words of one logical line (and their character spans, flattened)."""
    significant = [t for t in line if t.type not in _LAYOUT]
    if significant and all(t.type in _STRINGS for t in significant):
        line = [t for t in line if t.type in (tok.INDENT, tok.DEDENT)]   # a docstring: only its indentation counts
    last = ""                             # the previous token's text, and the one before it
    before_last = ""
    for t in line:
        kind, text = t.type, t.string
        if kind in DROPPED:
            continue
        if kind == tok.NAME:
            if keyword.iskeyword(text):
                word = text
            elif last == ".":
                word = "ID" if before_last in OWN_ATTRIBUTES else text
            else:
                word = text if text in KEPT else "ID"
        elif kind == tok.OP:
            word = ";" if text == ";" else text
        elif kind == tok.NUMBER:
            word = text.lower().replace("_", "")
        elif kind == tok.NEWLINE:
            word = ";"
        elif kind == tok.INDENT:
            word = "{"
        elif kind == tok.DEDENT:
            word = "}"
        elif kind == tok.STRING or kind == _FSTRING_START:
            word = "S"
        elif kind in _FSTRING or (kind == tok.ERRORTOKEN and not text.strip()):
            word = ""
        else:
            word = text
        before_last, last = last, text
        if word:
            words.append(word)
            spans.append(starts[t.start[0]] + t.start[1])
            spans.append(starts[t.end[0]] + t.end[1])


def _ids(words: tuple[str, ...]) -> np.ndarray:
    return np.fromiter((zlib.crc32(w.encode()) for w in words), dtype=np.uint64, count=len(words))


def kgram_hashes(words: tuple[str, ...], *, k: int = K) -> np.ndarray:
    """A deterministic 64-bit hash of every run of ``k`` consecutive words."""
    n = len(words) - k + 1
    if n <= 0:
        return np.zeros(0, np.uint64)
    ids = _ids(words)
    h = np.zeros(n, np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * _P + ids[j:j + n]
        # splitmix64's finaliser: spreads the values, so the minimum of a window is a fair pick
        h ^= h >> np.uint64(30)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(27)
        h *= np.uint64(0x94D049BB133111EB)
        h ^= h >> np.uint64(31)
    return h


def winnow(hashes: np.ndarray, *, window: int = WINDOW) -> np.ndarray:
    """Positions chosen by winnowing: the rightmost minimum of every window, each once."""
    if len(hashes) == 0:
        return np.zeros(0, np.int64)
    if len(hashes) <= window:
        return np.array([len(hashes) - 1 - int(np.argmin(hashes[::-1]))], dtype=np.int64)
    windows = sliding_window_view(hashes, window)
    rightmost = window - 1 - np.argmin(windows[:, ::-1], axis=1)
    return np.unique(np.arange(len(windows)) + rightmost).astype(np.int64)


def fingerprint(words: tuple[str, ...], *, k: int = K, window: int = WINDOW) -> Prints:
    hashes = kgram_hashes(words, k=k)
    chosen = winnow(hashes, window=window)
    return Prints(hashes[chosen], chosen)
