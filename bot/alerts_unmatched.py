"""The articles left unmatched against subscriptions, read back with their vectors.

An ingest that matches alerts records its articles as unmatched when it stores them
(`index/store_unmatched.py`); a crash or a failed match leaves them so. These read them
back a batch at a time for `AlertMatcher.match_pending`, with the vectors the index
already holds; `new_articles` turns chunks into the matcher's input.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from index.db import session_scope
from index.pipeline import NewChunks
from index.protocols import VectorIndex
from index.store_chunks import chunk_owners
from index.store_unmatched import unmatched_after
from index.types import StoredArticle
from retrieval.alerts import NewArticles

log = logging.getLogger(__name__)

UNMATCHED_BATCH = 256  # articles left unmatched, matched together (bounded memory)
IndexSource = Callable[[], VectorIndex | None]


def last_chunks(chunks: NewChunks) -> dict[int, int]:
    """Article id -> the highest of its chunk ids in `chunks` (0 for none): what
    `clear_unmatched` needs to keep an article updated since unmatched."""
    seen = dict.fromkeys((int(a) for a in chunks.article_ids), 0)
    owners = np.asarray(chunks.chunk_article_ids, dtype=np.int64).tolist()
    for chunk_id, owner in zip(np.asarray(chunks.chunk_ids).tolist(), owners, strict=True):
        if owner in seen and chunk_id > seen[owner]:
            seen[owner] = chunk_id
    return seen


def unmatched_chunks(
    sessions: sessionmaker[Session], index: IndexSource, *, batch: int = UNMATCHED_BATCH
) -> Iterator[NewChunks]:
    """The unmatched articles, `batch` at a time in id order, with their chunk vectors
    read from `index()` (called once, when there is something to match).

    An article with a chunk the index does not hold is skipped: the next `Indexer.open()`
    embeds the chunk, and a later run matches the article.
    """
    vectors: VectorIndex | None = None
    after = 0
    while True:
        with session_scope(sessions) as session:
            ids = unmatched_after(session=session, after=after, limit=batch)
            chunk_ids, owners = chunk_owners(session=session, article_ids=ids)
        if not ids:
            return
        after = ids[-1]
        if vectors is None:
            vectors = index()
            if vectors is None:
                return
        found, rows = vectors.vectors_of(chunk_ids)  # sorted by id, as chunk_ids
        held = np.isin(chunk_ids, found)
        waiting = set(owners[~held].tolist())
        if waiting:
            log.info("%d unmatched articles wait for their vectors", len(waiting))
        keep = ~np.isin(owners[held], list(waiting))
        ready = tuple(a for a in ids if a not in waiting)
        if ready:
            yield NewChunks(
                article_ids=ready,
                chunk_ids=found[keep],
                chunk_article_ids=owners[held][keep],
                vectors=rows[keep],
            )


def new_articles(
    chunks: NewChunks, articles: dict[int, StoredArticle], chunk_texts: dict[int, str]
) -> NewArticles:
    """The matcher's input: articles still stored, each with its chunks, vectors and texts."""
    owners = np.asarray(chunks.chunk_article_ids, dtype=np.int64)
    keep = np.isin(owners, np.fromiter(articles, dtype=np.int64, count=len(articles)))
    keep &= np.isin(np.asarray(chunks.chunk_ids, dtype=np.int64), list(chunk_texts))
    ids = list(dict.fromkeys(int(x) for x in owners[keep]))
    return NewArticles(
        article_ids=ids,
        titles=[articles[a].title for a in ids],
        bodies=[articles[a].body for a in ids],
        chunk_vectors=np.asarray(chunks.vectors, dtype=np.float32)[keep],
        chunk_article_ids=owners[keep],
        chunk_texts=[chunk_texts[int(c)] for c in np.asarray(chunks.chunk_ids)[keep]],
    )
