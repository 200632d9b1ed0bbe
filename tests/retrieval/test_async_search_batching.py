"""AsyncSearcher: questions searched at the same time share one encode and one dense search,
and get exactly what searching them one by one gives."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from index.embedding import HashingEmbedder
from index.protocols import FloatMatrix
from retrieval.async_search import AsyncSearcher
from retrieval.query import QueryPlan
from retrieval.types import DateRange, SearchFilters
from tests.retrieval.search_world import Doc, World, build_world

T0 = datetime(2024, 3, 1, tzinfo=UTC)
DAY = timedelta(days=1)


class CountingEmbedder(HashingEmbedder):
    """The hashing fake, recording how many texts each `embed` call carried."""

    def __init__(self) -> None:
        super().__init__(dimension=128)
        self.calls: list[int] = []

    def embed(self, texts: Sequence[str]) -> FloatMatrix:
        self.calls.append(len(texts))
        return super().embed(texts)


def world(embedder: HashingEmbedder) -> World:
    docs = [
        Doc("Rice harvest", ("The rice harvest in Gimpo reached a record.",), published_at=T0),
        Doc("Port strike", ("Dock workers in Busan went on strike.",), published_at=T0 + DAY),
        Doc("Chip exports", ("Semiconductor exports rose in March.",), published_at=T0 + 2 * DAY),
        Doc("Rail line", ("A new rail line opened to Gangneung.",), source="Yonhap"),
    ]
    return build_world(docs, embedder)


PLANS = [
    QueryPlan("rice harvest record"),
    QueryPlan("dock strike Busan"),
    QueryPlan("chip exports", filters=SearchFilters(sources=("Yonhap",))),
    QueryPlan("rail line", filters=SearchFilters(date_range=DateRange(T0, T0 + DAY))),
    QueryPlan("exports March", recency=True),
]


async def test_concurrent_searches_match_one_by_one_and_share_an_encode() -> None:
    embedder = CountingEmbedder()
    w = world(embedder)
    ks = [2, 3, 2, 3, 3]  # two values of k in one batch
    expected = [w.searcher.search(plan, k=k) for plan, k in zip(PLANS, ks, strict=True)]
    embedder.calls.clear()
    async with AsyncSearcher(w.searcher) as searcher:
        found = await asyncio.gather(
            *(searcher.search(plan, k=k) for plan, k in zip(PLANS, ks, strict=True))
        )
        assert found == expected
        assert searcher.batcher.batches == 1
        assert searcher.batcher.items == len(PLANS)
    assert len(embedder.calls) == 2  # one encode per distinct k, not one per question
    assert sum(embedder.calls) == len(PLANS)


async def test_a_lone_search_is_not_delayed_into_a_batch() -> None:
    embedder = CountingEmbedder()
    w = world(embedder)
    expected = w.searcher.search(PLANS[0], k=3)
    async with AsyncSearcher(w.searcher) as searcher:
        assert await searcher.search(PLANS[0], k=3) == expected
        assert (searcher.batcher.batches, searcher.batcher.items) == (1, 1)


async def test_a_given_query_vector_bypasses_the_batcher() -> None:
    embedder = CountingEmbedder()
    w = world(embedder)
    vector = embedder.embed_query("rice harvest record")
    async with AsyncSearcher(w.searcher) as searcher:
        found = await searcher.search(PLANS[0], k=2, query_vector=vector)
        assert found == w.searcher.search(PLANS[0], k=2)
        assert searcher.batcher.batches == 0
        assert await searcher.search(PLANS[0], k=0) == []


async def test_a_failing_search_fails_only_its_own_question() -> None:
    w = world(CountingEmbedder())
    real, real_many = w.searcher.search, w.searcher.search_many

    def search(plan: QueryPlan, **kwargs: object) -> object:
        if plan.text == "boom":
            raise RuntimeError("boom")
        return real(plan, **kwargs)  # type: ignore[arg-type]

    def search_many(plans: Sequence[QueryPlan], *, k: int = 10) -> object:
        if any(plan.text == "boom" for plan in plans):
            raise RuntimeError("boom")
        return real_many(plans, k=k)

    w.searcher.search = search  # type: ignore[method-assign]
    w.searcher.search_many = search_many  # type: ignore[method-assign]
    async with AsyncSearcher(w.searcher) as searcher:
        results = await asyncio.gather(
            searcher.search(PLANS[0], k=2),
            searcher.search(QueryPlan("boom"), k=2),
            searcher.search(PLANS[1], k=2),
            return_exceptions=True,
        )
    assert results[0] == real(PLANS[0], k=2)
    assert isinstance(results[1], RuntimeError)
    assert results[2] == real(PLANS[1], k=2)


async def test_searches_after_close_are_refused() -> None:
    w = world(CountingEmbedder())
    searcher = AsyncSearcher(w.searcher)
    searcher.close()
    with pytest.raises(RuntimeError, match="closed"):
        await searcher.search(PLANS[0])
