"""Scheduled admin work (feed polling, index watching) and the offline admin."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.admin_service import AdminConfig
from bot.app import BotConfig, build_application
from bot.cli_run import OFFLINE_USER_ID, bot_config, build_admin, build_service
from bot.emulator import TelegramEmulator
from bot.runtime import Runtime
from bot.terminal import run_offline
from index import store
from index.db import session_scope
from index.snapshot import current_version
from index.types import Article
from tests.bot.admin_world import admin_world, make_runtime, seed_old_index
from tests.news_site import NewsSite, story
from tests.patient_emulator import WAIT


async def _eventually(predicate: Callable[[], bool], timeout: float = WAIT) -> None:  # noqa: ASYNC109
    """Wait until `predicate()` holds (database and server state have no event to await)."""
    async with asyncio.timeout(timeout):
        while not predicate():  # noqa: ASYNC110
            await asyncio.sleep(0.05)


def _article_count(runtime: Runtime) -> int:
    with session_scope(runtime.sessions) as session:
        return store.corpus_stats(session=session).articles


@pytest.fixture
async def site() -> AsyncIterator[NewsSite]:
    async with NewsSite(items=[story("rain", "rain"), story("vote", "election")]) as server:
        yield server


async def test_feeds_are_polled_with_conditional_requests(
    tmp_path: Path, emulator: TelegramEmulator, config: BotConfig, site: NewsSite
) -> None:
    runtime = make_runtime(tmp_path / "data")
    seed_old_index(runtime)
    with session_scope(runtime.sessions) as session:
        store.add_source(session=session, kind="feed", location=site.url("/feed.xml"))
        store.add_source(session=session, kind="page", location=site.url("/story/none"))
    polls = AdminConfig(progress_interval=0.05, feed_poll_seconds=0.2, index_watch_seconds=None)
    async with admin_world(runtime, emulator, config, polls) as world:
        await _eventually(lambda: site.not_modified >= 1)  # the second poll got a 304
        assert _article_count(runtime) == 1 + 2
        site.items.append(story("storm", "storm"))
        await _eventually(lambda: _article_count(runtime) == 1 + 3)
        await _eventually(lambda: not world.admin.busy)
        alice = emulator.create_user("Alice")
        emulator.send_text(alice["id"], "Any news about the storm report?", user=alice)
        [answer] = await emulator.wait_for_messages(alice["id"], 1)
        assert "Storm update 1" in answer.text
    assert "/story/none" not in site.requests  # pages are not polled
    with session_scope(runtime.sessions) as session:
        run = store.last_reindex_run(session=session)
    assert run is not None
    assert run.summary["trigger"] == "poll"


async def test_a_snapshot_written_by_another_process_is_served(
    tmp_path: Path, emulator: TelegramEmulator, config: BotConfig
) -> None:
    runtime = make_runtime(tmp_path / "data")
    seed_old_index(runtime)
    watch = AdminConfig(progress_interval=0.05, feed_poll_seconds=None, index_watch_seconds=0.1)
    async with admin_world(runtime, emulator, config, watch) as world:
        served = world.admin.reloader.version
        other = make_runtime(tmp_path / "data")  # like `newsbot ingest` in a shell

        def ingest_elsewhere() -> None:
            indexer = other.indexer()
            indexer.open()
            indexer.ingest([Article(title="Volcano erupts", body="The volcano erupted. " * 20)])

        await asyncio.to_thread(ingest_elsewhere)
        await other.aclose()
        live = current_version(runtime.index_dir)
        assert live != served
        await _eventually(lambda: world.admin.reloader.version == live)
        alice = emulator.create_user("Alice")
        emulator.send_text(alice["id"], "What did the volcano do?", user=alice)
        [answer] = await emulator.wait_for_messages(alice["id"], 1)
        assert "Volcano erupts" in answer.text


async def _script(output: list[str], *steps: str | Callable[[], bool]) -> AsyncIterator[str]:
    """Lines for the terminal; a callable step waits until it holds."""
    for step in steps:
        if callable(step):
            await _eventually(step)
        else:
            yield step


async def test_offline_terminal_user_is_the_admin(tmp_path: Path, site: NewsSite) -> None:
    runtime = make_runtime(tmp_path / "data")
    assert runtime.settings.admin_user_ids == ()
    config = bot_config(runtime.settings)
    assert config.admin_user_ids == {OFFLINE_USER_ID}
    service = build_service(runtime)
    admin = build_admin(runtime, service)

    def build(base_url: str) -> Application:  # type: ignore[type-arg]
        return build_application(
            dataclasses.replace(config, api_base_url=base_url), service, admin=admin
        )

    output: list[str] = []

    def printed() -> str:
        return "\n".join(output)

    lines = _script(
        output,
        f"/addsource {site.url('/feed.xml')}",
        "/reindex",
        lambda: "Re-index finished" in printed(),
        "What did the rain report say?",
        "/quit",
    )
    try:
        await run_offline(build, lines=lines, write=output.append, poll_timeout=1.0)
    finally:
        service.assistant.searcher.close()
        await runtime.aclose()
    said = [line for line in output if line.startswith("bot> ")]
    added = next(i for i, line in enumerate(said) if "Added feed #1" in line)
    assert said[added + 1].startswith("bot> Re-indexing… (")
    [summary] = [i for i, line in enumerate(said) if "Re-index finished" in line]
    assert "2 new, 0 updated" in said[summary]
    assert "Rain update 1" in said[-1]


async def test_offline_admins_come_from_the_setting_when_set(tmp_path: Path) -> None:
    runtime = make_runtime(tmp_path / "data", ADMIN_USER_IDS="7,8")
    assert bot_config(runtime.settings).admin_user_ids == {7, 8}
    online = make_runtime(tmp_path / "data", TELEGRAM_BOT_TOKEN="1:abc")
    assert bot_config(online.settings).admin_user_ids == frozenset()
