"""One numbered source per article: chunks of the same article are merged (pure)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from retrieval.context import overlap_words
from retrieval.types import Passage

PASSAGE_JOINER = " … "
MIN_SHARED_WORDS = 3  # a shorter repeat at a join may be chance ("the", "in 2022")


def merge_by_article(passages: Sequence[Passage]) -> list[Passage]:
    """Merge passages of one article into one source, ranked where its best chunk ranked.

    Citing the same article as [1] and [2] would list it twice under Sources; a merged
    passage keeps the chunks' texts in reading order (chunk ids grow with the ordinal).
    Texts that continue each other (consecutive chunks share their boundary sentences,
    and widened passages can meet) are joined without the repeat; others with an ellipsis.
    """
    groups: dict[int, list[Passage]] = {}
    for passage in passages:
        groups.setdefault(passage.article_id, []).append(passage)
    merged: list[Passage] = []
    for group in groups.values():
        if len(group) == 1:
            merged.append(group[0])
            continue
        best = group[0]
        in_order = sorted(group, key=lambda p: p.chunk_id)
        merged.append(
            dataclasses.replace(
                best,
                text=_join([p.text for p in in_order]),
                score=max(p.score for p in group),
                similarity=max(p.similarity for p in group),
                span=None,  # several chunks now: no single retrieved span
            )
        )
    return merged


def _join(texts: Sequence[str]) -> str:
    joined = texts[0]
    for text in texts[1:]:
        shared = overlap_words(joined, text)
        if shared >= MIN_SHARED_WORDS:
            joined = f"{joined} {' '.join(text.split()[shared:])}".rstrip()
        else:
            joined = f"{joined}{PASSAGE_JOINER}{text}"
    return joined
