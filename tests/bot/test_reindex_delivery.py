"""/reindex when Telegram refuses its first progress message: the job runs on, and the
admin is still told (a progress message posted later, then the summary in its place)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import messages
from bot.app import BotConfig
from bot.emulator import TelegramEmulator, html_to_plain
from index import store
from index.db import session_scope
from tests.bot.admin_world import ADMIN_ID, AdminWorld, admin_world, make_runtime, seed_old_index
from tests.bot.test_admin_commands import gate_file


@pytest.fixture
async def impatient_admin_bot(
    tmp_path: Path, emulator: TelegramEmulator, config: BotConfig
) -> AsyncIterator[AdminWorld]:
    """The admin bot, giving up on a 429 at once (as it does after its retries)."""
    runtime = make_runtime(tmp_path / "data")
    seed_old_index(runtime)
    async with admin_world(
        runtime, emulator, dataclasses.replace(config, rate_limit_retries=0)
    ) as w:
        yield w


def _texts(world: AdminWorld) -> list[str]:
    return [m.text for m in world.emulator.bot_messages(ADMIN_ID)]


async def test_a_refused_first_progress_message_still_ends_in_the_summary(
    impatient_admin_bot: AdminWorld,
) -> None:
    emulator = impatient_admin_bot.emulator
    admin = emulator.create_user("Ada", user_id=ADMIN_ID)
    emulator.fail_next("sendMessage", 429, retry_after=1)
    emulator.send_text(ADMIN_ID, "/reindex", user=admin)
    await emulator.wait_until(
        lambda: any("Re-index finished" in t for t in _texts(impatient_admin_bot))
    )
    assert html_to_plain(messages.APOLOGY) not in _texts(impatient_admin_bot)
    assert not impatient_admin_bot.admin.busy


async def test_a_long_job_posts_its_progress_message_at_the_next_tick(
    impatient_admin_bot: AdminWorld, tmp_path: Path
) -> None:
    emulator = impatient_admin_bot.emulator
    admin = emulator.create_user("Ada", user_id=ADMIN_ID)
    with session_scope(impatient_admin_bot.runtime.sessions) as session:
        store.add_source(session=session, kind="folder", location=str(tmp_path / "folder"))
    with gate_file(tmp_path / "folder") as open_gate:
        emulator.fail_next("sendMessage", 429, retry_after=1)
        emulator.send_text(ADMIN_ID, "/reindex", user=admin)
        # The refused message is posted again while the job runs, then kept up to date.
        await emulator.wait_until(
            lambda: any("Now indexing articles." in t for t in _texts(impatient_admin_bot))
        )
        [progress] = emulator.bot_messages(ADMIN_ID)
        assert progress.text.startswith("Re-indexing… (")
        assert impatient_admin_bot.admin.busy
        await open_gate()
        await emulator.wait_until(lambda: "Re-index finished" in _texts(impatient_admin_bot)[-1])
    await emulator.wait_until(lambda: progress.deleted)
    [summary] = _texts(impatient_admin_bot)  # in the progress message's place
    assert "1 source: 1 new" in summary
    assert html_to_plain(messages.APOLOGY) not in _texts(impatient_admin_bot)
