"""A small searchable world for search tests: articles -> store rows, catalog, FAISS, BM25."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from index.keyword import Bm25Index
from index.protocols import Embedder, KeywordIndex
from index.types import StoredArticle, StoredChunk
from index.vectors import FaissVectorIndex
from retrieval.catalog import ChunkCatalog
from retrieval.search import HybridSearcher, SearchSettings


@dataclass(frozen=True)
class Doc:
    """A test article: title, its chunks' texts, outlet, date, story cluster."""

    title: str
    chunks: tuple[str, ...]
    source: str | None = "Wire"
    published_at: datetime | None = None
    story_id: int | None = None
    url: str | None = None


@dataclass
class World:
    searcher: HybridSearcher
    embedder: Embedder
    vectors: FaissVectorIndex
    keywords: KeywordIndex
    catalog: ChunkCatalog
    rows: dict[int, tuple[StoredChunk, StoredArticle]]
    article_of_title: dict[str, int]
    loads: list[list[int]] = field(default_factory=list)

    def load(self, ids: Sequence[int]) -> dict[int, tuple[StoredChunk, StoredArticle]]:
        self.loads.append(list(ids))
        return {doc: self.rows[doc] for doc in ids if doc in self.rows}


def build_world(
    docs: Sequence[Doc], embedder: Embedder, *, settings: SearchSettings | None = None
) -> World:
    """Store, embed and index `docs`; article ids count from 1, chunk ids from 100."""
    rows: dict[int, tuple[StoredChunk, StoredArticle]] = {}
    article_of_title: dict[str, int] = {}
    chunk_id = 100
    for article_id, doc in enumerate(docs, start=1):
        article = StoredArticle(
            id=article_id,
            key=doc.url or f"sha256:{article_id}",
            title=doc.title,
            body="\n\n".join(doc.chunks),
            source=doc.source,
            published_at=doc.published_at,
            url=doc.url,
            language="en",
            content_hash=f"hash-{article_id}",
            story_id=doc.story_id,
        )
        article_of_title[doc.title] = article_id
        for ordinal, text in enumerate(doc.chunks):
            date = doc.published_at.date().isoformat() if doc.published_at else ""
            embed_text = f"{doc.title}\n{date}\n\n{text}"
            rows[chunk_id] = (StoredChunk(chunk_id, article_id, ordinal, text, embed_text), article)
            chunk_id += 1
    ids = np.fromiter(rows, dtype=np.int64)
    vectors = FaissVectorIndex(embedder.dimension, threads=1)
    vectors.add(ids, embedder.embed([rows[i][0].embed_text for i in ids.tolist()]))
    keywords = Bm25Index()
    keywords.add(ids, [rows[i][0].embed_text for i in ids.tolist()])
    catalog = ChunkCatalog.from_rows(
        (doc, a.id, a.published_at, a.source, a.story_id) for doc, (_, a) in rows.items()
    )
    world = World(
        searcher=None,  # type: ignore[arg-type]  # set just below: it needs world.load
        embedder=embedder,
        vectors=vectors,
        keywords=keywords,
        catalog=catalog,
        rows=rows,
        article_of_title=article_of_title,
    )
    world.searcher = HybridSearcher(
        embedder, vectors, keywords, catalog, world.load, settings=settings
    )
    return world
