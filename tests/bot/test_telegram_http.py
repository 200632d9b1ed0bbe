"""The Bot API transport on aiohttp, against a small local HTTP server."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web
from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.app import BotConfig, build_application, run
from bot.telegram_http import AiohttpRequest, HttpLimits
from index.errors import NewsbotError

TOKEN = "123:secret-token-of-the-test"
SLOW_SECONDS = 10.0  # far beyond the read timeout below


@dataclass
class Site:
    base: str  # the Bot API base URL with the token, as PTB builds it
    seen: list[dict[str, object]] = field(default_factory=list)
    slow_arrived: asyncio.Event = field(default_factory=asyncio.Event)


@pytest.fixture
async def server() -> AsyncIterator[Site]:
    site_state = Site(base="")
    seen = site_state.seen

    async def echo(request: web.Request) -> web.Response:
        form = await request.post()
        fields: dict[str, object] = {}
        for name, value in form.items():
            fields[name] = value.file.read() if isinstance(value, web.FileField) else value
        seen.append({"path": request.path, "agent": request.headers["User-Agent"], **fields})
        return web.json_response({"ok": True, "result": True}, status=200)

    async def slow(_request: web.Request) -> web.Response:
        site_state.slow_arrived.set()
        await asyncio.sleep(SLOW_SECONDS)
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/bot{token}/echo", echo)
    app.router.add_post("/bot{token}/slow", slow)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    site_state.base = f"http://127.0.0.1:{port}/bot{TOKEN}"
    try:
        yield site_state
    finally:
        await runner.cleanup()


@pytest.fixture
async def request_() -> AsyncIterator[AiohttpRequest]:
    transport = AiohttpRequest()  # PTB's default timeouts: seconds, generous on a slow machine
    await transport.initialize()
    try:
        yield transport
    finally:
        await transport.shutdown()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_fields_are_posted_as_a_form(server: Site, request_: AiohttpRequest) -> None:
    base, seen = server.base, server.seen
    data = RequestData(
        [
            RequestParameter.from_input("chat_id", 42),
            RequestParameter.from_input("text", "héllo & <b>"),
        ]
    )
    status, body = await request_.do_request(f"{base}/echo", "POST", data)
    assert (status, body) == (200, b'{"ok": true, "result": true}')
    assert seen == [
        {
            "path": f"/bot{TOKEN}/echo",
            "agent": AiohttpRequest.USER_AGENT,
            "chat_id": "42",
            "text": "héllo & <b>",
        }
    ]


async def test_files_go_as_multipart(server: Site, request_: AiohttpRequest) -> None:
    base, seen = server.base, server.seen
    document = InputFile(b"line one\n", filename="notes.txt", attach=False)
    data = RequestData(
        [
            RequestParameter.from_input("chat_id", 7),
            RequestParameter.from_input("document", document),
        ]
    )
    status, _ = await request_.do_request(f"{base}/echo", "POST", data)
    assert status == 200
    assert seen[0]["chat_id"] == "7"
    assert seen[0]["document"] == b"line one\n"


async def test_a_slow_reply_is_a_timeout(server: Site) -> None:
    base = server.base
    transport = AiohttpRequest(HttpLimits(read_timeout=0.5))
    await transport.initialize()
    try:
        with pytest.raises(TimedOut):
            await transport.do_request(f"{base}/slow", "POST", RequestData([]))
    finally:
        await transport.shutdown()


async def test_no_free_connection_in_time_is_a_retryable_network_error(
    server: Site,
) -> None:
    base = server.base
    transport = AiohttpRequest(HttpLimits(pool_size=1, pool_timeout=0.5, connect_timeout=0.5))
    await transport.initialize()
    try:
        occupying = asyncio.create_task(
            transport.do_request(f"{base}/slow", "POST", RequestData([]))
        )
        await server.slow_arrived.wait()  # the slow call holds the only connection
        with pytest.raises(NetworkError) as caught:
            await transport.do_request(f"{base}/echo", "POST", RequestData([]))
        assert not isinstance(caught.value, TimedOut)  # not sent: safe to repeat
        assert caught.value.__cause__ is None  # aiohttp's message quotes the token
        occupying.cancel()
    finally:
        await transport.shutdown()


async def test_no_connection_is_a_network_error_without_the_token(
    request_: AiohttpRequest,
) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/bot{TOKEN}/getMe"
    with pytest.raises(NetworkError) as caught:
        await request_.do_request(url, "POST", RequestData([]))
    assert "cannot connect" in caught.value.message
    assert TOKEN not in caught.value.message


async def test_requests_need_initialize_and_shutdown_twice_is_harmless() -> None:
    transport = AiohttpRequest()
    with pytest.raises(RuntimeError):
        await transport.do_request("http://127.0.0.1:1/x", "POST")
    await transport.initialize()
    await transport.shutdown()
    await transport.shutdown()


class _NoNews:
    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"unexpected call: {name}")


def test_an_unreachable_bot_api_ends_start_up_with_a_clear_message(tmp_path: Path) -> None:
    config = BotConfig(
        token=TOKEN,
        api_base_url=f"http://127.0.0.1:{_closed_port()}/bot",
        network_retries=0,
    )
    application = build_application(config, _NoNews())  # type: ignore[arg-type]
    with pytest.raises(NewsbotError) as caught:
        run(application, config)
    message = caught.value.user_message
    assert message.startswith("Could not reach the Telegram Bot API at 127.0.0.1:")
    assert TOKEN not in message
