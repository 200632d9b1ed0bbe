"""Glue between the store and the searcher: the chunk catalog and the passage loader."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session, sessionmaker

from index import store
from index.db import session_scope
from index.types import StoredArticle, StoredChunk
from retrieval.catalog import ChunkCatalog
from retrieval.passage_loading import PassageLoader


def build_catalog(session_factory: sessionmaker[Session]) -> ChunkCatalog:
    """Metadata of every stored chunk, for filtering and grouping search results."""
    with session_scope(session_factory) as session:
        meta = store.chunk_meta(session=session)
    return ChunkCatalog.from_arrays(
        meta.chunk_ids, meta.article_ids, meta.published, meta.sources, meta.story_ids
    )


def passage_loader(session_factory: sessionmaker[Session]) -> PassageLoader:
    """A loader of chunk texts and their articles, one short read transaction per call."""

    def load(ids: Sequence[int]) -> Mapping[int, tuple[StoredChunk, StoredArticle]]:
        with session_scope(session_factory) as session:
            chunks = store.get_chunks(session=session, ids=list(ids))
            articles = store.get_articles(
                session=session, ids=sorted({c.article_id for c in chunks.values()})
            )
        return {
            chunk_id: (chunk, articles[chunk.article_id])
            for chunk_id, chunk in chunks.items()
            if chunk.article_id in articles
        }

    return load
