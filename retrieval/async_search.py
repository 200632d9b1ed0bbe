"""The async face of search: the sync core runs on one owned worker thread.

The bot's event loop awaits searches without blocking; encode, FAISS and BM25 work and the
passage loader all run on that thread, one at a time.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Self, TypeVar

from index.protocols import FloatMatrix, KeywordIndex, VectorIndex
from retrieval.catalog import ChunkCatalog
from retrieval.query import QueryPlan
from retrieval.search import HybridSearcher
from retrieval.types import Passage

T = TypeVar("T")


class AsyncSearcher:
    """Async facade: runs the sync core on one owned worker thread, off the event loop.

    Searches queue up on that thread in arrival order; `run` puts other index work (adding
    fresh chunks) on the same thread, so it never overlaps a search.
    """

    def __init__(self, searcher: HybridSearcher) -> None:
        self._searcher = searcher
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsbot-search")
        self._closed = False

    @property
    def searcher(self) -> HybridSearcher:
        return self._searcher

    async def search(
        self, plan: QueryPlan, *, k: int = 10, query_vector: FloatMatrix | None = None
    ) -> list[Passage]:
        return await self.run(self._searcher.search, plan, k=k, query_vector=query_vector)

    async def search_many(self, plans: Sequence[QueryPlan], *, k: int = 10) -> list[list[Passage]]:
        return await self.run(self._searcher.search_many, plans, k=k)

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
