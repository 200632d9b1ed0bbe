"""What crosses the indexer's boundary: its settings, progress, repair report, new chunks
(and `merge_new_chunks`, which joins the per-batch ones of one run)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class IndexingConfig:
    chunk_words: int = 200
    overlap_words: int = 40
    approximate_threshold: int = 200_000
    threads: int = 2
    batch_articles: int = 64  # articles committed together
    # Stored chunks embedded together: one group, sorted by length, fills the model's batches
    # evenly (the pipeline's encode then costs what one bare encode of all texts costs).
    embed_chunks: int = 1024
    embed_slice: int = 256  # embedded per call within a group (progress between calls)
    save_every_chunks: int = 5_000  # snapshot this often during long runs
    story_threshold: float = 0.6  # MinHash similarity of syndicated copies of one story


@dataclass(frozen=True)
class IngestProgress:
    """Where a running ingest is; `chunks_pending` are stored but not embedded yet."""

    articles_seen: int
    chunks_embedded: int
    chunks_pending: int
    new: int
    updated: int
    duplicates: int
    failed: int
    elapsed_seconds: float


@dataclass(frozen=True)
class SyncReport:
    """What `open()` repaired so the index matches the database: chunks embedded (added),
    vectors of deleted chunks removed, and chunks still without vectors (missing: the
    opener did not embed them); `fresh` when no snapshot had been saved before."""

    added: int = 0
    removed: int = 0
    missing: int = 0
    fresh: bool = False


@dataclass(frozen=True)
class NewChunks:
    """Chunks of new or updated articles with their vectors (input of the alert matcher)."""

    article_ids: tuple[int, ...]
    chunk_ids: np.ndarray
    chunk_article_ids: np.ndarray
    vectors: np.ndarray


ProgressCallback = Callable[[IngestProgress], None]
# Told before a repair embeds anything: (chunks to embed, whether the index started empty).
RepairNotice = Callable[[int, bool], None]
ChunksCallback = Callable[[NewChunks], None]


def merge_new_chunks(parts: list[NewChunks]) -> NewChunks | None:
    """One `NewChunks` out of the per-batch ones (None when nothing was indexed)."""
    parts = [p for p in parts if p.chunk_ids.size]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    article_ids = tuple(dict.fromkeys(a for p in parts for a in p.article_ids))
    return NewChunks(
        article_ids=article_ids,
        chunk_ids=np.concatenate([p.chunk_ids for p in parts]),
        chunk_article_ids=np.concatenate([p.chunk_article_ids for p in parts]),
        vectors=np.vstack([p.vectors for p in parts]),
    )
