"""The final passages of a search: chosen from the ranked chunks, loaded from the store
together with their neighbouring chunks in one read, and widened by them.

A chunk deleted from the store since indexing (the indexes lag the database by at most one
refresh) is dropped and the next candidate moves up.

`Passage.similarity` is the cosine of the query to the chunk. For chunks the dense search
returned it is their dense score. For the few final chunks it did not return (found by
BM25 alone, or listed by date for a question without a topic), the vector index is asked
again restricted to exactly those ids (exact and cheap on the flat index, which scores
small allowed sets directly); any it still cannot score (an approximate index may miss
them) are re-embedded from their stored `embed_text`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from index.protocols import Embedder, FloatMatrix, VectorIndex
from index.types import StoredArticle, StoredChunk
from retrieval.catalog import ChunkCatalog
from retrieval.context import neighbour_candidates, widen
from retrieval.fusion import select_passages
from retrieval.search_settings import SearchSettings
from retrieval.types import Passage

logger = logging.getLogger(__name__)

Rows = Mapping[int, tuple[StoredChunk, StoredArticle]]
PassageLoader = Callable[[Sequence[int]], Rows]

_ATTEMPTS = 3  # choose-and-load rounds when chunks have gone from the store


def choose_and_load(
    load: PassageLoader,
    catalog: ChunkCatalog,
    ranked: list[tuple[int, float]],
    articles: list[int],
    stories: list[int],
    *,
    k: int,
    settings: SearchSettings,
) -> tuple[list[tuple[int, float]], Rows]:
    """The final k (chunk id, score), grouped by article and story, and the stored rows of
    them and of their neighbours (`settings.context_chunks` on each side)."""
    for _ in range(_ATTEMPTS):
        chosen = select_passages(
            ranked,
            articles,
            stories,
            k=k,
            max_per_article=settings.max_chunks_per_article,
            collapse_stories=settings.collapse_stories,
        )
        ids = [doc for doc, _ in chosen]
        loaded = load([*ids, *neighbours(catalog, ids, settings.context_chunks)])
        missing = {doc for doc in ids if doc not in loaded}
        if not missing:
            return chosen, loaded
        logger.debug("chunks gone from the store since indexing: %s", sorted(missing))
        keep = [i for i, (doc, _) in enumerate(ranked) if doc not in missing]
        ranked = [ranked[i] for i in keep]
        articles = [articles[i] for i in keep]
        stories = [stories[i] for i in keep]
    return [(doc, score) for doc, score in chosen if doc in loaded], loaded


def neighbours(catalog: ChunkCatalog, chunk_ids: Sequence[int], radius: int) -> list[int]:
    """Ids of the chunks next to `chunk_ids` within their own articles."""
    if radius == 0 or not chunk_ids:
        return []
    wanted = np.asarray(neighbour_candidates(chunk_ids, radius), dtype=np.int64)
    own = catalog.article_of(np.asarray(chunk_ids, dtype=np.int64))
    keep = np.isin(catalog.article_of(wanted), own[own >= 0])
    return wanted[keep].tolist()


def with_context(
    load: PassageLoader,
    catalog: ChunkCatalog,
    passages: list[Passage],
    loaded: Rows,
    *,
    radius: int,
) -> list[Passage]:
    """Passages widened by their neighbouring chunks (already in `loaded` but for a chunk
    deleted from the store since indexing, whose neighbours are read now)."""
    if radius == 0 or not passages:
        return passages
    rows = {doc: row[0] for doc, row in loaded.items()}
    chosen = [p.chunk_id for p in passages]
    missing = [doc for doc in neighbours(catalog, chosen, radius) if doc not in rows]
    if missing:
        rows.update((doc, row[0]) for doc, row in load(missing).items())
    return widen(passages, rows, radius=radius)


def to_passage(row: tuple[StoredChunk, StoredArticle], score: float, similarity: float) -> Passage:
    chunk, article = row
    return Passage(
        chunk_id=chunk.id,
        article_id=article.id,
        title=article.title,
        source=article.source,
        published_at=article.published_at,
        url=article.url,
        text=chunk.text,
        score=score,
        similarity=similarity if math.isfinite(similarity) else 0.0,
        story_id=article.story_id,
    )


def fill_similarity(
    vectors: VectorIndex,
    embedder: Embedder,
    query_vector: FloatMatrix,
    chosen: Sequence[int],
    loaded: Rows,
    similarity: dict[int, float],
) -> None:
    """Add to `similarity` the cosine of the query to chosen chunks it lacks."""
    missing = [doc for doc in chosen if doc not in similarity]
    if not missing:
        return
    wanted = np.asarray(missing, dtype=np.int64)
    scores, ids = vectors.search(query_vector[None, :], len(missing), wanted)
    for doc, score in zip(ids[0].tolist(), scores[0].tolist(), strict=True):
        if doc >= 0:
            similarity[doc] = float(score)
    still = [doc for doc in missing if doc not in similarity]
    if still:  # an approximate index may not find them: embed their text again
        embedded = embedder.embed([loaded[doc][0].embed_text for doc in still])
        for doc, cosine in zip(still, embedded @ query_vector, strict=True):
            similarity[doc] = float(cosine)
