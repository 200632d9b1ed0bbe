"""One numbered source per article: chunks of the same article are merged (pure)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from retrieval.types import Passage

PASSAGE_JOINER = " … "


def merge_by_article(passages: Sequence[Passage]) -> list[Passage]:
    """Merge passages of one article into one source, ranked where its best chunk ranked.

    Citing the same article as [1] and [2] would list it twice under Sources; a merged
    passage keeps the chunks' texts in reading order (chunk ids grow with the ordinal).
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
                text=PASSAGE_JOINER.join(p.text for p in in_order),
                score=max(p.score for p in group),
                similarity=max(p.similarity for p in group),
            )
        )
    return merged
