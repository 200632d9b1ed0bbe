"""From parsed articles to stored chunks and indexed vectors, idempotently.

The database is the source of truth. The indexer commits articles and chunks first
(`index/ingest_batch.py`), then embeds them; a crash in between leaves chunks without
vectors, which `open()` embeds on the next start (and vectors whose chunks are gone are
removed: `index/index_sync.py`). Chunks of several committed batches are embedded together
(`embed_chunks`), longest first: the model then pads and batches as one bare encode of all
the texts would, where batch by batch cost ~3 % more padded tokens on the Wikinews sample.
The index directory is written as an atomic snapshot, so readers always see a complete index.

An ingest with an `on_chunks` listener (the alert matcher) records its new and updated
articles as unmatched in the transaction that stores them, and the listener clears them
once matched: articles a crash kept from it are matched by a later run
(`AlertMatcher.match_pending` in bot/alerts_matcher.py).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from index.errors import IndexFolderError
from index.index_sync import sync_with_database
from index.indexing_types import (
    ChunksCallback,
    IndexingConfig,
    IngestProgress,
    NewChunks,
    ProgressCallback,
    RepairNotice,
    SyncReport,
)
from index.ingest_batch import IngestTally, first_of_each_key, store_batch
from index.pending_chunks import PendingChunks
from index.protocols import Embedder
from index.rebuild import rebuild_pair
from index.snapshot_io import IndexPair, empty_pair, load_pair, save_pair
from index.store_common import batched
from index.stories import LazyStories
from index.types import Article, IngestReport, ParseFailure, StoredChunk
from index.vectors import FaissVectorIndex

__all__ = [
    "ChunksCallback",
    "Indexer",
    "IndexingConfig",
    "IngestProgress",
    "NewChunks",
    "ProgressCallback",
    "RepairNotice",
    "SyncReport",
]


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

    def open(
        self,
        *,
        progress: ProgressCallback | None = None,
        embed_missing: bool = True,
        write: bool = True,
        notice: RepairNotice | None = None,
    ) -> SyncReport:
        """Load the saved index (or start empty) and make it match the database.

        `progress` hears about the chunks embedded because the index lacked them (a run
        killed between storing and embedding), as they go; `notice` once before, with
        their count. Without `embed_missing` they are only counted (`missing`); without
        `write` nothing is saved (a reader that does not hold the refresh lock): vectors of
        deleted chunks are then dropped from memory only.
        """
        loaded = load_pair(
            self._index_dir,
            model_name=self._embedder.model_name,
            dimension=self._embedder.dimension,
            threads=self._config.threads,
        )
        self._pair = loaded or empty_pair(self._embedder.dimension, threads=self._config.threads)
        fresh = loaded is None
        report = sync_with_database(
            self._sessions,
            self.pair,
            self._index_chunks if embed_missing else None,
            embed_slice=self._config.embed_slice,
            progress=progress,
            before_embedding=(lambda count: notice(count, fresh)) if notice else None,
        )
        if write and (report.added or report.removed or fresh):
            self.save()
        return dataclasses.replace(report, fresh=fresh)

    def save(self) -> None:
        """Commit the current indexes as the live snapshot (IndexFolderError when the
        folder cannot take it: a full disk, a read-only folder)."""
        try:
            save_pair(self._index_dir, self.pair, model_name=self._embedder.model_name)
        except OSError as exc:
            raise IndexFolderError(self._index_dir, exc) from exc
        self._dirty = False

    # -- ingest -----------------------------------------------------------------------

    def ingest(
        self,
        items: Iterable[Article | ParseFailure],
        *,
        progress: ProgressCallback | None = None,
        on_chunks: ChunksCallback | None = None,
    ) -> IngestReport:
        """Store, chunk, embed and index articles; parse failures are counted and named.

        With `on_chunks`, new and updated articles are stored as unmatched
        (`index/store_unmatched.py`) until the listener has matched them.
        """
        started = time.monotonic()
        tally = IngestTally()
        stories = LazyStories()
        pending = PendingChunks()
        since_save = 0

        def report() -> None:
            if progress is not None:
                progress(
                    IngestProgress(
                        articles_seen=tally.seen,
                        chunks_embedded=tally.embedded,
                        chunks_pending=len(pending.chunks) + pending.embedding,
                        new=tally.new,
                        updated=tally.updated,
                        duplicates=tally.duplicates,
                        failed=len(tally.failures),
                        elapsed_seconds=time.monotonic() - started,
                    )
                )

        for batch in batched(items, self._config.batch_articles):
            articles = first_of_each_key(
                [item for item in batch if isinstance(item, Article)], tally
            )
            tally.failures.extend(item for item in batch if isinstance(item, ParseFailure))
            tally.seen += len(batch)
            chunks, removed, changed_ids = store_batch(
                self._sessions,
                articles,
                stories=stories,
                tally=tally,
                config=self._config,
                unmatched=on_chunks is not None,
            )
            if removed:
                pending.drop(removed)  # an article updated again before it was embedded
                removed_ids = np.asarray(removed, dtype=np.int64)
                self.pair.vectors.remove(removed_ids)
                self.pair.keywords.remove(removed_ids)
            pending.add(chunks, changed_ids)
            if len(pending.chunks) >= self._config.embed_chunks:
                since_save += self._embed_pending(pending, tally, on_chunks, report)
            if since_save >= self._config.save_every_chunks:
                self._finish_batch_save()
                since_save = 0
            report()
        if pending.chunks:
            self._embed_pending(pending, tally, on_chunks, report)
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

    def _embed_pending(
        self,
        pending: PendingChunks,
        tally: IngestTally,
        on_chunks: ChunksCallback | None,
        report: Callable[[], None],
    ) -> int:
        """Embed and index the stored chunks waiting in `pending` (emptied); their count.

        Texts go to the model longest first, in slices: every slice but the last fills
        whole model batches of similar lengths, and progress is reported between slices.
        """
        chunks, article_ids = pending.take()
        texts = [c.embed_text for c in chunks]
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        vectors = np.empty((len(texts), self._embedder.dimension), dtype=np.float32)
        step = max(1, self._config.embed_slice)
        for start in range(0, len(order), step):
            part = order[start : start + step]
            vectors[part] = self._embedder.embed([texts[i] for i in part])
            tally.embedded += len(part)
            pending.embedding = len(chunks) - start - len(part)
            report()
        pending.embedding = 0
        self._index_chunks(chunks, vectors)
        if on_chunks is not None:
            on_chunks(
                NewChunks(
                    article_ids=tuple(article_ids),
                    chunk_ids=np.asarray([c.id for c in chunks], dtype=np.int64),
                    chunk_article_ids=np.asarray([c.article_id for c in chunks], dtype=np.int64),
                    vectors=vectors,
                )
            )
        return len(chunks)

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

    def _index_chunks(
        self, chunks: Sequence[StoredChunk], vectors: np.ndarray | None = None
    ) -> np.ndarray:
        """Add chunks to both indexes, embedding them unless their `vectors` are given."""
        if not chunks:
            return np.zeros((0, self._embedder.dimension), dtype=np.float32)
        ids = np.asarray([c.id for c in chunks], dtype=np.int64)
        texts = [c.embed_text for c in chunks]
        if vectors is None:
            vectors = self._embedder.embed(texts)
        self.pair.vectors.add(ids, vectors)
        self.pair.keywords.add(ids, texts)
        self._dirty = True
        return vectors

    # -- full rebuild -------------------------------------------------------------------

    def rebuild(self, *, progress: ProgressCallback | None = None) -> int:
        """Re-embed every chunk into fresh indexes (after a model change); returns the count."""
        self._pair, done = rebuild_pair(
            self._sessions, self._embedder, self._config, progress=progress
        )
        self.save()
        return done
