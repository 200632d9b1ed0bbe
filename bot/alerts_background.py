"""Where the alert matcher's background comes from: the newest articles of the index.

The corpus route of the matcher (`retrieval/alert_background.py`) learns how far each
topic reaches from the most recent articles (one vector each, the mean of its chunk
vectors). Those vectors are already in the vector index: a source exports them from the
index this process holds (`newsbot ingest`), or from the live snapshot on disk (the bot).
A large index is not copied: above `max_vectors` the corpus route stays off (the direct
route alone then decides) until the index layer can hand out the vectors of given ids.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from index import store
from index.db import session_scope
from index.protocols import Embedder, FloatMatrix, IdArray
from index.vectors import FaissVectorIndex
from retrieval.alert_background import Background, article_vectors, build_background
from retrieval.alert_defaults import BACKGROUND_SIZE, MIN_BACKGROUND

log = logging.getLogger(__name__)

BackgroundSource = Callable[[], Background | None]
Export = Callable[[], tuple[IdArray, FloatMatrix]]  # all (ids, vectors) of an index
MAX_EXPORTED_VECTORS = 200_000  # ~300 MB of 384-d float32 copied at most


def background_from(
    sessions: sessionmaker[Session],
    index: Callable[[], FaissVectorIndex | None],
    *,
    size: int = BACKGROUND_SIZE,
    max_vectors: int = MAX_EXPORTED_VECTORS,
) -> BackgroundSource:
    """A source over the newest `size` articles, their chunk vectors read from `index()`."""

    def build() -> Background | None:
        vectors = index()
        if vectors is None:
            return None
        if len(vectors) > max_vectors:
            log.info("alert background off: %d vectors is more than %d", len(vectors), max_vectors)
            return None
        return recent_background(sessions, vectors.export, size=size)

    return build


def snapshot_index(index_dir: Path, embedder: Embedder) -> Callable[[], FaissVectorIndex | None]:
    """The live vector snapshot of `index_dir`, loaded afresh at each call."""

    def load() -> FaissVectorIndex | None:
        return FaissVectorIndex.load(
            index_dir, expected_model=embedder.model_name, expected_dimension=embedder.dimension
        )

    return load


def recent_background(
    sessions: sessionmaker[Session], export: Export, *, size: int = BACKGROUND_SIZE
) -> Background | None:
    """The background of the newest `size` articles; None when too few are indexed."""
    with session_scope(sessions) as session:
        recent = [a.id for a in store.latest_articles(session=session, limit=size)]
        chunks = store.chunks_for_articles(session=session, article_ids=recent)
    if len({c.article_id for c in chunks}) < MIN_BACKGROUND:
        return None
    ids, vectors = export()  # sorted by id
    wanted = np.asarray([c.id for c in chunks], dtype=np.int64)
    owners = np.asarray([c.article_id for c in chunks], dtype=np.int64)
    slots = np.minimum(np.searchsorted(ids, wanted), max(len(ids) - 1, 0))
    present = ids[slots] == wanted if len(ids) else np.zeros(len(wanted), dtype=bool)
    if int(np.unique(owners[present]).size) < MIN_BACKGROUND:
        return None
    _, article_rows = article_vectors(vectors[slots[present]], owners[present])
    return build_background(article_rows)
