"""/reindex ends in one closing message, the summary: its figures are never said twice (the
progress message once read "Re-indexing: finished in 0 s." above a summary saying the same)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import messages_admin
from bot.app import BotConfig
from bot.emulator import TelegramEmulator, html_to_plain
from bot.emulator_messages import StoredMessage
from index import store
from index.db import session_scope
from tests.bot.admin_world import ADMIN_ID, AdminWorld, admin_world, make_runtime, seed_old_index
from tests.bot.test_admin_commands import gate_file


@pytest.fixture
async def world(
    tmp_path: Path, emulator: TelegramEmulator, config: BotConfig
) -> AsyncIterator[AdminWorld]:
    """The admin bot (giving up on a 429 at once), with a folder source held by a gate."""
    runtime = make_runtime(tmp_path / "data")
    seed_old_index(runtime)
    with session_scope(runtime.sessions) as session:
        store.add_source(session=session, kind="folder", location=str(tmp_path / "folder"))
    async with admin_world(
        runtime, emulator, dataclasses.replace(config, rate_limit_retries=0)
    ) as started:
        yield started


async def _reindex(
    world: AdminWorld, tmp_path: Path, fail: tuple[str, int] | None
) -> StoredMessage:
    """Run /reindex held at its gate until the progress message shows; then make the next
    `fail` call refused, let the run finish, and wait for the closing message."""
    emulator = world.emulator
    admin = emulator.create_user("Ada", user_id=ADMIN_ID)
    with gate_file(tmp_path / "folder") as open_gate:
        command = emulator.send_text(ADMIN_ID, "/reindex", user=admin)
        await emulator.wait_until(
            lambda: any(m.text.startswith("Re-indexing…") for m in emulator.bot_messages(ADMIN_ID))
        )
        [progress] = emulator.bot_messages(ADMIN_ID)
        assert progress.reply_to_message_id == command["message"]["message_id"]
        if fail is not None:
            method, status = fail
            emulator.fail_next(method, status, retry_after=1 if status == 429 else None)
        await open_gate()
        await emulator.wait_until(
            lambda: any("Re-index finished" in m.text for m in emulator.bot_messages(ADMIN_ID))
        )
        await emulator.wait_until(lambda: not world.admin.busy)
    await world.admin.aclose()  # the follower has finished with the chat
    return progress


def _texts(world: AdminWorld) -> list[str]:
    return [m.text for m in world.emulator.bot_messages(ADMIN_ID)]


async def test_the_summary_replaces_the_progress_message(world: AdminWorld, tmp_path: Path) -> None:
    progress = await _reindex(world, tmp_path, None)
    [summary] = world.emulator.bot_messages(ADMIN_ID)
    assert progress.deleted
    assert summary.text.startswith("Re-index finished in ")
    assert "1 source: 1 new" in summary.text
    # A reply to the command, as the progress message was: the admin is notified.
    assert summary.reply_to_message_id == progress.reply_to_message_id
    assert summary.text.count("finished") == 1


async def test_a_refused_summary_goes_into_the_progress_message(
    world: AdminWorld, tmp_path: Path
) -> None:
    progress = await _reindex(world, tmp_path, ("sendMessage", 429))
    assert not progress.deleted
    assert _texts(world) == [progress.text]
    assert progress.text.startswith("Re-index finished in ")


async def test_an_undeletable_progress_message_points_at_the_summary(
    world: AdminWorld, tmp_path: Path
) -> None:
    progress = await _reindex(world, tmp_path, ("deleteMessage", 400))
    assert not progress.deleted
    pointer, summary = _texts(world)
    assert pointer == html_to_plain(messages_admin.reindex_done("reindex"))
    assert pointer == "Re-indexing: finished, the summary is below."
    assert summary.startswith("Re-index finished in ")
