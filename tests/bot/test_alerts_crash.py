"""Alerts survive a crash between storing articles and matching them (SQLite, and
PostgreSQL when configured).

An ingest commits its articles before it embeds and matches them; a process killed in
between used to lose their alerts for good. Here the kill is an exception raised where
the matcher would run (nothing after it happens, as with SIGKILL), then the process
"restarts": the bot's start-up, the next `newsbot ingest` or the running bot's next
re-index must queue the lost alerts, once, and nothing that was matched before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from bot import admin_ops, cli_admin
from bot.alerts_matcher import AlertMatcher, matcher_for_runtime
from bot.alerts_unmatched import unmatched_chunks
from bot.cli import _parser
from bot.cli_index import run_ingest
from bot.cli_run import build_service
from bot.runtime import Runtime
from index import store
from index.db import session_scope
from index.pipeline import NewChunks
from index.schema import AlertDeliveryRow
from index.store_unmatched import unmatched_after
from index.types import Article
from retrieval.topics import parse_topic
from tests.bot.alerts_world import (
    CHIPS_CHINA,
    FOOTBALL,
    LIBRARY,
    THRESHOLD,
    VOLCANO,
    AlertsWorld,
    article,
    make_runtime,
    seed,
    write_jsonl,
)


class Killed(BaseException):
    """SIGKILL stand-in: no `except Exception` (nor anything else) gets to run after it."""


def _killed(chunks: NewChunks) -> None:
    raise Killed


@pytest.fixture
def runtime(database_url: str, tmp_path: Path) -> Iterator[Runtime]:
    """On SQLite, and on PostgreSQL when NEWSBOT_TEST_POSTGRES_URL is set."""
    made = make_runtime(tmp_path / "data", ALERT_THRESHOLD=THRESHOLD, DATABASE_URL=database_url)
    yield made
    asyncio.run(made.aclose())  # the engine, before the schema is dropped


def subscribe(runtime: Runtime, chat_id: int, topic: str) -> None:
    parsed = parse_topic(topic)
    with session_scope(runtime.sessions) as session:
        store.add_subscription(
            session=session,
            chat_id=chat_id,
            topic=parsed.phrase,
            must_words=parsed.must_words,
            exclude_words=parsed.exclude_words,
        )


def queued(runtime: Runtime) -> list[tuple[int, str]]:
    """(chat, current title of the article) of every queued alert."""
    with session_scope(runtime.sessions) as session:
        rows = session.execute(select(AlertDeliveryRow.chat_id, AlertDeliveryRow.article_id))
        pairs = [(int(chat), int(article_id)) for chat, article_id in rows]
        titles = store.get_articles(session=session, ids=[a for _, a in pairs])
    return sorted((chat, titles[a].title) for chat, a in pairs)


def unmatched(runtime: Runtime) -> list[int]:
    with session_scope(runtime.sessions) as session:
        return unmatched_after(session=session)


def killed_ingest(runtime: Runtime, articles: list[Article]) -> None:
    """An ingest killed right after embedding its first group, before matching it."""
    indexer = runtime.indexer()
    indexer.open()
    with pytest.raises(Killed):
        indexer.ingest(articles, on_chunks=_killed)


def ingest_file(runtime: Runtime, path: Path, articles: list[Article]) -> None:
    """`newsbot ingest FILE.jsonl`."""
    run_ingest(runtime, [str(write_jsonl(path, articles))], quiet=True)


def reindex(runtime: Runtime, *flags: str) -> None:
    """`newsbot reindex [--full]`."""
    assert cli_admin.dispatch(runtime, _parser().parse_args(["reindex", "--quiet", *flags])) == 0


def bot_start(runtime: Runtime) -> None:
    """The bot's start-up: the index opened (and repaired) for the question path."""
    service = build_service(runtime)
    service.assistant.searcher.close()


def test_the_bot_start_queues_the_alerts_a_killed_ingest_lost(runtime: Runtime) -> None:
    subscribe(runtime, 1, "volcano eruption")
    killed_ingest(runtime, [VOLCANO, FOOTBALL])
    assert queued(runtime) == []
    assert len(unmatched(runtime)) == 2

    # The start embeds nothing (its index watch does, in the background: see
    # tests/bot/test_start_repair_ops.py): articles without vectors wait for it.
    bot_start(runtime)
    assert queued(runtime) == []
    assert admin_ops.repair_index(runtime) is not None
    bot_start(runtime)
    assert queued(runtime) == [(1, VOLCANO.title)]
    assert unmatched(runtime) == []

    # Matched once: a later chat on the same topic is not sent these old articles.
    subscribe(runtime, 2, "volcano eruption")
    bot_start(runtime)
    assert queued(runtime) == [(1, VOLCANO.title)]


def test_the_next_ingest_queues_the_alerts_a_killed_ingest_lost(
    runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscribe(runtime, 1, "volcano eruption")
    subscribe(runtime, 2, "chip export controls")
    with monkeypatch.context() as patch:  # killed while matching its first group
        patch.setattr(AlertMatcher, "safe_match_new", lambda self, chunks: _killed(chunks))
        with pytest.raises(Killed):
            ingest_file(runtime, tmp_path / "one.jsonl", [VOLCANO, FOOTBALL])
    assert queued(runtime) == []

    ingest_file(runtime, tmp_path / "two.jsonl", [CHIPS_CHINA])
    assert queued(runtime) == [(1, VOLCANO.title), (2, CHIPS_CHINA.title)]
    assert unmatched(runtime) == []


def test_a_failed_match_is_retried_by_the_next_run(
    runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscribe(runtime, 1, "volcano eruption")

    def broken(self: AlertMatcher, chunks: NewChunks) -> int:
        raise RuntimeError("the database went away")

    with monkeypatch.context() as patch:  # logged, and the ingest goes on
        patch.setattr(AlertMatcher, "match_new", broken)
        ingest_file(runtime, tmp_path / "one.jsonl", [VOLCANO])
    assert queued(runtime) == []
    reindex(runtime)
    assert queued(runtime) == [(1, VOLCANO.title)]


def test_matched_articles_are_not_matched_again_but_an_update_is(
    runtime: Runtime, tmp_path: Path
) -> None:
    subscribe(runtime, 1, "volcano eruption")
    ingest_file(runtime, tmp_path / "one.jsonl", [VOLCANO, FOOTBALL])
    assert queued(runtime) == [(1, VOLCANO.title)]
    subscribe(runtime, 2, "volcano eruption")

    # Re-embedding every article (a model change) and ingesting the same file again.
    reindex(runtime, "--full")
    ingest_file(runtime, tmp_path / "one.jsonl", [VOLCANO, FOOTBALL])
    bot_start(runtime)
    assert queued(runtime) == [(1, VOLCANO.title)]

    # The same address with new text is new to chat 2 (chat 1 had the story already).
    updated = article(
        "Volcano eruption grows near Grindavik",
        VOLCANO.body + " The volcano eruption widened on Friday.",
        source="Nordic Wire",
        slug="volcano",
    )
    ingest_file(runtime, tmp_path / "two.jsonl", [updated])
    # One article row, now with the new title: chat 1's alert points at it too.
    assert queued(runtime) == [(1, updated.title), (2, updated.title)]
    assert unmatched(runtime) == []


def test_articles_indexed_without_a_matcher_never_alert(runtime: Runtime) -> None:
    """An index built with no one to match (the evaluation's private index, a test seed)
    leaves nothing unmatched: a later subscription does not get its articles."""
    seed(runtime, [VOLCANO, LIBRARY])
    subscribe(runtime, 1, "volcano eruption")
    bot_start(runtime)
    assert unmatched(runtime) == []
    assert queued(runtime) == []


def test_unmatched_articles_are_read_in_batches_and_wait_for_their_vectors(
    runtime: Runtime,
) -> None:
    articles = [
        article(f"Story {n}", f"Words of story {n} about topic{n}.", source="Wire", slug=f"s{n}")
        for n in range(5)
    ]
    killed_ingest(runtime, articles)
    indexer = runtime.indexer()
    indexer.open()  # embeds what the killed run had not
    ids = unmatched(runtime)
    assert len(ids) == 5
    with session_scope(runtime.sessions) as session:
        [lacking] = store.chunks_for_articles(session=session, article_ids=[ids[2]])
    indexer.pair.vectors.remove(np.asarray([lacking.id], dtype=np.int64))

    batches = list(unmatched_chunks(runtime.sessions, lambda: indexer.pair.vectors, batch=2))
    assert [b.article_ids for b in batches] == [(ids[0], ids[1]), (ids[3],), (ids[4],)]
    for batch in batches:
        assert set(batch.chunk_article_ids.tolist()) == set(batch.article_ids)
        _, expected = indexer.pair.vectors.vectors_of(batch.chunk_ids)
        assert np.array_equal(batch.vectors, expected)

    # No subscriptions: matched against none, so never matched again; one still waits.
    matcher = matcher_for_runtime(runtime, lambda: indexer.pair.vectors)
    assert matcher.match_pending(lambda: indexer.pair.vectors) == 0
    assert unmatched(runtime) == [ids[2]]


async def test_a_running_bot_matches_what_a_killed_ingest_left_before_its_next_reindex(
    world: AlertsWorld,
) -> None:
    runtime = world.runtime
    chat = world.emulator.create_user("Alice")["id"]
    subscribe(runtime, chat, "chip export controls")
    # `newsbot ingest` in another process saved its snapshot, then was killed.
    await asyncio.to_thread(_killed_after_saving, runtime, [CHIPS_CHINA])
    await world.admin.reloader.reload()  # the index watch found the new snapshot
    assert queued(runtime) == []

    job = world.admin.start_reindex()
    await job.wait()
    assert queued(runtime) == [(chat, CHIPS_CHINA.title)]


def _killed_after_saving(runtime: Runtime, articles: list[Article]) -> None:
    indexer = runtime.indexer()
    indexer.open()
    indexer.ingest(articles, on_chunks=lambda chunks: None)  # the matcher never ran
