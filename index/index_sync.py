"""The index made to match the database, which is the source of truth (`Indexer.open`).

Vectors whose chunks are gone are removed; chunks without vectors (a run killed between
committing its articles and embedding them) are embedded, a thousand read at a time and
`embed_slice` embedded at a time, with progress reported between slices. A reader that may
not write the index (another process holds it, or the folder is read-only) passes no
embedding function: the missing chunks are only counted, and are not found until a writer
has embedded them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from index import store
from index.db import session_scope
from index.indexing_types import IngestProgress, ProgressCallback, SyncReport
from index.snapshot_io import IndexPair
from index.types import StoredChunk

log = logging.getLogger(__name__)


def sync_with_database(
    sessions: sessionmaker[Session],
    pair: IndexPair,
    index_chunks: Callable[[Sequence[StoredChunk]], object] | None,
    *,
    embed_slice: int,
    progress: ProgressCallback | None = None,
    before_embedding: Callable[[int], None] | None = None,
) -> SyncReport:
    """Remove vectors of deleted chunks from `pair`, and add the missing chunks with
    `index_chunks` (which embeds them; None: count them only); what was added, removed and
    left missing. `before_embedding` hears how many chunks are about to be embedded."""
    started = time.monotonic()
    with session_scope(sessions) as session:
        db_ids = store.all_chunk_ids(session=session)
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
    if index_chunks is None:
        return SyncReport(removed=removed, missing=int(missing.size))

    def report() -> None:
        if progress is not None:
            progress(
                IngestProgress(
                    articles_seen=0,
                    chunks_embedded=added,
                    chunks_pending=max(0, int(missing.size) - added),
                    new=0,
                    updated=0,
                    duplicates=0,
                    failed=0,
                    elapsed_seconds=time.monotonic() - started,
                )
            )

    if missing.size:
        if before_embedding is not None:
            before_embedding(int(missing.size))
        report()  # the repair starts: a progress display can say so before the model runs
    step = max(1, embed_slice)  # progress between slices
    for start in range(0, missing.size, 1000):
        ids = missing[start : start + 1000]
        with session_scope(sessions) as session:
            chunks = list(store.iter_chunks(session=session, ids=ids.tolist()))
        for first in range(0, len(chunks), step):
            index_chunks(chunks[first : first + step])
            added += len(chunks[first : first + step])
            report()
    if added:
        log.info("embedded %d chunks that were missing from the index", added)
    return SyncReport(added=added, removed=removed)
