"""The webhook server: with WEBHOOK_URL set, Telegram POSTs each update to the bot.

A small aiohttp server of our own instead of PTB's (`Application.run_webhook`): a URL on
the internet also gets requests that are not updates (scanners, garbage), and PTB's server
logs a body that is JSON but not an update at CRITICAL with a traceback (and answers one
that is not JSON with a 500). Here each such request gets a 400 and one WARNING line, and
the bot goes on with the next. Telegram sends an update again when our answer to the POST is
slow or lost: a repeat of an update taken recently gets a 200 and is not answered twice.
The lifecycle is the one `Application.run_webhook` follows.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import signal
from collections import OrderedDict
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application, ExtBot

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1024 * 1024  # an update is a few kilobytes; refuse anything huge unread
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGABRT)
# Telegram re-sends within minutes; a few thousand ids cover that at any sensible traffic.
RECENT_UPDATES = 4096


class RecentIds:
    """The last `size` update ids taken, to tell a re-sent update from a new one."""

    def __init__(self, size: int = RECENT_UPDATES) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self._size = size
        self._ids: OrderedDict[int, None] = OrderedDict()

    def add(self, update_id: int) -> bool:
        """Remember `update_id`; False when it was already among the recent ones."""
        if update_id in self._ids:
            return False
        self._ids[update_id] = None
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)
        return True


def _not_an_update(request: web.Request, why: str) -> web.Response:
    logger.warning(
        "ignored a webhook request from %s that is not a Telegram update (%s)",
        request.remote,
        why,
    )
    return web.Response(status=400, text="not a Telegram update")


def webhook_app(
    application: Application,  # type: ignore[type-arg]
    *,
    path: str,
    secret: str | None,
) -> web.Application:
    """The aiohttp app that takes updates POSTed to `path` into the application's queue."""
    recent = RecentIds()

    async def receive(request: web.Request) -> web.Response:
        if secret is not None:
            given = request.headers.get(SECRET_HEADER, "")
            # Compared in constant time: the secret is what stands between anyone and the bot.
            # aiohttp keeps bytes that are not UTF-8 as surrogates: encode them back, not fail.
            if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), secret.encode()):
                logger.debug("refused a webhook request from %s: wrong secret", request.remote)
                return web.Response(status=403)
        body = await request.read()
        try:
            data = json.loads(body)
        except ValueError:  # not JSON, or not text at all
            return _not_an_update(request, "not JSON")
        except RecursionError:  # nested deeper than the parser goes: no update is
            return _not_an_update(request, "JSON nested too deep")
        if not isinstance(data, dict):
            return _not_an_update(request, f"a JSON {type(data).__name__}")
        try:
            update = Update.de_json(data, application.bot)
        except Exception as exc:  # whatever PTB makes of odd JSON, it is not an update
            return _not_an_update(request, f"{type(exc).__name__}")
        message = update.effective_message
        if message is not None and getattr(message, "chat", None) is None:
            # Telegram's messages always have a chat; the handlers rely on it.
            return _not_an_update(request, "a message without a chat")
        if not recent.add(update.update_id):
            logger.info("dropped update %d: Telegram sent it again", update.update_id)
            return web.Response()
        if isinstance(application.bot, ExtBot):
            application.bot.insert_callback_data(update)
        await application.update_queue.put(update)
        return web.Response()

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.router.add_post(path, receive)
    return app


def webhook_path(url: str) -> str:
    """The path Telegram POSTs to: the path of the webhook URL ("/" when it has none)."""
    return urlsplit(url).path or "/"


@contextlib.asynccontextmanager
async def webhook(
    application: Application,  # type: ignore[type-arg]
    *,
    url: str,
    listen: str,
    port: int,
    secret: str | None,
) -> AsyncIterator[int]:
    """Run the application on a webhook inside an already running event loop; yields the
    port it listens on (the one chosen when `port` is 0).

    The same steps, in the same order, as `Application.run_webhook`: initialise, post_init,
    register the webhook with Telegram, serve, start; then the reverse.
    """
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await application.bot.set_webhook(
            url=url, allowed_updates=Update.ALL_TYPES, secret_token=secret
        )
        app = webhook_app(application, path=webhook_path(url), secret=secret)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        receiving = True
        try:
            await web.TCPSite(runner, listen, port).start()
            bound = int(runner.addresses[0][1])
            logger.info("receiving updates on %s:%d (webhook %s)", listen, bound, webhook_path(url))
            await application.start()
            try:
                yield bound
            finally:
                receiving = False
                await runner.cleanup()  # no new updates first, then finish the ones taken
                if application.running:
                    await application.stop()
                if application.post_stop is not None:
                    await application.post_stop(application)
        finally:
            if receiving:
                await runner.cleanup()
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def serve_webhook(
    application: Application,  # type: ignore[type-arg]
    *,
    url: str,
    listen: str,
    port: int,
    secret: str | None,
) -> None:
    """Serve the webhook until SIGINT, SIGTERM or SIGABRT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for stop_signal in _STOP_SIGNALS:
        with contextlib.suppress(NotImplementedError):  # not on Windows
            loop.add_signal_handler(stop_signal, stop.set)
    try:
        async with webhook(application, url=url, listen=listen, port=port, secret=secret):
            await stop.wait()
    finally:
        for stop_signal in _STOP_SIGNALS:
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(stop_signal)
