"""Where the alert matcher's background comes from: the newest articles of the index.

The corpus route of the matcher (`retrieval/alert_background.py`) learns how far each
topic reaches from the most recent articles (one vector each, the mean of its chunk
vectors). Those vectors are already in the vector index: a source reads the vectors of
just those chunks from the index this process serves (the bot's searcher) or holds
(`newsbot ingest`), so nothing is re-embedded and the index is never copied whole.
The same index gives the article vectors of same-event folding (`IndexBackground.events`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from bot.alerts_events import ArticleVectors, indexed_vectors
from index import store
from index.db import session_scope
from index.indexing_types import NewChunks
from index.protocols import Embedder, FloatMatrix, IdArray, VectorIndex
from index.snapshot import current_version
from index.vectors import FaissVectorIndex
from retrieval.alert_background import Background, article_vectors, build_background
from retrieval.alert_defaults import BACKGROUND_SIZE, MIN_BACKGROUND

log = logging.getLogger(__name__)

BackgroundSource = Callable[[], Background | None]
VectorsOf = Callable[[IdArray], tuple[IdArray, FloatMatrix]]  # stored vectors of given ids


@dataclass(frozen=True)
class IndexBackground:
    """A `BackgroundSource` over the newest `size` articles, their chunk vectors read from
    `index()`; and that index's article vectors, for same-event folding (`events`)."""

    sessions: sessionmaker[Session]
    index: Callable[[], VectorIndex | None]
    size: int = BACKGROUND_SIZE

    def __call__(self) -> Background | None:
        vectors = self.index()
        if vectors is None:
            return None
        return recent_background(self.sessions, vectors.vectors_of, size=self.size)

    def events(self, fresh: NewChunks | None = None) -> ArticleVectors:
        """Article vectors for `queue_matches(events=...)`: a batch being matched from its
        own chunks (`fresh`: the index may not hold it yet), the others from the index."""
        return indexed_vectors(self.index, fresh)


def background_from(
    sessions: sessionmaker[Session],
    index: Callable[[], VectorIndex | None],
    *,
    size: int = BACKGROUND_SIZE,
) -> IndexBackground:
    """A source over the newest `size` articles, their chunk vectors read from `index()`."""
    return IndexBackground(sessions, index, size)


class SnapshotIndex:
    """The live vector snapshot of `index_dir` (for a process that holds no index of its
    own), loaded once and again only when `CURRENT` names another snapshot: a re-index asks
    for it at every batch, and a snapshot of 300k vectors is ~470 MB to read. Snapshots are
    never modified once committed (`index/snapshot.py`), so one kept is as good as one read.
    Thread-safe: the matcher calls it from its worker thread."""

    def __init__(self, index_dir: Path, embedder: Embedder) -> None:
        self._dir = index_dir
        self._model = embedder.model_name
        self._dimension = embedder.dimension
        self._lock = threading.Lock()
        self._held: tuple[str, FaissVectorIndex] | None = None

    def __call__(self) -> FaissVectorIndex | None:
        with self._lock:
            version = current_version(self._dir)
            if version is None:
                self._held = None
                return None
            if self._held is not None and self._held[0] == version:
                return self._held[1]
            self._held = None  # let the old one go before the new one is read
            # Read CURRENT again inside: a snapshot replaced meanwhile is read as the newer
            # one but kept under the older name, so the next call only reads it once more.
            index = FaissVectorIndex.load(
                self._dir, expected_model=self._model, expected_dimension=self._dimension
            )
            if index is not None:
                self._held = (version, index)
            return index


def snapshot_index(index_dir: Path, embedder: Embedder) -> SnapshotIndex:
    """The live vector snapshot of `index_dir`, read again only when it changed."""
    return SnapshotIndex(index_dir, embedder)


def recent_background(
    sessions: sessionmaker[Session], vectors_of: VectorsOf, *, size: int = BACKGROUND_SIZE
) -> Background | None:
    """The background of the newest `size` articles; None when too few are indexed."""
    with session_scope(sessions) as session:
        latest = store.latest_articles(session=session, limit=size)
        chunks = store.chunks_for_articles(session=session, article_ids=[a.id for a in latest])
    # Their words tell which of a topic's words anchor it (`retrieval/alert_lexicon.py`).
    text_of = {a.id: f"{a.title}\n{a.body}" for a in latest}
    if len({c.article_id for c in chunks}) < MIN_BACKGROUND:
        return None
    owner_of = {c.id: c.article_id for c in chunks}
    ids, vectors = vectors_of(np.asarray(list(owner_of), dtype=np.int64))
    owners = np.asarray([owner_of[int(i)] for i in ids], dtype=np.int64)
    if int(np.unique(owners).size) < MIN_BACKGROUND:
        return None
    article_ids, article_rows = article_vectors(vectors, owners)
    return build_background(article_rows, texts=[text_of[int(i)] for i in article_ids])
