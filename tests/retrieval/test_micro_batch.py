"""MicroBatcher: items arriving together share one call; failures stay with their item."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from retrieval.micro_batch import MicroBatcher


class Recorder:
    """A batch function that doubles numbers, records each batch, and can be held open."""

    def __init__(self, *, fail_on: int | None = None) -> None:
        self.batches: list[list[int]] = []
        self.fail_on = fail_on
        self.gate: asyncio.Event | None = None
        self.started = asyncio.Event()

    async def __call__(self, items: list[int]) -> Sequence[int]:
        self.batches.append(list(items))
        self.started.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.fail_on is not None and self.fail_on in items:
            raise ValueError(f"bad item {self.fail_on}")
        return [2 * item for item in items]


async def test_a_lone_item_is_its_own_batch() -> None:
    run = Recorder()
    batcher = MicroBatcher(run)
    assert await batcher.submit(4) == 8
    assert run.batches == [[4]]
    assert (batcher.batches, batcher.items) == (1, 1)


async def test_items_sent_in_the_same_turn_share_one_call() -> None:
    run = Recorder()
    batcher = MicroBatcher(run)
    results = await asyncio.gather(*(batcher.submit(n) for n in range(5)))
    assert results == [0, 2, 4, 6, 8]
    assert run.batches == [[0, 1, 2, 3, 4]]


async def test_items_arriving_during_a_batch_go_together_in_the_next() -> None:
    run = Recorder()
    run.gate = asyncio.Event()
    batcher = MicroBatcher(run)
    first = asyncio.create_task(batcher.submit(1))
    await run.started.wait()  # the first batch is in flight
    later = [asyncio.create_task(batcher.submit(n)) for n in (2, 3, 4)]
    await asyncio.sleep(0)
    run.gate.set()
    assert await first == 2
    assert [await task for task in later] == [4, 6, 8]
    assert run.batches == [[1], [2, 3, 4]]


async def test_batches_are_capped_at_max_batch() -> None:
    run = Recorder()
    batcher = MicroBatcher(run, max_batch=2)
    assert await asyncio.gather(*(batcher.submit(n) for n in range(5))) == [0, 2, 4, 6, 8]
    assert run.batches == [[0, 1], [2, 3], [4]]


async def test_a_failing_item_fails_only_its_own_caller() -> None:
    run = Recorder(fail_on=3)
    batcher = MicroBatcher(run)
    results = await asyncio.gather(
        *(batcher.submit(n) for n in range(1, 5)), return_exceptions=True
    )
    assert results[0] == 2
    assert results[1] == 4
    assert isinstance(results[2], ValueError)
    assert results[3] == 8
    assert run.batches[0] == [1, 2, 3, 4]  # tried together first, then one by one
    assert sorted(run.batches[1:]) == [[1], [2], [3], [4]]


async def test_a_cancelled_caller_leaves_the_batch() -> None:
    run = Recorder()
    run.gate = asyncio.Event()
    batcher = MicroBatcher(run)
    first = asyncio.create_task(batcher.submit(1))
    await run.started.wait()
    leaving = asyncio.create_task(batcher.submit(2))
    staying = asyncio.create_task(batcher.submit(3))
    await asyncio.sleep(0)
    leaving.cancel()
    run.gate.set()
    assert await first == 2
    assert await staying == 6
    with pytest.raises(asyncio.CancelledError):
        await leaving
    assert run.batches == [[1], [3]]


async def test_a_wrong_number_of_results_is_an_error() -> None:
    async def short(items: list[int]) -> Sequence[int]:
        return items[:-1]

    batcher = MicroBatcher(short)
    with pytest.raises(ValueError, match="returned 0 results"):
        await batcher.submit(1)


async def test_the_batcher_keeps_working_after_a_failure() -> None:
    run = Recorder(fail_on=1)
    batcher = MicroBatcher(run)
    with pytest.raises(ValueError, match="bad item 1"):
        await batcher.submit(1)
    assert await batcher.submit(2) == 4


def test_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="max_batch"):
        MicroBatcher(Recorder(), max_batch=0)
    with pytest.raises(ValueError, match="window"):
        MicroBatcher(Recorder(), window=-1)
