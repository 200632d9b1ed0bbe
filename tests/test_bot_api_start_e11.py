"""`newsbot run` that cannot start on Telegram (nothing listens at the Bot API address, or the
token is refused) says so in one line and exits non-zero: no python-telegram-bot traceback
before it. The real process, as a user runs it."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from aiohttp import web

from bot.start_errors import TOKEN_REJECTED
from tests.newsbot_process import SETTING_NAMES, run_newsbot
from tests.patient_emulator import PatientEmulator

TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _said(result: subprocess.CompletedProcess[str]) -> list[str]:
    """What the user is told: the lines that are no timestamped log line."""
    assert result.returncode == 1, result.stderr
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert " ERROR " not in output, output
    assert TOKEN not in output
    return [line for line in result.stderr.splitlines() if line.startswith("newsbot:")]


def test_an_unreachable_bot_api_is_one_line(tmp_path: Path) -> None:
    port = _closed_port()
    result = run_newsbot(
        "run",
        folder=tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}/bot",
    )
    [line] = _said(result)
    assert line.startswith(f"newsbot: Could not reach the Telegram Bot API at 127.0.0.1:{port} (")
    assert line.endswith("check the network connection, or TELEGRAM_API_BASE_URL.")
    assert result.stderr.rstrip().endswith(line)


async def test_a_rejected_token_is_one_line(tmp_path: Path) -> None:
    async with PatientEmulator(token="1:the-token-the-server-knows") as emulator:
        result = await asyncio.to_thread(
            run_newsbot,
            "run",
            folder=tmp_path,
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=emulator.base_url,
        )
    assert _said(result) == [f"newsbot: {TOKEN_REJECTED}"]


async def test_a_server_that_is_no_bot_api_is_named_not_the_token(tmp_path: Path) -> None:
    # A web server's or proxy's 404 page: PTB takes any 404 for a rejected token.
    async def not_found(request: web.Request) -> web.Response:
        return web.Response(status=404, text="<html><body>Not Found</body></html>")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", not_found)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        result = await asyncio.to_thread(
            run_newsbot,
            "run",
            folder=tmp_path,
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}/bot",
        )
    finally:
        await runner.cleanup()
    assert _said(result) == [
        f"newsbot: The server at 127.0.0.1:{port} is no Telegram Bot API (it answered "
        "Not Found (404) without a Bot API reply): check TELEGRAM_API_BASE_URL."
    ]


async def test_a_reachable_bot_api_still_serves_and_stops_cleanly(tmp_path: Path) -> None:
    # The application is initialised before run_polling now: polling must still start once.
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTING_NAMES}
    async with PatientEmulator(token=TOKEN) as emulator:
        env |= {
            "NEWSBOT_DATA_DIR": str(tmp_path / "data"),
            "HF_HUB_OFFLINE": "1",
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": emulator.base_url,
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run",
            cwd=tmp_path, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            await emulator.wait_until(lambda: bool(emulator.calls("getUpdates")), timeout=200)
            user = emulator.create_user()
            emulator.send_text(user["id"], "/help", user=user)
            [reply] = await emulator.wait_for_messages(user["id"], 1)
            process.send_signal(signal.SIGINT)
            stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert reply.text
    output = (stdout + stderr).decode()
    assert process.returncode == 0, output
    assert "Traceback" not in output, output
    assert len(emulator.calls("getMe")) == 1
    assert len(emulator.calls("setMyCommands")) == 1
