"""Hybrid search: dense and BM25 candidates, filtered, fused, weighed by time, grouped.

Per question: one query encode, one dense top-N and one BM25 top-N over the chunks the
filters allow, each candidate scored by the other retriever too (a restricted search over
a few ids), then arithmetic on a few hundred ids (`search_settings` says how scores are
fused and weighed by the question's time); texts are loaded for the final k only, in the
same read as their neighbouring chunks when passages are widened (`retrieval/passage_loading.py`).

A question with a period whose candidates hold none from it also searches inside the
period, so that its best matches are ranked; a question that names no topic (`QueryPlan.
browse`) lists the leads of the period's, else the newest, articles instead of matching text.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from index.errors import IndexMismatchError
from index.protocols import Embedder, FloatMatrix, IdArray, KeywordIndex, VectorIndex
from retrieval.candidate_scores import score_with_both
from retrieval.catalog import ChunkCatalog
from retrieval.fusion import merge_candidates, reciprocal_rank_fusion
from retrieval.passage_loading import (
    PassageLoader,
    choose_and_load,
    fill_similarity,
    to_passage,
    with_context,
)
from retrieval.query import QueryPlan
from retrieval.search_settings import SearchSettings, period_window, time_multipliers
from retrieval.types import Passage, SearchFilters

__all__ = ["HybridSearcher", "PassageLoader", "SearchSettings"]


@dataclass(frozen=True)
class _Indexes:
    vectors: VectorIndex
    keywords: KeywordIndex
    catalog: ChunkCatalog


@dataclass(frozen=True)
class _Dense:
    scores: FloatMatrix
    ids: IdArray


class HybridSearcher:
    """Sync core of search. Thread-safe for searches; `replace` swaps all indexes at once."""

    def __init__(
        self,
        embedder: Embedder,
        vector_index: VectorIndex,
        keyword_index: KeywordIndex,
        catalog: ChunkCatalog,
        load_passages: PassageLoader,
        *,
        settings: SearchSettings | None = None,
    ) -> None:
        self._embedder = embedder
        self._load_passages = load_passages
        self._settings = settings or SearchSettings()
        self._lock = threading.Lock()
        self._indexes = self._checked(vector_index, keyword_index, catalog)

    @property
    def settings(self) -> SearchSettings:
        return self._settings

    @property
    def vector_index(self) -> VectorIndex:
        with self._lock:
            return self._indexes.vectors

    @property
    def catalog(self) -> ChunkCatalog:
        with self._lock:
            return self._indexes.catalog

    def document_frequencies(self, terms: Sequence[str]) -> tuple[list[int], int]:
        """Chunks holding each keyword term, and all chunks (`retrieval/coverage.py`)."""
        with self._lock:
            keywords = self._indexes.keywords
        return keywords.document_frequencies(terms), len(keywords)

    def replace(
        self, vector_index: VectorIndex, keyword_index: KeywordIndex, catalog: ChunkCatalog
    ) -> None:
        """Swap in a rebuilt index set; searches already running finish on the old one."""
        indexes = self._checked(vector_index, keyword_index, catalog)
        with self._lock:
            self._indexes = indexes

    def encode(self, texts: Sequence[str]) -> FloatMatrix:
        """Query vectors in one batch (~6x faster per query than one by one on MiniLM).

        Uses the embedder's `embed_queries` when it has one, else `embed`: newsbot's
        embedders encode questions and passages alike (`embed_query(q) == embed([q])[0]`);
        a model that prefixes queries must offer `embed_queries`.
        """
        batch = getattr(self._embedder, "embed_queries", None)
        encode = batch if callable(batch) else self._embedder.embed
        vectors = np.asarray(encode(list(texts)), dtype=np.float32)
        return vectors.reshape(len(texts), self._embedder.dimension)

    def search(
        self, plan: QueryPlan, *, k: int = 10, query_vector: FloatMatrix | None = None
    ) -> list[Passage]:
        """The best `k` passages for a plan, best first."""
        if k < 1:
            return []
        with self._lock:
            indexes = self._indexes
        if query_vector is None:
            query_vector = self._embedder.embed_query(plan.text)
        vector = np.asarray(query_vector, dtype=np.float32).reshape(-1)
        return self._search(indexes, plan, k, vector, None)

    def search_many(self, plans: Sequence[QueryPlan], *, k: int = 10) -> list[list[Passage]]:
        """`search` for many plans, encoding all queries in one batch (for evaluation)."""
        if not plans or k < 1:
            return [[] for _ in plans]
        with self._lock:
            indexes = self._indexes
        vectors = self.encode([plan.text for plan in plans])
        # Plans without filters share one batched dense search.
        unfiltered = [
            i
            for i, plan in enumerate(plans)
            if not plan.browse and indexes.catalog.allowed_ids(self._filters(plan)) is None
        ]
        dense: dict[int, _Dense] = {}
        if unfiltered:
            scores, ids = indexes.vectors.search(vectors[unfiltered], self._depth(k))
            for row, i in enumerate(unfiltered):
                dense[i] = _Dense(scores[row], ids[row])
        return [
            self._search(indexes, plan, k, vectors[i], dense.get(i)) for i, plan in enumerate(plans)
        ]

    # -- the core ----------------------------------------------------------------------

    def _checked(
        self, vector_index: VectorIndex, keyword_index: KeywordIndex, catalog: ChunkCatalog
    ) -> _Indexes:
        if vector_index.dimension != self._embedder.dimension:
            raise IndexMismatchError()
        return _Indexes(vector_index, keyword_index, catalog)

    def _filters(self, plan: QueryPlan) -> SearchFilters:
        """The plan's filters, with its period as a date range when periods filter."""
        filters = plan.filters
        if self._settings.period_mode == "filter" and plan.period and not filters.date_range:
            filters = replace(filters, date_range=plan.period)
        return filters

    def _depth(self, k: int) -> int:
        return max(self._settings.candidates, 3 * k * self._settings.max_chunks_per_article)

    def _pool_depth(self, k: int) -> int:
        return max(self._settings.period_candidates, k * self._settings.max_chunks_per_article)

    def _period_pool(
        self, catalog: ChunkCatalog, plan: QueryPlan, found: Sequence[IdArray]
    ) -> IdArray | None:
        """Chunks of the question's period passing its filters, to search as well when the
        candidates `found` over the whole index hold none from it (the text matches older
        articles better): the period's best matches can then rank first. The period's end
        is moved by the reporting lag, as in its prior. None when there is nothing to add.
        """
        settings = self._settings
        if plan.period is None or settings.period_mode != "prior" or not settings.period_candidates:
            return None
        if plan.filters.date_range is not None:
            return None
        window = period_window(plan.period, settings.period_lag_days)
        if catalog.published_in(np.concatenate([np.ravel(f) for f in found]), window).any():
            return None
        pool = catalog.allowed_ids(replace(plan.filters, date_range=window))
        return pool if pool is not None and len(pool) > 0 else None

    def _search(
        self,
        indexes: _Indexes,
        plan: QueryPlan,
        k: int,
        query_vector: FloatMatrix,
        dense: _Dense | None,
    ) -> list[Passage]:
        if plan.browse:
            return self._browse(indexes, plan, k, query_vector)
        allowed = indexes.catalog.allowed_ids(self._filters(plan))
        if allowed is not None and len(allowed) == 0:
            return []
        if dense is None:
            scores, ids = indexes.vectors.search(query_vector[None, :], self._depth(k), allowed)
            dense = _Dense(scores[0], ids[0])
        keyword = indexes.keywords.search(plan.text, self._depth(k), allowed)
        pool = self._period_pool(indexes.catalog, plan, (dense.ids, keyword[1]))
        if pool is not None:
            depth = self._pool_depth(k)
            scores, ids = indexes.vectors.search(query_vector[None, :], depth, pool)
            dense = _Dense(*merge_candidates((dense.scores, dense.ids), (scores[0], ids[0])))
            keyword = merge_candidates(keyword, indexes.keywords.search(plan.text, depth, pool))
        ranked, articles, stories = self._rank(indexes, plan, query_vector, dense, keyword)
        similarity = {
            int(doc): float(score) for doc, score in zip(dense.ids, dense.scores, strict=True)
        }
        return self._passages(indexes, query_vector, ranked, articles, stories, k, similarity)

    def _browse(
        self, indexes: _Indexes, plan: QueryPlan, k: int, query_vector: FloatMatrix
    ) -> list[Passage]:
        """A question without a topic: the leads of its period's articles (of those nearest
        to it when it holds none), else of the newest articles (`browse_order`)."""
        period = plan.filters.date_range or plan.period
        chunks, articles, stories = indexes.catalog.browse(
            plan.filters,
            period,
            newest_first=plan.recency or period is None,
            limit=3 * k,  # spares for chunks gone from the store
        )
        ranked = [(doc, 1.0 / (1 + rank)) for rank, doc in enumerate(chunks.tolist())]
        return self._passages(
            indexes, query_vector, ranked, articles.tolist(), stories.tolist(), k, {}
        )

    def _passages(
        self,
        indexes: _Indexes,
        query_vector: FloatMatrix,
        ranked: list[tuple[int, float]],
        articles: list[int],
        stories: list[int],
        k: int,
        similarity: dict[int, float],
    ) -> list[Passage]:
        """The final k of ranked chunks, loaded, with cosines and neighbouring text."""
        settings = self._settings
        chosen, loaded = choose_and_load(
            self._load_passages, indexes.catalog, ranked, articles, stories, k=k, settings=settings
        )
        fill_similarity(
            indexes.vectors,
            self._embedder,
            query_vector,
            [doc for doc, _ in chosen],
            loaded,
            similarity,
        )
        passages = [to_passage(loaded[doc], score, similarity[doc]) for doc, score in chosen]
        return with_context(
            self._load_passages, indexes.catalog, passages, loaded, radius=settings.context_chunks
        )

    def _rank(
        self,
        indexes: _Indexes,
        plan: QueryPlan,
        query_vector: FloatMatrix,
        dense: _Dense,
        keyword: tuple[FloatMatrix, IdArray],
    ) -> tuple[list[tuple[int, float]], list[int], list[int]]:
        """Fused (chunk id, score) best first, with parallel article and story ids."""
        settings = self._settings
        keyword_scores, keyword_ids = keyword
        if settings.fusion == "scores":
            ids, scores = score_with_both(
                indexes.vectors,
                indexes.keywords,
                plan.text,
                query_vector,
                (dense.scores, dense.ids),
                (keyword_scores, keyword_ids),
                dense_share=settings.dense_share,
            )
        else:
            fused = reciprocal_rank_fusion(
                [dense.ids.tolist(), np.asarray(keyword_ids).reshape(-1).tolist()],
                k=settings.rrf_k,
                weights=[settings.dense_weight, settings.keyword_weight],
            )
            ids = np.fromiter((doc for doc, _ in fused), dtype=np.int64, count=len(fused))
            scores = np.fromiter((s for _, s in fused), dtype=np.float64, count=len(fused))
        articles, stories, published = indexes.catalog.columns_of(ids)
        known = articles >= 0  # an id the catalog does not know is stale: skip it
        scores = scores * time_multipliers(plan, published, settings)
        order = np.flatnonzero(known)[np.argsort(-scores[known], kind="stable")]
        ranked = list(zip(ids[order].tolist(), scores[order].tolist(), strict=True))
        return ranked, articles[order].tolist(), stories[order].tolist()
