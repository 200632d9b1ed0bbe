"""Micro-batching: work items that arrive at about the same time share one call.

One question through MiniLM costs nearly as much as a batch of dozens (the model's fixed
per-call work dominates short texts), and one batched FAISS search costs little more than a
single one. So when many chats ask at once, searching their questions one by one makes the
last asker wait for everyone else's forward pass.

A `MicroBatcher` keeps at most one batch in flight. An item that arrives while it is idle
starts a batch at once (after `window` seconds, default 0: only what arrives in the same
event-loop turn joins); items that arrive while a batch runs wait and all go together in
the next one. A lone question therefore pays no added latency, and under load the batch
grows with the load by itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

# Runs the batch function on its items somewhere off the event loop; returns one result per
# item, in order.
BatchRunner = Callable[[list[T]], Awaitable[Sequence[R]]]


class MicroBatcher(Generic[T, R]):
    """`await submit(item)` -> that item's result, computed in a batch with its neighbours.

    `run_batch(items)` does the work (e.g. on the owned search thread). When a batch
    fails, each of its items is retried alone, so one bad item fails only its own caller;
    a cancelled caller just leaves its batch. Bound to one event loop at a time: an item
    from another loop while a batch is in flight is run on its own.
    """

    def __init__(
        self, run_batch: BatchRunner[T, R], *, max_batch: int = 128, window: float = 0.0
    ) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, got {max_batch}")
        if window < 0:
            raise ValueError(f"window must not be negative, got {window}")
        self._run_batch = run_batch
        self._max_batch = max_batch
        self._window = window
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._drainer: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.batches = 0  # batch calls made, retries of single items included (for metrics)
        self.items = 0  # items those calls carried

    async def submit(self, item: T) -> R:
        """The result of `item`, from the batch it joined."""
        loop = asyncio.get_running_loop()
        if self._busy() and self._loop is not loop:
            return (await self._call([item]))[0]
        future: asyncio.Future[R] = loop.create_future()
        self._waiting.append((item, future))
        if not self._busy():
            self._loop = loop
            self._drainer = loop.create_task(self._drain(), name="micro-batcher")
        return await future

    def _busy(self) -> bool:
        return self._drainer is not None and not self._drainer.done()

    async def _drain(self) -> None:
        # Yield once (or wait the window) so items sent in the same turn join the first batch.
        await asyncio.sleep(self._window)
        try:
            while self._waiting:
                taken = self._waiting[: self._max_batch]
                del self._waiting[: self._max_batch]
                batch = [(item, future) for item, future in taken if not future.done()]
                if batch:
                    await self._settle(batch)
        except asyncio.CancelledError:  # the loop is going away: so are the callers
            for _, future in self._waiting:
                future.cancel()
            self._waiting.clear()
            raise

    async def _settle(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            results = await self._call([item for item, _ in batch])
        except asyncio.CancelledError:
            for _, future in batch:
                future.cancel()
            raise
        except Exception as exc:
            if len(batch) == 1:
                if not batch[0][1].done():
                    batch[0][1].set_exception(exc)
                return
            logger.debug("a batch of %d failed; running its items one by one", len(batch))
            for one in batch:
                if not one[1].done():
                    await self._settle([one])
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)

    async def _call(self, items: list[T]) -> Sequence[R]:
        results = await self._run_batch(items)
        if len(results) != len(items):
            raise ValueError(f"batch of {len(items)} items returned {len(results)} results")
        self.batches += 1
        self.items += len(items)
        return results
