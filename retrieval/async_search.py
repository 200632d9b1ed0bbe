"""The async face of search: the sync core runs on one owned worker thread.

The bot's event loop awaits searches without blocking; encode, FAISS and BM25 work and the
passage loader all run on that thread, one at a time. Questions asked at about the same
time are searched together (`MicroBatcher` over `HybridSearcher.search_many`): one forward
pass of the model and one dense search for the whole batch instead of one per question.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import groupby
from typing import Any, Self, TypeVar

from index.protocols import FloatMatrix, KeywordIndex, VectorIndex
from retrieval.catalog import ChunkCatalog
from retrieval.micro_batch import MicroBatcher
from retrieval.query import QueryPlan
from retrieval.search import HybridSearcher
from retrieval.types import Passage

T = TypeVar("T")

_Query = tuple[QueryPlan, int]  # a plan and its k


class AsyncSearcher:
    """Async facade: runs the sync core on one owned worker thread, off the event loop.

    Searches queue up on that thread in arrival order; `run` puts other index work (adding
    fresh chunks) on the same thread, so it never overlaps a search. Searches without a
    given query vector go through the batcher, at most `max_batch` per thread call.
    """

    def __init__(self, searcher: HybridSearcher, *, max_batch: int = 64) -> None:
        self._searcher = searcher
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsbot-search")
        self._closed = False
        self._batcher: MicroBatcher[_Query, list[Passage]] = MicroBatcher(
            self._search_batch, max_batch=max_batch
        )

    @property
    def searcher(self) -> HybridSearcher:
        return self._searcher

    @property
    def batcher(self) -> MicroBatcher[_Query, list[Passage]]:
        return self._batcher

    async def search(
        self, plan: QueryPlan, *, k: int = 10, query_vector: FloatMatrix | None = None
    ) -> list[Passage]:
        if query_vector is not None:
            return await self.run(self._searcher.search, plan, k=k, query_vector=query_vector)
        if k < 1:
            return []
        return await self._batcher.submit((plan, k))

    async def search_many(self, plans: Sequence[QueryPlan], *, k: int = 10) -> list[list[Passage]]:
        return await self.run(self._searcher.search_many, plans, k=k)

    async def _search_batch(self, queries: list[_Query]) -> list[list[Passage]]:
        """One thread call for a batch: `search_many` per distinct k, in the given order."""
        if len(queries) == 1:
            plan, k = queries[0]
            return [await self.run(self._searcher.search, plan, k=k)]
        return await self.run(_search_grouped, self._searcher, queries)

    async def run(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run `fn(*args, **kwargs)` on the search thread and wait for it."""
        if self._closed:
            raise RuntimeError("AsyncSearcher is closed")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    def replace(
        self, vector_index: VectorIndex, keyword_index: KeywordIndex, catalog: ChunkCatalog
    ) -> None:
        """Swap in rebuilt indexes at once (see `HybridSearcher.replace`)."""
        self._searcher.replace(vector_index, keyword_index, catalog)

    def close(self) -> None:
        """Finish the running search, drop queued ones, stop the thread. Idempotent."""
        self._closed = True
        self._executor.shutdown(wait=True, cancel_futures=True)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await asyncio.to_thread(self.close)


def _search_grouped(searcher: HybridSearcher, queries: list[_Query]) -> list[list[Passage]]:
    """`search_many` for each group of queries sharing a k; results in the queries' order."""
    results: list[list[Passage]] = [[] for _ in queries]
    by_k = sorted(range(len(queries)), key=lambda i: queries[i][1])
    for k, group in groupby(by_k, key=lambda i: queries[i][1]):
        positions = list(group)
        found = searcher.search_many([queries[i][0] for i in positions], k=k)
        for position, passages in zip(positions, found, strict=True):
            results[position] = passages
    return results
