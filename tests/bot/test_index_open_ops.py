"""Opening the index to answer from it never makes a second writer of the index folder.

A killed `newsbot ingest` leaves chunks in the database without vectors. While another
process holds the refresh lock (an ingest, a re-index), `newsbot ask` answers from the
snapshot as it is and embeds nothing (it used to embed the running ingest's chunks itself,
for minutes, and save a snapshot beside that writer). With the lock free, a one-shot
command repairs the index under the lock, saying so first; the bot starts at once and its
index watch repairs in the background, each missing chunk embedded once.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.app import BotConfig
from bot.cli import _ask, _parser
from bot.emulator import TelegramEmulator
from bot.runtime import Runtime
from index import store
from index.db import session_scope
from index.embedding import HashingEmbedder
from index.refresh_lock import refresh_lock
from index.snapshot import current_version
from index.snapshot_io import load_pair
from tests.bot.alerts_world import (
    FOOTBALL,
    LIBRARY,
    THRESHOLD,
    VOLCANO,
    alerts_world,
    make_runtime,
    seed,
)
from tests.bot.test_alerts_crash import killed_ingest, queued, subscribe
from tests.bot.test_reindex_repair import _repair_by_watch

QUESTION = "What did the volcano near Grindavik do?"


class CountingEmbedder(HashingEmbedder):
    """The hashing embedder, counting every text it embeds (answers embed sentences too:
    `embedded` counts those of given chunks only)."""

    def __init__(self) -> None:
        super().__init__(256)
        self.passages: Counter[str] = Counter()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.passages.update(texts)
        return super().embed(texts)

    def embedded(self, chunks: list[str]) -> Counter[str]:
        return Counter({text: self.passages[text] for text in chunks if self.passages[text]})


def _runtime(data_dir: Path, **settings: object) -> tuple[Runtime, CountingEmbedder]:
    embedder = CountingEmbedder()
    return make_runtime(data_dir, embedder, ALERT_THRESHOLD=THRESHOLD, **settings), embedder


def _after_a_killed_ingest(runtime: Runtime, embedder: CountingEmbedder) -> list[str]:
    """The library article indexed, then an ingest killed before saving its vectors; the
    texts of the chunks it left without vectors (the counter starts again from zero)."""
    seed(runtime, [LIBRARY])
    killed_ingest(runtime, [VOLCANO, FOOTBALL])
    embedder.passages.clear()
    saved = load_pair(runtime.index_dir, model_name=embedder.model_name, dimension=256)
    assert saved is not None
    with session_scope(runtime.sessions) as session:
        ids = np.setdiff1d(store.all_chunk_ids(session=session), saved.vectors.ids())
        missing = [c.embed_text for c in store.iter_chunks(session=session, ids=ids.tolist())]
    assert missing
    return missing


async def _ask_cli(runtime: Runtime, question: str) -> int:
    return await _ask(runtime, _parser().parse_args(["ask", question]))


async def test_ask_repairs_nothing_while_another_writer_holds_the_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runtime, embedder = _runtime(tmp_path / "data")
    missing = _after_a_killed_ingest(runtime, embedder)
    version = current_version(runtime.index_dir)
    with refresh_lock(runtime.index_dir):  # the ingest still running, in another process
        assert await _ask_cli(runtime, "When does the library open on Saturday?") == 0
        pair = runtime.open_index()
    assert not embedder.embedded(missing)  # not one chunk embedded by the readers
    assert current_version(runtime.index_dir) == version  # and no snapshot written
    out, err = capsys.readouterr()
    assert LIBRARY.title in out
    assert "Embedding" not in err
    assert len(pair.vectors) == len(pair.keywords) == 1  # the library's one chunk
    await runtime.aclose()

    # Once the writer is gone, a question repairs the index first, and says so.
    assert await _ask_cli(runtime, QUESTION) == 0
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        f"Embedding {len(missing)} chunks missing from the index (a killed ingest?)..."
    ]
    assert VOLCANO.title in out
    assert embedder.embedded(missing) == Counter(missing)
    assert current_version(runtime.index_dir) != version
    await runtime.aclose()


async def test_ask_on_a_fresh_data_folder_says_it_builds_the_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, _ = _runtime(tmp_path / "first")
    seed(first, [LIBRARY, VOLCANO])
    database = first.settings.resolved_database_url
    await first.aclose()
    # Another data folder (no index yet) against the same database, as with PostgreSQL.
    runtime, embedder = _runtime(tmp_path / "fresh", DATABASE_URL=database)
    assert await _ask_cli(runtime, QUESTION) == 0
    out, err = capsys.readouterr()
    with session_scope(runtime.sessions) as session:
        chunks = [c.embed_text for c in store.iter_chunks(session=session)]
    assert embedder.embedded(chunks) == Counter(chunks)
    assert err.splitlines() == [
        f"The index is empty: embedding the {len(chunks)} chunks stored in the database..."
    ]
    assert VOLCANO.title in out
    await runtime.aclose()


async def test_the_bot_starts_at_once_and_its_watch_repairs_in_the_background(
    tmp_path: Path, emulator: TelegramEmulator, config: BotConfig
) -> None:
    runtime, embedder = _runtime(tmp_path / "data")
    missing = _after_a_killed_ingest(runtime, embedder)
    version = current_version(runtime.index_dir)
    async with alerts_world(runtime, emulator, config) as world:
        assert not embedder.embedded(missing)  # the start embedded nothing
        assert current_version(runtime.index_dir) == version
        alice = world.emulator.create_user("Alice")
        subscribe(runtime, alice["id"], "volcano eruption")
        # Answers meanwhile are right about what the index holds: the volcano is not found.
        before = await world.reply(alice["id"], QUESTION, alice)
        assert VOLCANO.title not in before
        library = await world.reply(alice["id"], "When does the library open?", alice)
        assert LIBRARY.title in library

        job = await _repair_by_watch(world)
        await job.wait()
        assert embedder.embedded(missing) == Counter(missing)  # each one embedded once
        after = await world.reply(alice["id"], QUESTION, alice)
        assert VOLCANO.title in after
        async with asyncio.timeout(10):
            while not queued(runtime):  # noqa: ASYNC110 (the hooks run after the job)
                await asyncio.sleep(0.02)
        assert queued(runtime) == [(alice["id"], VOLCANO.title)]
