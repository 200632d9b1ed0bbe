"""Trimming a batch of new chunks to the articles still to be handed to the hooks."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from index.pipeline import NewChunks


def without_articles(chunks: NewChunks, skip: Collection[int]) -> NewChunks | None:
    """`chunks` less the articles in `skip` (None when none is left; pure)."""
    if not skip:
        return chunks
    ids = tuple(a for a in chunks.article_ids if a not in skip)
    if not ids:
        return None
    keep = ~np.isin(np.asarray(chunks.chunk_article_ids, dtype=np.int64), list(skip))
    return NewChunks(
        article_ids=ids,
        chunk_ids=np.asarray(chunks.chunk_ids)[keep],
        chunk_article_ids=np.asarray(chunks.chunk_article_ids)[keep],
        vectors=np.asarray(chunks.vectors)[keep],
    )
