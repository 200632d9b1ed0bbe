"""A 429 on the long poll is one WARNING line from the bot, never PTB's ERROR with a
traceback; other polling failures are still logged by PTB as errors."""

from __future__ import annotations

import logging

import pytest
from telegram.error import RetryAfter
from telegram.request import RequestData

from bot.emulator import TelegramEmulator
from bot.polling_request import FALLBACK_RETRY_AFTER, PollingRequest, retry_after
from bot.telegram_http import HttpLimits
from tests.bot.conftest import TOKEN, StartBot
from tests.patient_emulator import PatientEmulator

POLLING_LOGGER = "bot.polling_request"


def _errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == POLLING_LOGGER and r.levelno == logging.WARNING
    ]


async def _answered_after_429(
    emulator: TelegramEmulator, start_bot: StartBot, retry: int | None
) -> None:
    emulator.fail_next("getUpdates", 429, retry_after=retry)
    await start_bot()
    alice = emulator.create_user("Alice")
    emulator.send_text(alice["id"], "Who won?", user=alice)
    [reply] = await emulator.wait_for_messages(alice["id"], 1)
    assert reply.text == "No idea."


async def test_a_rate_limited_poll_is_one_warning_and_no_error(
    emulator: TelegramEmulator, start_bot: StartBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await _answered_after_429(emulator, start_bot, retry=1)
    assert _warnings(caplog) == [
        "Telegram is rate-limiting the bot's polling (HTTP 429); polling again in 1 s"
    ]
    assert _errors(caplog) == []


async def test_a_429_without_retry_after_is_waited_out_not_an_error() -> None:
    # A proxy's bare 429: PTB would raise NetworkError and log it with a traceback.
    async with PatientEmulator(token=TOKEN) as emulator:
        emulator.fail_next("getUpdates", 429)
        request = PollingRequest(HttpLimits(pool_size=1))
        await request.initialize()
        try:
            with pytest.raises(RetryAfter) as raised:
                await request.post(
                    f"{emulator.base_url}{TOKEN}/getUpdates", RequestData(), read_timeout=5
                )
        finally:
            await request.shutdown()
    assert raised.value.retry_after.total_seconds() == FALLBACK_RETRY_AFTER


async def test_other_polling_failures_are_still_logged_as_errors(
    emulator: TelegramEmulator, start_bot: StartBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    emulator.fail_next("getUpdates", 502)
    await start_bot()
    alice = emulator.create_user("Alice")
    emulator.send_text(alice["id"], "Who won?", user=alice)
    await emulator.wait_for_messages(alice["id"], 1)
    assert [r.getMessage() for r in _errors(caplog)] == [
        "Exception happened while polling for updates."
    ]
    assert _warnings(caplog) == []


@pytest.mark.parametrize(
    ("payload", "wait"),
    [
        (b'{"ok": false, "error_code": 429, "parameters": {"retry_after": 7}}', 7),
        (b'{"ok": false, "error_code": 429, "description": "Too Many Requests"}', None),
        (b'{"ok": false, "parameters": {"retry_after": "soon"}}', None),
        (b'{"ok": false, "parameters": {"retry_after": true}}', None),
        (b"<html>busy</html>", None),
        (b"[]", None),
    ],
)
def test_retry_after_of_a_reply(payload: bytes, wait: int | None) -> None:
    assert retry_after(payload) == wait
