"""Free-response answers that look copied: identical ones (the same words once case, spacing,
punctuation and Markdown marks are ignored) and near-identical ones (most of their word
triples shared). For graders to look at, never a verdict."""
from __future__ import annotations

import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Generic, TypeVar

# Short answers agree by chance ("len(X) is 2"), so only answers this long are compared.
IDENTICAL_WORDS = 4
NEAR_WORDS = 12
# Share of word triples two answers have in common (Jaccard) to count as near-identical: a
# rephrased sentence or two keeps it under 0.6; a copy with a word changed here and there
# stays above 0.7.
NEAR_SHARE = 0.7
COMPARED_WORDS = 1500     # of a long answer, only the start is compared

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Likeness(Generic[K]):
    """``other`` answer is identical to this one, or shares ``share`` of its word triples."""

    other: K
    identical: bool
    share: float

    def to_dict(self) -> dict:
        return {"other": str(self.other), "identical": self.identical, "share": round(self.share, 2)}


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())[:COMPARED_WORDS]


def likenesses(answers: Mapping[K, str]) -> dict[K, list[Likeness[K]]]:
    """For each answer in ``answers`` that resembles others: which, and how closely (closest first)."""
    split = {key: words(text) for key, text in answers.items()}
    triples = {key: {tuple(w[i:i + 3]) for i in range(len(w) - 2)} for key, w in split.items()
               if len(w) >= NEAR_WORDS}
    found: dict[K, list[Likeness[K]]] = {}
    for a, b in combinations(split, 2):
        if split[a] == split[b] and len(split[a]) >= IDENTICAL_WORDS:
            share, identical = 1.0, True
        elif a in triples and b in triples:
            union = len(triples[a] | triples[b])
            share, identical = (len(triples[a] & triples[b]) / union if union else 0.0), False
            if share < NEAR_SHARE:
                continue
        else:
            continue
        found.setdefault(a, []).append(Likeness(b, identical, share))
        found.setdefault(b, []).append(Likeness(a, identical, share))
    return {key: sorted(found[key], key=lambda like: -like.share) for key in found}
