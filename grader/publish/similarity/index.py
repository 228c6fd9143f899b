"""Which participants share fingerprints, through an inverted index (fingerprint ->
participants) rather than by comparing every pair: the work grows with the fingerprints that
are actually shared, not with the square of the class.

A fingerprint held by more than ``common`` participants is common knowledge of the class (the
way most of them wrote the book's idiom), not evidence against any two; it is left out, which
also bounds the pairs one fingerprint can produce (as MOSS does with its -m option).
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from grader.publish.similarity.tokens import K

WORD = re.compile(r"\w+", re.UNICODE)
SPACE = re.compile(r"\s*")
NOT_WORDS = re.compile(r"\W*")
SHINGLE = 3          # words per shingle of a free-response answer


@dataclass(frozen=True)
class Shared:
    """Pairs of sets sharing uncommon hashes: ``a[i] < b[i]`` share ``count[i]`` of them;
    ``sizes[j]`` is set j's number of hashes that are not common."""

    a: np.ndarray
    b: np.ndarray
    count: np.ndarray
    sizes: np.ndarray
    common: np.ndarray           # the hashes left out as common, sorted


def shared_counts(sets: Sequence[np.ndarray], *, common: int) -> Shared:
    """Count, for every two of ``sets`` (arrays of unique uint64 hashes), the hashes they
    share among those at most ``common`` sets hold."""
    n = len(sets)
    lengths = np.array([len(s) for s in sets], dtype=np.int64)
    if n < 2 or lengths.sum() == 0:
        empty = np.zeros(0, np.int64)
        return Shared(empty, empty, empty, lengths, np.zeros(0, np.uint64))
    hashes = np.concatenate(sets).astype(np.uint64)
    owners = np.repeat(np.arange(n, dtype=np.int64), lengths)
    order = np.argsort(hashes, kind="stable")
    hashes, owners = hashes[order], owners[order]
    starts = np.flatnonzero(np.r_[True, hashes[1:] != hashes[:-1]])
    counts = np.diff(np.r_[starts, len(hashes)])
    too_common = counts > common
    sizes = lengths - np.bincount(owners[np.repeat(too_common, counts)], minlength=n)
    a_parts, b_parts = [], []
    for m in np.unique(counts[(counts >= 2) & ~too_common]):
        firsts = starts[counts == m]
        members = np.sort(owners[firsts[:, None] + np.arange(m)], axis=1)
        i, j = np.triu_indices(int(m), 1)
        a_parts.append(members[:, i].ravel())
        b_parts.append(members[:, j].ravel())
    if not a_parts:
        empty = np.zeros(0, np.int64)
        return Shared(empty, empty, empty, sizes, hashes[starts[too_common]])
    keys = np.concatenate(a_parts) * n + np.concatenate(b_parts)
    pairs, count = np.unique(keys, return_counts=True)
    return Shared(pairs // n, pairs % n, count, sizes, hashes[starts[too_common]])


def kept(hashes: np.ndarray, *, given: np.ndarray) -> np.ndarray:
    """The unique hashes that are not in ``given`` (sorted uint64)."""
    unique = np.unique(hashes)
    return unique[~np.isin(unique, given, assume_unique=True)] if len(given) else unique


def spans_of(text: str, starts: np.ndarray, hashes: np.ndarray, spans: np.ndarray, shared: np.ndarray, *,
             width: int = K, gap: re.Pattern[str] = SPACE) -> list[tuple[int, int]]:
    """The character ranges of the tokens (or words) in k-grams of ``width`` starting at
    ``starts`` whose hash is in ``shared`` (sorted); neighbours are joined where only ``gap``
    lies between them, so a comment or docstring inside a match stays unmarked."""
    if not len(shared) or not len(starts):
        return []
    # A pair's page asks this of every piece of both notebooks: np.isin's set-up, not the
    # lookup, was most of a report whose notebooks share much.
    found = shared[np.minimum(np.searchsorted(shared, hashes), len(shared) - 1)] == hashes
    tokens = (starts[found][:, None] + np.arange(width)).ravel()
    covered = np.zeros(len(spans), dtype=bool)
    covered[tokens[tokens < len(spans)]] = True
    ranges: list[tuple[int, int]] = []
    for i in np.flatnonzero(covered):
        start, end = int(spans[i, 0]), int(spans[i, 1])
        if not text[start:end].strip():        # indentation and line ends only join neighbours
            continue
        if ranges and gap.fullmatch(text, ranges[-1][1], start):
            ranges[-1] = (ranges[-1][0], max(end, ranges[-1][1]))
        else:
            ranges.append((start, end))
    return ranges


@dataclass(frozen=True)
class Answer:
    """A free-response answer as words: ``spans[i]`` is where word i is in ``text``."""

    text: str
    words: tuple[str, ...]
    spans: np.ndarray
    hashes: np.ndarray           # one per shingle, in order (shingle i starts at word i)

    @property
    def shingles(self) -> np.ndarray:
        return np.unique(self.hashes)


def read_answer(text: str) -> Answer:
    """Words compared case-, space- and punctuation-blind, in shingles of SHINGLE words."""
    found = list(WORD.finditer(text))
    words = tuple(m.group().casefold() for m in found)
    spans = np.array([m.span() for m in found], dtype=np.int64).reshape(-1, 2)
    return Answer(text, words, spans, shingle_hashes(words))


def shingle_hashes(words: Sequence[str]) -> np.ndarray:
    grams = [" ".join(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)]
    return np.array([int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "little")
                     for g in grams], dtype=np.uint64)
