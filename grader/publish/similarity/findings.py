"""Compare every participant with every other, per exercise, on free-response answers and on
whole notebooks, and rank the pairs.

Scores are in [0, 1]:
- an exercise or the notebook: the fingerprints two students share, divided by the smaller
  student's count, but never by fewer than FLOOR: what is left of a short function once the
  given code is subtracted is too little to tell copying from writing the obvious (all
  fingerprints counted are neither given nor common, see index.py);
- an answer: the shingles (three words) two answers share over the longer one's count, so
  identical answers score 1 and one that quotes a sentence of a long answer does not.
A pair is reported when any of its scores reaches THRESHOLD.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from grader.assignment import Assignment
from grader.publish.similarity.index import (NOT_WORDS, SHINGLE, Answer, kept, read_answer, shared_counts,
                                             shingle_hashes, spans_of)
from grader.publish.similarity.sources import Piece, Work, split_cell
from grader.publish.similarity.tokens import kgram_hashes, normalise

THRESHOLD = 0.5        # reported from here on, in every scope
# A score counts fingerprints over at least FLOOR: to reach THRESHOLD on one exercise, two
# students must share 30 fingerprints (about 70 tokens, six or seven lines) that were neither
# given nor common. Calibrated on HW1 (tests/test_similarity.py): the closest independently
# written pair, the reference and a book-style notebook on 5.3's backprop formulas (dictated
# by the book's equations), shares 24; a copied exercise of ten lines or more shares 40 to 90.
FLOOR = 60
MIN_WORDS = 8          # shorter answers are not compared
COMMON_SHARE = 0.1     # a fingerprint in more than this share of the class (but at least
COMMON_MIN = 10        # COMMON_MIN and at most COMMON_MAX participants) is common knowledge;
COMMON_MAX = 30        # the cap bounds the pairs one fingerprint makes, so memory grows linearly
NOTEBOOK = "notebook"
ANSWERS = "answers"
Ranges = list[tuple[int, int]]           # character ranges in a text, sorted, disjoint
Regions = list[tuple[Piece, Ranges]]


@dataclass(frozen=True)
class Participant:
    id: str                      # the student id ("reference" for the reference solutions)
    label: str                   # as shown: the roster's name and the id
    submission: str = ""         # the report folder; empty for the reference
    work: Work = field(default_factory=lambda: Work.of(()))
    answers: dict[str, str] = field(default_factory=dict)   # free-response exercise -> answer
    name: str = ""               # the roster's name, if any


@dataclass(frozen=True)
class Scope:
    """A part of the assignment compared on its own: the code of one exercise's names (the
    first exercise testing them gives the id), or the whole notebook."""

    id: str
    title: str
    names: tuple[str, ...] = ()
    section: str | None = None
    exercises: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    a: int                       # participant indices, a < b
    b: int
    scope: str                   # a Scope id, or ANSWERS
    score: float
    shared: int
    item: str = ""               # for answers: the free-response exercise


@dataclass(frozen=True)
class PairLine:
    a: int
    b: int
    best: float                  # the highest score of the pair in any scope
    notebook: float              # their whole-notebook score (0 when below the threshold)
    exercises: tuple[Match, ...]  # exercise scopes at or above the threshold, best first
    answers: tuple[Match, ...]   # answers alike, best first


@dataclass(frozen=True)
class Findings:
    participants: tuple[Participant, ...]
    scopes: tuple[Scope, ...]
    matches: tuple[Match, ...]   # every score at or above the threshold, best first
    pairs: tuple[PairLine, ...]  # best first
    units: dict[tuple[str, int], tuple[Piece, ...]]   # (scope, participant) -> the code compared
    kept: dict[tuple[str, int], np.ndarray]           # (scope or answers:<id>, participant) -> hashes counted
    answers: dict[tuple[str, int], Answer]            # (exercise, participant) -> answer compared
    common: dict[str, np.ndarray]                     # scope or answers:<id> -> common hashes
    unreadable: tuple[str, ...] = ()                  # "id: why" for notebooks that could not be read

    def shared(self, key: str, a: int, b: int) -> np.ndarray:
        """The fingerprints (or shingles) that count for both ``a`` and ``b`` in ``key`` (sorted)."""
        both = np.intersect1d(self.kept.get((key, a), _NONE), self.kept.get((key, b), _NONE))
        return both[~np.isin(both, self.common.get(key, _NONE))]

    def regions(self, scope: str, a: int, b: int) -> tuple[Regions, Regions]:
        """Each side's pieces of ``scope`` with the character ranges matching the other side."""
        shared = self.shared(scope, a, b)
        left, right = ([(p, spans_of(p.text, p.prints.starts, p.prints.hashes, p.spans, shared))
                        for p in self.units.get((scope, side), ())] for side in (a, b))
        return left, right

    def answer_regions(self, item: str, a: int, b: int) -> tuple[tuple[str, Ranges], tuple[str, Ranges]]:
        """Both answers to ``item`` with the ranges of their words in common."""
        shared = self.shared(_answer_key(item), a, b)
        one, two = ((x.text, spans_of(x.text, np.arange(len(x.hashes)), x.hashes, x.spans, shared, width=SHINGLE,
                                      gap=NOT_WORDS)) for x in (self.answers[(item, a)], self.answers[(item, b)]))
        return one, two


def _answer_key(item: str) -> str:
    return f"{ANSWERS}:{item}"


_NONE = np.zeros(0, np.uint64)


def exercise_scopes(assignment: Assignment) -> list[Scope]:
    """One scope per set of names the tests reach (exercises testing the same names share it)."""
    scopes: dict[tuple[str, ...], Scope] = {}
    for ex in assignment.exercises:
        names = (*ex.helpers, *ex.names)
        if ex.manual or not names:
            continue
        if names in scopes:
            s = scopes[names]
            scopes[names] = Scope(s.id, s.title, s.names, s.section, (*s.exercises, ex.id))
        else:
            scopes[names] = Scope(ex.id, ex.title, names, ex.section, (ex.id,))
    return list(scopes.values())


def given_hashes(texts: Sequence[str]) -> np.ndarray:
    """Every k-gram (not only the winnowed ones) of the given code, split as students' code is."""
    parts = [kgram_hashes(normalise(text).words) for source in texts for text, _, _ in split_cell(source)]
    return np.unique(np.concatenate(parts)) if parts else _NONE


def compare(participants: Sequence[Participant], scopes: Sequence[Scope], *, given: np.ndarray,
            given_answers: dict[str, str], threshold: float = THRESHOLD,
            unreadable: Sequence[str] = ()) -> Findings:
    """Every pair of ``participants`` scored in every scope, the answers and the notebook."""
    n = len(participants)
    common = min(COMMON_MAX, max(COMMON_MIN, int(COMMON_SHARE * n)))
    units: dict[tuple[str, int], tuple[Piece, ...]] = {}
    kept_hashes: dict[tuple[str, int], np.ndarray] = {}
    commons: dict[str, np.ndarray] = {}
    matches: list[Match] = []
    everything = [*scopes, Scope(NOTEBOOK, "the whole notebook")]
    for scope in everything:
        sets = []
        for i, p in enumerate(participants):
            pieces = p.work.pieces if scope.id == NOTEBOOK else p.work.unit(scope.names, section=scope.section)
            hashes = np.concatenate([x.prints.hashes for x in pieces]) if pieces else _NONE
            units[(scope.id, i)] = pieces
            kept_hashes[(scope.id, i)] = kept(hashes, given=given)
            sets.append(kept_hashes[(scope.id, i)])
        found = shared_counts(sets, common=common)
        commons[scope.id] = found.common
        floor = np.maximum(np.minimum(found.sizes[found.a], found.sizes[found.b]), FLOOR)
        matches += _matches(found.a, found.b, found.count, found.count / floor, scope.id, threshold)
    answers: dict[tuple[str, int], Answer] = {}
    for item, given_text in given_answers.items():
        given_shingles = np.unique(shingle_hashes(read_answer(given_text).words))
        sets = []
        for i, p in enumerate(participants):
            answer = read_answer(p.answers.get(item) or "")
            if len(answer.words) >= MIN_WORDS:
                answers[(item, i)] = answer
            kept_hashes[(_answer_key(item), i)] = kept(answer.hashes, given=given_shingles) \
                if (item, i) in answers else _NONE
            sets.append(kept_hashes[(_answer_key(item), i)])
        found = shared_counts(sets, common=common)
        commons[_answer_key(item)] = found.common
        longer = np.maximum(np.maximum(found.sizes[found.a], found.sizes[found.b]), 1)
        matches += _matches(found.a, found.b, found.count, found.count / longer, ANSWERS, threshold, item=item)
    matches.sort(key=lambda m: (-m.score, -m.shared, m.scope, m.a, m.b))
    return Findings(tuple(participants), tuple(everything), tuple(matches), _rank(matches), units, kept_hashes,
                    answers, commons, tuple(unreadable))


def _matches(a: np.ndarray, b: np.ndarray, count: np.ndarray, score: np.ndarray, scope: str, threshold: float,
             *, item: str = "") -> list[Match]:
    keep = np.flatnonzero(score >= threshold)
    return [Match(int(a[i]), int(b[i]), scope, round(float(min(score[i], 1.0)), 4), int(count[i]), item)
            for i in keep]


def _rank(matches: Sequence[Match]) -> tuple[PairLine, ...]:
    by_pair: dict[tuple[int, int], list[Match]] = {}
    for m in matches:
        by_pair.setdefault((m.a, m.b), []).append(m)
    lines = []
    for (a, b), found in by_pair.items():
        notebook = max((m.score for m in found if m.scope == NOTEBOOK), default=0.0)
        exercises = tuple(m for m in found if m.scope not in (NOTEBOOK, ANSWERS))
        answers = tuple(m for m in found if m.scope == ANSWERS)
        lines.append(PairLine(a, b, max(m.score for m in found), notebook, exercises, answers))
    lines.sort(key=lambda p: (-p.best, -len(p.exercises), -p.notebook, -len(p.answers), p.a, p.b))
    return tuple(lines)
