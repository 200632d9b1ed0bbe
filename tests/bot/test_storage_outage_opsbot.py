"""A database outage is told to the log once, not at every failed look: one WARNING with the
driver's reason when it starts, one INFO line when the database is back; a background
task's failure is named as that task, never as "chat None". Real SQLite file made
unreachable (a folder where the database file was), real index watch and error handler."""

from __future__ import annotations

import asyncio
import logging
import shutil
from pathlib import Path

import pytest

from bot.admin_jobs import watch_index_once
from bot.app import BotConfig
from bot.emulator import TelegramEmulator
from bot.runtime import Runtime
from bot.storage_outage import StorageOutage
from index.errors import StorageError
from tests.bot.admin_world import admin_world, make_runtime, seed_old_index


@pytest.fixture
def runtime(tmp_path: Path) -> Runtime:
    runtime = make_runtime(tmp_path / "data")
    seed_old_index(runtime)
    return runtime


def _database_down(runtime: Runtime) -> Path:
    """Make the database file unreachable for new connections; returns where it went."""
    database = Path(runtime.engine.url.database or "")
    runtime.engine.dispose()  # pooled connections would still read the moved file
    moved = database.with_name("moved.db")
    database.rename(moved)
    database.mkdir()  # "unable to open database file"
    return moved


def _database_up(runtime: Runtime, moved: Path) -> None:
    database = Path(runtime.engine.url.database or "")
    shutil.rmtree(database)
    moved.rename(database)
    runtime.engine.dispose()


def _lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.INFO and r.name.startswith("bot")]


async def test_the_index_watch_tells_an_outage_once_and_its_end(
    runtime: Runtime,
    emulator: TelegramEmulator,
    config: BotConfig,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with admin_world(runtime, emulator, config) as world:
        await watch_index_once(world.admin)  # the database answers: nothing to say
        caplog.clear()
        caplog.set_level(logging.INFO)
        moved = _database_down(runtime)
        for _ in range(6):
            await watch_index_once(world.admin)
        [warning] = _lines(caplog)
        assert warning.levelno == logging.WARNING
        assert warning.exc_info is None  # no traceback
        assert "the database is unavailable" in warning.getMessage()
        assert "unable to open database file" in warning.getMessage()  # the driver's reason
        assert "the index watch" in warning.getMessage()

        caplog.clear()
        _database_up(runtime, moved)
        await watch_index_once(world.admin)
        await watch_index_once(world.admin)
        [back] = _lines(caplog)
        assert back.levelno == logging.INFO
        assert "available again" in back.getMessage()
        assert "6 failed attempts" in back.getMessage()


async def test_a_background_task_failing_on_storage_is_named_and_told_once(
    runtime: Runtime,
    emulator: TelegramEmulator,
    config: BotConfig,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def deliver_round() -> None:
        raise StorageError(detail="connection refused")

    async with admin_world(runtime, emulator, config) as world:
        caplog.set_level(logging.INFO)
        for _ in range(5):  # as the alert delivery does every few seconds
            task = world.application.create_task(deliver_round())
            # The error handler is awaited inside the task, before it ends with the error.
            await asyncio.gather(task, return_exceptions=True)
        lines = _lines(caplog)
        assert not [r for r in lines if "chat None" in r.getMessage()]
        [warning] = lines
        assert warning.levelno == logging.WARNING
        assert "connection refused" in warning.getMessage()
        assert "deliver_round" in warning.getMessage()  # the task, by its coroutine's name


def test_a_long_outage_is_repeated_every_few_minutes_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    outage = StorageOutage(repeat_seconds=300.0, clock=lambda: now[0])
    caplog.set_level(logging.INFO, logger="bot.storage_outage")
    for second in range(0, 3600, 3):  # an hour down, a failure every 3 s
        now[0] = float(second)
        outage.failed(StorageError(detail="connection refused"), "the alert delivery")
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 12  # the first, then one per 5 minutes
    assert "still unavailable after 5 min" in messages[1]
    now[0] = 3600.0
    outage.succeeded()
    outage.succeeded()
    assert len(caplog.records) == 13
    assert "available again after 60 min (1200 failed attempts" in caplog.records[-1].getMessage()
