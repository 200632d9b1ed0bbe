"""Fixtures: a Bot API emulator on 127.0.0.1 and the real Application polling it."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot.app import BotConfig, build_application, polling
from bot.emulator import TelegramEmulator
from tests.bot.admin_world import AdminWorld, admin_world, seed_old_index
from tests.bot.admin_world import make_runtime as make_admin_runtime
from tests.bot.alerts_world import LIBRARY, THRESHOLD, AlertsWorld, alerts_world, make_runtime, seed
from tests.bot.fakes import FakeNewsService
from tests.patient_emulator import PatientEmulator

TOKEN = "123456:TEST-token"

StartBot = Callable[..., Awaitable[Application]]  # type: ignore[type-arg]


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's timedelta durations: otherwise PTB warns inside RetryAfter itself."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
async def emulator() -> AsyncIterator[TelegramEmulator]:
    async with PatientEmulator(token=TOKEN) as server:
        yield server


@pytest.fixture
def news() -> FakeNewsService:
    return FakeNewsService()


@pytest.fixture
def config(emulator: TelegramEmulator) -> BotConfig:
    return BotConfig(
        token=TOKEN,
        api_base_url=emulator.base_url,
        stream_edit_interval=0.0,
        typing_interval=0.2,
        network_retry_delay=0.01,
        poll_timeout=5.0,
    )


@pytest.fixture
async def start_bot(config: BotConfig, news: FakeNewsService) -> AsyncIterator[StartBot]:
    """Start the real Application on the emulator; `start_bot(field=value)` overrides config."""
    async with contextlib.AsyncExitStack() as stack:

        async def start(**overrides: Any) -> Application:  # type: ignore[type-arg]
            application = build_application(dataclasses.replace(config, **overrides), news)
            return await stack.enter_async_context(polling(application, poll_timeout=5.0))

        yield start


@pytest.fixture
async def bot(start_bot: StartBot) -> Application:  # type: ignore[type-arg]
    return await start_bot()


@pytest.fixture
async def world(  # the alert tests' bot, seeded with the library article
    tmp_path: Path, emulator: TelegramEmulator, config: BotConfig
) -> AsyncIterator[AlertsWorld]:
    runtime = make_runtime(tmp_path / "data", ALERT_THRESHOLD=THRESHOLD)
    seed(runtime, [LIBRARY])
    async with alerts_world(runtime, emulator, config) as started:
        yield started


@pytest.fixture
async def admin_bot(
    tmp_path: Path, emulator: TelegramEmulator, config: BotConfig
) -> AsyncIterator[AdminWorld]:
    """The real bot with its admin service over a one-article index (tests/bot/admin_world.py)."""
    runtime = make_admin_runtime(tmp_path / "data")
    seed_old_index(runtime)
    async with admin_world(runtime, emulator, config) as started:
        yield started
