"""From parsed articles to stored chunks and indexed vectors, idempotently.

The database is the source of truth. The indexer commits articles and chunks first, then
embeds them; a crash in between leaves chunks without vectors, which `open()` embeds on
the next start (and vectors whose chunks are gone are removed). The index directory is
written as an atomic snapshot, so readers always see a complete index.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from index import store
from index.chunking import chunk_article
from index.db import session_scope
from index.identity import StoryClusterer, article_key, content_hash, fingerprint
from index.protocols import Embedder
from index.snapshot_io import IndexPair, empty_pair, load_pair, save_pair
from index.types import (
    Article,
    IngestReport,
    ParseFailure,
    StoredChunk,
    UpsertStatus,
)
from index.vectors import FaissVectorIndex

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexingConfig:
    chunk_words: int = 200
    overlap_words: int = 40
    approximate_threshold: int = 200_000
    threads: int = 2
    batch_articles: int = 64  # articles committed and embedded together
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
    """What `open()` repaired so the index matches the database."""

    added: int = 0
    removed: int = 0


@dataclass(frozen=True)
class NewChunks:
    """Chunks of new or updated articles with their vectors (input of the alert matcher)."""

    article_ids: tuple[int, ...]
    chunk_ids: np.ndarray
    chunk_article_ids: np.ndarray
    vectors: np.ndarray


ProgressCallback = Callable[[IngestProgress], None]
ChunksCallback = Callable[[NewChunks], None]


@dataclass
class _Tally:
    new: int = 0
    updated: int = 0
    duplicates: int = 0
    failures: list[ParseFailure] = field(default_factory=list)
    new_ids: list[int] = field(default_factory=list)
    seen: int = 0
    embedded: int = 0


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside a bulk load.

    Loading the story clusterer creates a few small containers per stored article; every
    few hundred of them the collector would rescan all live objects (measured: 5k articles
    loaded in 6.8 s with collections, 2.1 s without). Nothing loaded here forms cycles.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Stories:
    """The story clusterer of one ingest pass, read from the database only when the first
    new or changed article needs it: a pass meeting known articles only (a feed polled
    again) never reads the fingerprints of every stored article."""

    def __init__(self) -> None:
        self._clusterer: StoryClusterer | None = None

    def get(self, session: Session) -> StoryClusterer:
        """Loaded in the caller's transaction, so it also holds the article just upserted
        (the caller removes that one before searching, as it would an updated article)."""
        if self._clusterer is None:
            clusterer = StoryClusterer()
            with _gc_paused():
                for article_id, story_id, fp in store.iter_fingerprints(session=session):
                    story = story_id if story_id is not None else article_id
                    clusterer.add(article_id, story, fp)
            self._clusterer = clusterer
        return self._clusterer


def _batched(items: Iterable[Article | ParseFailure], size: int) -> Iterator[list]:
    batch: list[Article | ParseFailure] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Indexer:
    """Owns the writable vector and keyword indexes of one index directory."""

    def __init__(
        self,
        *,
        session_factory: sessionmaker[Session],
        embedder: Embedder,
        index_dir: Path,
        config: IndexingConfig | None = None,
    ) -> None:
        self._sessions = session_factory
        self._embedder = embedder
        self._index_dir = index_dir
        self._config = config or IndexingConfig()
        self._pair: IndexPair | None = None
        self._dirty = False

    @property
    def pair(self) -> IndexPair:
        if self._pair is None:
            raise RuntimeError("Indexer.open() must be called first")
        return self._pair

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    # -- lifecycle --------------------------------------------------------------------

    def open(self) -> SyncReport:
        """Load the saved index (or start empty) and make it match the database."""
        loaded = load_pair(
            self._index_dir,
            model_name=self._embedder.model_name,
            dimension=self._embedder.dimension,
            threads=self._config.threads,
        )
        self._pair = loaded or empty_pair(self._embedder.dimension, threads=self._config.threads)
        report = self._sync()
        if report.added or report.removed or loaded is None:
            self.save()
        return report

    def save(self) -> None:
        """Commit the current indexes as the live snapshot."""
        save_pair(self._index_dir, self.pair, model_name=self._embedder.model_name)
        self._dirty = False

    def _sync(self) -> SyncReport:
        with session_scope(self._sessions) as session:
            db_ids = store.all_chunk_ids(session=session)
        pair = self.pair
        orphans = np.union1d(
            np.setdiff1d(pair.vectors.ids(), db_ids), np.setdiff1d(pair.keywords.ids(), db_ids)
        )
        removed = 0
        if orphans.size:
            removed = max(pair.vectors.remove(orphans), pair.keywords.remove(orphans))
            log.info("removed %d vectors of deleted chunks", removed)
        missing = np.union1d(
            np.setdiff1d(db_ids, pair.vectors.ids()), np.setdiff1d(db_ids, pair.keywords.ids())
        )
        added = 0
        for start in range(0, missing.size, 1000):
            ids = missing[start : start + 1000]
            with session_scope(self._sessions) as session:
                chunks = list(store.iter_chunks(session=session, ids=ids.tolist()))
            self._index_chunks(chunks)
            added += len(chunks)
        if added:
            log.info("embedded %d chunks that were missing from the index", added)
        return SyncReport(added=added, removed=removed)

    # -- ingest -----------------------------------------------------------------------

    def ingest(
        self,
        items: Iterable[Article | ParseFailure],
        *,
        progress: ProgressCallback | None = None,
        on_chunks: ChunksCallback | None = None,
    ) -> IngestReport:
        """Store, chunk, embed and index articles; parse failures are counted and named."""
        started = time.monotonic()
        tally = _Tally()
        stories = _Stories()
        since_save = 0
        for batch in _batched(items, self._config.batch_articles):
            articles = [item for item in batch if isinstance(item, Article)]
            tally.failures.extend(item for item in batch if isinstance(item, ParseFailure))
            tally.seen += len(batch)
            chunks, removed, changed_ids = self._store_batch(articles, stories, tally)
            if removed:
                removed_ids = np.asarray(removed, dtype=np.int64)
                self.pair.vectors.remove(removed_ids)
                self.pair.keywords.remove(removed_ids)
            if chunks:
                vectors = self._index_chunks(chunks)
                tally.embedded += len(chunks)
                since_save += len(chunks)
                if on_chunks is not None:
                    on_chunks(
                        NewChunks(
                            article_ids=tuple(changed_ids),
                            chunk_ids=np.asarray([c.id for c in chunks], dtype=np.int64),
                            chunk_article_ids=np.asarray(
                                [c.article_id for c in chunks], dtype=np.int64
                            ),
                            vectors=vectors,
                        )
                    )
            if since_save >= self._config.save_every_chunks:
                self._finish_batch_save()
                since_save = 0
            if progress is not None:
                progress(
                    IngestProgress(
                        articles_seen=tally.seen,
                        chunks_embedded=tally.embedded,
                        chunks_pending=0,
                        new=tally.new,
                        updated=tally.updated,
                        duplicates=tally.duplicates,
                        failed=len(tally.failures),
                        elapsed_seconds=time.monotonic() - started,
                    )
                )
        if self._dirty:
            self._finish_batch_save()
        return IngestReport(
            new=tally.new,
            updated=tally.updated,
            duplicates=tally.duplicates,
            failures=tuple(tally.failures),
            new_article_ids=tuple(tally.new_ids),
            chunks_embedded=tally.embedded,
        )

    def _finish_batch_save(self) -> None:
        if self.pair.vectors.needs_rebuild(self._config.approximate_threshold):
            ids, vectors = self.pair.vectors.export()
            self._pair = IndexPair(
                vectors=FaissVectorIndex.build(
                    ids,
                    vectors,
                    approximate_threshold=self._config.approximate_threshold,
                    threads=self._config.threads,
                ),
                keywords=self.pair.keywords,
            )
        self.save()

    def _store_batch(
        self, articles: Sequence[Article], stories: _Stories, tally: _Tally
    ) -> tuple[list[StoredChunk], list[int], list[int]]:
        """One transaction: upsert the articles, assign stories, replace changed chunks."""
        chunks: list[StoredChunk] = []
        removed: list[int] = []
        changed: list[int] = []
        with session_scope(self._sessions) as session:
            for article in articles:
                fp = fingerprint(article.body)
                result = store.upsert_article(
                    session=session,
                    article=article,
                    key=article_key(article),
                    content_hash=content_hash(article.title, article.body),
                    fingerprint=fp,
                )
                if result.status is UpsertStatus.DUPLICATE:
                    tally.duplicates += 1
                    continue
                if result.status is UpsertStatus.NEW:
                    tally.new += 1
                    tally.new_ids.append(result.article_id)
                else:
                    tally.updated += 1
                removed.extend(result.removed_chunk_ids)
                clusterer = stories.get(session)
                clusterer.remove(result.article_id)  # its old text, or its row just read
                story = clusterer.find(fp, threshold=self._config.story_threshold)
                story_id = story if story is not None else result.article_id
                store.set_story(session=session, article_id=result.article_id, story_id=story_id)
                clusterer.add(result.article_id, story_id, fp)
                pieces = chunk_article(
                    article,
                    target_words=self._config.chunk_words,
                    overlap_words=self._config.overlap_words,
                )
                chunks.extend(
                    store.replace_chunks(
                        session=session, article_id=result.article_id, chunks=pieces
                    )
                )
                changed.append(result.article_id)
        return chunks, removed, changed

    def _index_chunks(self, chunks: Sequence[StoredChunk]) -> np.ndarray:
        if not chunks:
            return np.zeros((0, self._embedder.dimension), dtype=np.float32)
        ids = np.asarray([c.id for c in chunks], dtype=np.int64)
        texts = [c.embed_text for c in chunks]
        vectors = self._embedder.embed(texts)
        self.pair.vectors.add(ids, vectors)
        self.pair.keywords.add(ids, texts)
        self._dirty = True
        return vectors

    # -- full rebuild -------------------------------------------------------------------

    def rebuild(self, *, progress: ProgressCallback | None = None) -> int:
        """Re-embed every chunk into fresh indexes (after a model change); returns the count."""
        started = time.monotonic()
        with session_scope(self._sessions) as session:
            total = store.chunk_count(session=session)
        all_ids: list[np.ndarray] = []
        all_vectors: list[np.ndarray] = []
        keywords = empty_pair(self._embedder.dimension, threads=self._config.threads).keywords
        done = 0
        batch: list[StoredChunk] = []

        def flush() -> None:
            nonlocal done
            ids = np.asarray([c.id for c in batch], dtype=np.int64)
            texts = [c.embed_text for c in batch]
            all_ids.append(ids)
            all_vectors.append(self._embedder.embed(texts))
            keywords.add(ids, texts)
            done += len(batch)
            batch.clear()
            if progress is not None:
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

        with session_scope(self._sessions) as session:
            for chunk in store.iter_chunks(session=session):
                batch.append(chunk)
                if len(batch) >= 512:
                    flush()
            if batch:
                flush()
        dimension = self._embedder.dimension
        ids = np.concatenate(all_ids) if all_ids else np.zeros(0, dtype=np.int64)
        vectors = (
            np.vstack(all_vectors) if all_vectors else np.zeros((0, dimension), dtype=np.float32)
        )
        self._pair = IndexPair(
            vectors=FaissVectorIndex.build(
                ids,
                vectors,
                approximate_threshold=self._config.approximate_threshold,
                threads=self._config.threads,
            )
            if ids.size
            else FaissVectorIndex(dimension, threads=self._config.threads),
            keywords=keywords,
        )
        self.save()
        return done
