"""An internet-facing webhook gets requests that are not Telegram updates: each is one
WARNING line without a traceback, and the bot keeps answering real updates (PTB's own
webhook server on 127.0.0.1, logging as `newsbot` sets it up)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import io
import json
import logging
import os
import signal
import socket
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from bot.app import BotConfig, build_application
from bot.emulator import TelegramEmulator
from bot.logging_setup import configure_logging
from bot.webhook import RecentIds, serve_webhook, webhook
from tests.bot.fakes import FakeNewsService

SECRET = "webhook-secret-for-tests"
HEADERS = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}


@pytest.fixture
def newsbot_log() -> Iterator[io.StringIO]:
    """Logging as `newsbot run` sets it up, at INFO, written to the returned buffer."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    configure_logging("INFO", [SECRET])
    output = io.StringIO()
    [handler] = root.handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(output)
    try:
        yield output
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)


@contextlib.asynccontextmanager
async def _webhook_bot(config: BotConfig, news: FakeNewsService) -> AsyncIterator[str]:
    """The bot served on a webhook as `newsbot run` does with WEBHOOK_URL; yields the URL to
    POST to."""
    config = dataclasses.replace(
        config, webhook_url="https://bot.example/telegram-hook", webhook_secret=SECRET
    )
    application = build_application(config, news)
    async with webhook(
        application, url=config.webhook_url or "", listen="127.0.0.1", port=0, secret=SECRET
    ) as port:
        yield f"http://127.0.0.1:{port}/telegram-hook"


GARBAGE = [
    b"this is not json",
    b"\xff\xfe\x00garbage",
    b'{"hello": "world"}',
    b"[1, 2, 3]",
    b'"just a string"',
    b'{"update_id": "seven", "message": 5}',
    b"[" * 100_000,  # nested past Python's recursion limit: json.loads raises RecursionError
    # A message without its chat: PTB reads it, the handlers would fail on it.
    b'{"update_id": 5000, "message": {"message_id": 1, "date": 1, "text": "hi"}}',
]


async def test_garbage_is_one_warning_each_and_the_bot_keeps_answering(
    emulator: TelegramEmulator,
    config: BotConfig,
    news: FakeNewsService,
    newsbot_log: io.StringIO,
) -> None:
    alice = emulator.create_user("Alice")
    async with _webhook_bot(config, news) as url, httpx.AsyncClient() as client:
        for body in GARBAGE:
            response = await client.post(url, content=body, headers=HEADERS)
            assert response.status_code == 400, body

        update = emulator.send_text(alice["id"], "/help", user=alice)
        response = await client.post(url, content=json.dumps(update), headers=HEADERS)
        assert response.status_code == 200
        [reply] = await emulator.wait_for_messages(alice["id"], 1)
        assert reply.text

    lines = newsbot_log.getvalue().splitlines()
    warnings = [line for line in lines if " WARNING " in line]
    assert len(warnings) == len(GARBAGE), lines
    assert all("webhook" in line and "not a Telegram update" in line for line in warnings)
    assert not [line for line in lines if " CRITICAL " in line or " ERROR " in line]
    assert not [line for line in lines if line.startswith(("Traceback", "  File "))]


async def test_a_request_without_the_secret_is_refused_quietly(
    emulator: TelegramEmulator,
    config: BotConfig,
    news: FakeNewsService,
    newsbot_log: io.StringIO,
) -> None:
    alice = emulator.create_user("Alice")
    update = json.dumps(emulator.send_text(alice["id"], "/help", user=alice))
    async with _webhook_bot(config, news) as url, httpx.AsyncClient() as client:
        wrong = {**HEADERS, "X-Telegram-Bot-Api-Secret-Token": "guessed"}
        missing = {"Content-Type": "application/json"}
        # Raw bytes a scanner may send: UTF-8 and not UTF-8.
        not_ascii = {**HEADERS, "X-Telegram-Bot-Api-Secret-Token": "s\u00e9cret".encode()}
        not_utf8 = {**HEADERS, "X-Telegram-Bot-Api-Secret-Token": b"\xff\xfe"}
        for headers in (wrong, missing, not_ascii, not_utf8):
            response = await client.post(url, content=update, headers=headers)
            assert response.status_code == 403
        assert (await client.get(url)).status_code == 405
        assert (await client.post(url + "/elsewhere", content=update)).status_code == 404
    assert emulator.bot_messages(alice["id"]) == []  # nothing got through
    assert emulator.state.webhook["url"] == "https://bot.example/telegram-hook"
    assert emulator.state.webhook["secret_token"] == SECRET
    assert " WARNING " not in newsbot_log.getvalue()


async def test_serving_registers_the_webhook_and_stops_on_sigterm(
    emulator: TelegramEmulator, config: BotConfig, news: FakeNewsService
) -> None:
    with socket.socket() as probe:  # a free port to serve on
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    url = f"http://127.0.0.1:{port}/hook"
    application = build_application(config, news)
    serving = asyncio.create_task(
        serve_webhook(application, url=url, listen="127.0.0.1", port=port, secret=SECRET)
    )
    alice = emulator.create_user("Alice")
    update = json.dumps(emulator.send_text(alice["id"], "/help", user=alice))
    response: httpx.Response | None = None
    async with httpx.AsyncClient() as client:
        for _ in range(200):  # until it listens (the signal handlers are in place by then)
            with contextlib.suppress(httpx.ConnectError):
                response = await client.post(url, content=update, headers=HEADERS)
                break
            await asyncio.sleep(0.05)
    assert response is not None
    assert response.status_code == 200
    await emulator.wait_for_messages(alice["id"], 1)
    assert emulator.state.webhook["url"] == url

    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(serving, timeout=10)
    assert not application.running


async def test_an_update_sent_again_is_answered_once(
    emulator: TelegramEmulator, config: BotConfig, news: FakeNewsService
) -> None:
    alice = emulator.create_user("Alice")
    question = emulator.send_text(alice["id"], "What happened in Seoul?", user=alice)
    other = emulator.send_text(alice["id"], "And in Tokyo?", user=alice)
    config = dataclasses.replace(config, webhook_url="https://bot.example/hook")
    application = build_application(config, news)
    async with (
        webhook(
            application, url="https://bot.example/hook", listen="127.0.0.1", port=0, secret=SECRET
        ) as port,
        httpx.AsyncClient() as client,
    ):
        url = f"http://127.0.0.1:{port}/hook"
        # Telegram re-sends an update whose POST timed out: each is a 200, one is answered.
        for update in (question, question, other, question):
            response = await client.post(url, content=json.dumps(update), headers=HEADERS)
            assert response.status_code == 200
        await application.update_queue.join()
    assert [call.question for call in news.calls] == ["What happened in Seoul?", "And in Tokyo?"]


def test_recent_ids_forget_the_oldest() -> None:
    recent = RecentIds(size=2)
    assert [recent.add(i) for i in (1, 2, 1, 3, 1, 3)] == [True, True, False, True, True, False]
    with pytest.raises(ValueError, match="at least 1"):
        RecentIds(size=0)
