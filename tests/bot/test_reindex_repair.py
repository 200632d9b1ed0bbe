"""A `newsbot ingest` killed after storing its articles, before embedding them, while the
bot runs: one /reindex repairs the index and alerts; the index watch does it by itself.

The kill is an exception raised where the matcher would run, after the chunks went into
the killed process's memory and before its snapshot was saved (as with SIGKILL: the
database holds the articles and their chunks, the index on disk lacks their vectors).
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from bot import messages_admin
from bot.admin_jobs import watch_index_once
from bot.admin_service import AdminJob
from bot.runtime import Runtime
from index import store
from index.db import session_scope
from index.refresh import refresh_lock
from index.refresh_report import REPAIRING, RefreshProgress, RefreshReport
from index.types import ReindexRun
from tests.bot.alerts_world import FOOTBALL, LIBRARY, VOLCANO, AlertsWorld, settled
from tests.bot.test_alerts_crash import killed_ingest, queued, subscribe, unmatched
from tests.patient_emulator import WAIT


async def _matched(runtime: Runtime) -> None:
    """Wait until nothing is left unmatched: the hooks run after the job is done."""
    async with asyncio.timeout(WAIT):
        while unmatched(runtime):  # noqa: ASYNC110
            await asyncio.sleep(0.02)


def _chunks(runtime: Runtime) -> int:
    with session_scope(runtime.sessions) as session:
        return store.chunk_count(session=session)


async def _killed_ingest_while_the_bot_runs(world: AlertsWorld) -> dict[str, Any]:
    """A user subscribed to volcanoes in her chat, then an ingest killed before embedding."""
    alice = world.emulator.create_user("Alice")
    chat = alice["id"]
    subscribe(world.runtime, chat, "volcano eruption")
    await asyncio.to_thread(killed_ingest, world.runtime, [VOLCANO, FOOTBALL])
    assert len(unmatched(world.runtime)) == 2
    served = world.admin.reloader.searcher.searcher.vector_index
    assert len(served) < _chunks(world.runtime)  # the killed run's chunks lack vectors
    return alice


async def test_one_reindex_repairs_the_index_and_sends_the_alerts(world: AlertsWorld) -> None:
    runtime = world.runtime
    chat = (await _killed_ingest_while_the_bot_runs(world))["id"]
    missing = _chunks(runtime) - len(world.admin.reloader.searcher.searcher.vector_index)

    report = await world.admin.start_reindex().wait()
    assert report is not None
    assert report.repaired == missing
    assert (report.new, report.chunks_embedded) == (0, 0)
    # Matched in the same run, once the repaired index is served: nothing left over.
    await _matched(runtime)
    assert queued(runtime) == [(chat, VOLCANO.title)]
    assert unmatched(runtime) == []
    await settled(world)
    [alert] = world.emulator.bot_messages(chat)
    assert VOLCANO.title in alert.text

    summary = messages_admin.reindex_summary(report)
    assert "0 sources: 0 new, 0 updated, 0 already indexed." in summary
    assert f"{missing} chunks that were missing embedded." in summary
    stats = messages_admin.admin_stats(await world.admin.stats(datetime.now(UTC)), UTC)
    assert f"0 new, {missing} chunks that were missing embedded)" in stats


async def _repair_by_watch(world: AlertsWorld) -> AdminJob:
    """Two looks of the index watch: the first sees the gap, the second repairs."""
    assert not await watch_index_once(world.admin)
    assert world.admin.job is None  # one look is not enough: a writer may be finishing
    assert not await watch_index_once(world.admin)
    job = world.admin.job
    assert job is not None
    assert job.kind == "repair"
    return job


async def test_the_index_watch_repairs_what_a_killed_ingest_left(world: AlertsWorld) -> None:
    runtime = world.runtime
    alice = await _killed_ingest_while_the_bot_runs(world)
    chat = alice["id"]
    with refresh_lock(runtime.index_dir):  # a live writer: its own run finishes the job
        for _ in range(3):
            await watch_index_once(world.admin)
            assert world.admin.job is None

    job = await _repair_by_watch(world)
    await job.wait()
    assert job.progress is not None
    assert job.progress.phase == REPAIRING
    assert len(world.admin.reloader.searcher.searcher.vector_index) == _chunks(runtime)
    await _matched(runtime)
    assert queued(runtime) == [(chat, VOLCANO.title)]
    assert unmatched(runtime) == []
    answer = await world.reply(chat, "What did the volcano near Grindavik do?", alice)
    assert VOLCANO.title in answer

    # Repaired: later looks find nothing to do.
    for _ in range(2):
        await watch_index_once(world.admin)
        assert world.admin.job is None


async def test_an_admin_asking_during_the_repair_is_told_what_runs(world: AlertsWorld) -> None:
    await _killed_ingest_while_the_bot_runs(world)
    job = await _repair_by_watch(world)
    busy = messages_admin.reindex_busy("repair", job.progress, 1.0)
    await job.wait()
    assert busy.startswith("The index is being repaired: an ingest was stopped")
    assert "Repairing the index…" in busy
    assert "Sources:" not in busy


@pytest.mark.parametrize(
    ("embedded", "repaired", "line"),
    [
        (40, 0, "40 chunks embedded."),
        (0, 716, "716 chunks that were missing embedded."),
        (0, 1, "1 chunk that was missing embedded."),
        (40, 716, "40 chunks embedded, and 716 chunks that were missing."),
    ],
)
def test_the_summary_counts_the_repair(embedded: int, repaired: int, line: str) -> None:
    report = RefreshReport(
        sources=1, duplicates=60, chunks_embedded=embedded, repaired=repaired, elapsed_seconds=11
    )
    summary = messages_admin.reindex_summary(report)
    assert summary.splitlines()[1:] == ["1 source: 0 new, 0 updated, 60 already indexed.", line]
    assert report.as_summary()["repaired"] == repaired


def test_stats_name_the_repair_of_the_last_reindex() -> None:
    started = datetime(2024, 11, 15, 12, 0, tzinfo=UTC)
    run = ReindexRun(
        id=1,
        started_at=started,
        finished_at=started.replace(second=11),
        status="done",
        full=False,
        summary={"new": 0, "repaired": 716},
        error=None,
    )
    assert messages_admin._last_run(run, UTC).endswith(
        "(took 11 s, 0 new, 716 chunks that were missing embedded)"
    )
    plain = dataclasses.replace(run, summary={"new": 3})
    assert messages_admin._last_run(plain, UTC).endswith("(took 11 s, 3 new)")


def test_the_progress_of_a_repair_shows_its_chunks_and_time_left() -> None:
    progress = RefreshProgress(
        phase=REPAIRING,
        sources_done=0,
        sources_total=0,
        articles_fetched=0,
        articles_parsed=0,
        chunks_embedded=256,
        elapsed_seconds=10.0,
        eta_seconds=18.0,
    )
    text = messages_admin.refresh_progress("repair", progress, 10.0)
    assert text.splitlines()[1:] == [
        "Now embedding chunks that were missing from the index.",
        "Chunks embedded: 256",
        "About 18 s left",
    ]


async def test_the_watch_sees_an_update_that_kept_the_chunk_count(world: AlertsWorld) -> None:
    # An update replaces an article's chunks with new ids: same count, another index.
    runtime = world.runtime
    edited = dataclasses.replace(LIBRARY, body=LIBRARY.body.replace("Saturday", "Sunday"))
    await asyncio.to_thread(killed_ingest, runtime, [edited])
    served = world.admin.reloader.searcher.searcher.vector_index
    assert len(served) == _chunks(runtime)  # the counts agree: only the ids tell

    job = await _repair_by_watch(world)
    await job.wait()
    with session_scope(runtime.sessions) as session:
        stored = store.all_chunk_ids(session=session)
    served = world.admin.reloader.searcher.searcher.vector_index
    assert np.array_equal(np.sort(served.ids()), np.sort(stored))
