"""A full rebuild: every stored chunk embedded again into fresh vector and keyword indexes."""

from __future__ import annotations

import time

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from index import store
from index.db import session_scope
from index.indexing_types import IndexingConfig, IngestProgress, ProgressCallback
from index.keyword import Bm25Index
from index.protocols import Embedder
from index.snapshot_io import IndexPair
from index.types import StoredChunk
from index.vectors import FaissVectorIndex

REBUILD_BATCH = 512  # chunks embedded together


def rebuild_pair(
    sessions: sessionmaker[Session],
    embedder: Embedder,
    config: IndexingConfig,
    *,
    progress: ProgressCallback | None = None,
) -> tuple[IndexPair, int]:
    """New indexes over every stored chunk (after a model change), and the chunk count.

    The index kind (flat or approximate) is chosen for the final size, once.
    """
    started = time.monotonic()
    with session_scope(sessions) as session:
        total = store.chunk_count(session=session)
    keywords = Bm25Index()
    id_parts: list[np.ndarray] = []
    vector_parts: list[np.ndarray] = []
    with session_scope(sessions) as session:
        batch: list[StoredChunk] = []
        for chunk in store.iter_chunks(session=session):
            batch.append(chunk)
            if len(batch) < REBUILD_BATCH:
                continue
            _embed_batch(batch, embedder, keywords, id_parts, vector_parts)
            batch = []
            _report(progress, sum(map(len, id_parts)), total, started)
        if batch:
            _embed_batch(batch, embedder, keywords, id_parts, vector_parts)
            _report(progress, sum(map(len, id_parts)), total, started)
    done = sum(map(len, id_parts))
    if not done:
        vectors = FaissVectorIndex(embedder.dimension, threads=config.threads)
    else:
        vectors = FaissVectorIndex.build(
            np.concatenate(id_parts),
            np.vstack(vector_parts),
            approximate_threshold=config.approximate_threshold,
            threads=config.threads,
        )
    return IndexPair(vectors=vectors, keywords=keywords), done


def _embed_batch(
    batch: list[StoredChunk],
    embedder: Embedder,
    keywords: Bm25Index,
    id_parts: list[np.ndarray],
    vector_parts: list[np.ndarray],
) -> None:
    ids = np.asarray([c.id for c in batch], dtype=np.int64)
    texts = [c.embed_text for c in batch]
    id_parts.append(ids)
    vector_parts.append(embedder.embed(texts))
    keywords.add(ids, texts)


def _report(progress: ProgressCallback | None, done: int, total: int, started: float) -> None:
    if progress is None:
        return
    progress(
        IngestProgress(
            articles_seen=0,
            chunks_embedded=done,
            chunks_pending=total - done,
            new=0,
            updated=0,
            duplicates=0,
            failed=0,
            elapsed_seconds=time.monotonic() - started,
        )
    )
