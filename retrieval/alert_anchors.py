"""Each subscription's anchors on the current background, kept while nothing they depend on
changes (the lexical guard of the corpus route: `alert_lexicon`).

A topic's anchors depend on its phrase, its vectors (its cosines to the background), the
background's articles and words, and the precision asked of an anchor; like the corpus
profiles (`alert_profiles.update_profiles`), rows whose inputs are unchanged are reused and
only new or changed topics are computed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from index.protocols import FloatMatrix
from retrieval.alert_background import Background
from retrieval.alert_lexicon import topic_anchors
from retrieval.alert_profiles import topic_key, topic_similarities

_BLOCK = 512  # topics whose cosines to the background are held at once


@dataclass(frozen=True, eq=False)
class FittedAnchors:
    """Row i: the anchors of topic i (empty: no lexical guard), and what they came from."""

    anchors: tuple[frozenset[str], ...]
    keys: tuple[str, ...]  # phrase and topic vectors of each row
    background_key: str | None  # None: no background words, so no anchors
    min_precision: float | None  # None: the guard is off

    def __len__(self) -> int:
        return len(self.anchors)


def update_anchors(
    phrases: Sequence[str],
    topic_vectors: Sequence[FloatMatrix],
    background: Background | None,
    min_precision: float | None,
    *,
    previous: FittedAnchors | None = None,
) -> FittedAnchors:
    """Anchors of these topics on `background` (none without its words or with the guard
    off); rows of `previous` with the same phrase, vectors, background and precision are
    reused."""
    pairs = zip(phrases, topic_vectors, strict=True)
    keys = tuple(f"{phrase}\x00{topic_key(vectors)}" for phrase, vectors in pairs)
    if background is None or background.words is None or min_precision is None or not keys:
        return FittedAnchors(tuple(frozenset() for _ in keys), keys, None, min_precision)
    known: dict[str, frozenset[str]] = {}
    if previous is not None and (previous.background_key, previous.min_precision) == (
        background.key,
        min_precision,
    ):
        known = dict(zip(previous.keys, previous.anchors, strict=True))
    missing = list(dict.fromkeys(key for key in keys if key not in known))
    if missing:
        first = {key: row for row, key in reversed(list(enumerate(keys)))}
        for start in range(0, len(missing), _BLOCK):  # bounds memory: block x B cosines
            block = missing[start : start + _BLOCK]
            cosines, _ = topic_similarities(
                [topic_vectors[first[key]] for key in block], background.vectors
            )
            fresh = topic_anchors(
                [phrases[first[key]] for key in block],
                cosines,
                background.words,
                min_precision=min_precision,
            )
            known.update(zip(block, fresh, strict=True))
    return FittedAnchors(tuple(known[key] for key in keys), keys, background.key, min_precision)
