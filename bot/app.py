"""Application wiring: settings in, a ready python-telegram-bot Application out."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import Application, Defaults

from bot import messages
from bot.api_retry import RetryingRateLimiter
from bot.context import news_context_types
from bot.handlers import register_handlers
from bot.polling_request import PollingRequest
from bot.processor import PerChatUpdateProcessor
from bot.ratelimit import QuestionLimiter
from bot.services import BotServices, NewsService
from bot.start_errors import rejected_token, unreachable
from bot.telegram_http import AiohttpRequest, HttpLimits
from bot.webhook import serve_webhook

if TYPE_CHECKING:
    from bot.admin_service import AdminService
    from bot.alerts_service import AlertService

TELEGRAM_API_URL = "https://api.telegram.org/bot"


@dataclass(frozen=True)
class BotConfig:
    """Everything the Telegram side needs; built from the settings by the entry point."""

    token: str = field(repr=False)
    api_base_url: str = TELEGRAM_API_URL  # PTB appends the token
    api_base_file_url: str | None = None  # default: derived from api_base_url
    admin_user_ids: frozenset[int] = frozenset()
    admin_chat_id: int | None = None
    questions_per_user_per_hour: int = 30  # 0 disables the limit
    timezone: str = "UTC"
    stream_edit_interval: float = 1.5
    typing_interval: float = 4.0
    latest_limit: int = 8
    max_concurrent_updates: int = 256
    rate_limit_retries: int = 3  # retries after a 429 (waiting retry_after)
    # Requests to chats per second, all chats together (Telegram's broadcast limit is ~30/s;
    # a local emulator needs none: 0 switches the throttle off).
    max_chat_requests_per_second: float = 30.0
    network_retries: int = 2  # retries after a network error or 5xx
    network_retry_delay: float = 0.5  # doubled on each retry
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    pool_timeout: float = 5.0
    connection_pool_size: int = 16  # to the Bot API: plenty for its ~30 messages a second
    poll_timeout: float = 30.0  # long-poll duration of getUpdates
    webhook_url: str | None = None  # set: run behind a webhook instead of polling
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: str | None = field(default=None, repr=False)
    # Other secrets (the LLM API key) that must never appear in a chat message.
    other_secrets: tuple[str, ...] = field(default=(), repr=False)

    @property
    def file_url(self) -> str:
        if self.api_base_file_url:
            return self.api_base_file_url
        base = self.api_base_url.rstrip("/")
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        return base + "/file/bot"


def build_services(
    config: BotConfig,
    news: NewsService,
    *,
    admin: AdminService | None = None,
    alerts: AlertService | None = None,
) -> BotServices:
    return BotServices(
        news=news,
        limiter=QuestionLimiter(config.questions_per_user_per_hour, window=3600.0),
        timezone=ZoneInfo(config.timezone),
        admin_user_ids=frozenset(config.admin_user_ids),
        admin_chat_id=config.admin_chat_id,
        stream_edit_interval=config.stream_edit_interval,
        typing_interval=config.typing_interval,
        latest_limit=config.latest_limit,
        admin=admin,
        alerts=alerts,
        secrets=tuple(s for s in (config.token, config.webhook_secret, *config.other_secrets) if s),
    )


def build_application(
    config: BotConfig,
    services: NewsService,
    *,
    admin: AdminService | None = None,
    alerts: AlertService | None = None,
) -> Application:  # type: ignore[type-arg]
    """The bot: handlers, typed context, per-chat processing, rate limiting, timeouts."""
    bot_services = build_services(config, services, admin=admin, alerts=alerts)
    defaults = Defaults(
        parse_mode=ParseMode.HTML,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
        tzinfo=bot_services.timezone,
    )
    limits = HttpLimits(
        pool_size=config.connection_pool_size,
        connect_timeout=config.connect_timeout,
        read_timeout=config.read_timeout,
        pool_timeout=config.pool_timeout,
    )
    application = (
        Application.builder()
        .token(config.token)
        .base_url(config.api_base_url)
        .base_file_url(config.file_url)
        .defaults(defaults)
        .context_types(news_context_types())
        .concurrent_updates(PerChatUpdateProcessor(config.max_concurrent_updates))
        .rate_limiter(
            RetryingRateLimiter(
                max_retries=config.rate_limit_retries,
                network_retries=config.network_retries,
                network_delay=config.network_retry_delay,
                overall_max_rate=config.max_chat_requests_per_second,
            )
        )
        .request(AiohttpRequest(limits))
        # One connection for the long poll; PTB adds the poll's duration to its read timeout.
        # A 429 on it is said in one WARNING line (bot/polling_request.py).
        .get_updates_request(PollingRequest(dataclasses.replace(limits, pool_size=1)))
        .post_init(_post_init)
        .build()
    )
    application.bot_data.services = bot_services
    register_handlers(application)
    return application


async def _post_init(application: Application) -> None:  # type: ignore[type-arg]
    """Publish the command list (shown by Telegram clients in the / menu)."""
    commands = [BotCommand(name, description) for name, description in messages.COMMANDS]
    await application.bot.set_my_commands(commands)


@contextlib.asynccontextmanager
async def polling(
    application: Application,  # type: ignore[type-arg]
    *,
    poll_timeout: float = 30.0,
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Run the application with long polling inside an already running event loop.

    The same steps, in the same order, as `Application.run_polling` (including post_init,
    post_stop and post_shutdown), for tests and the offline terminal chat.
    """
    with rejected_token():
        try:
            await application.initialize()
        except Exception:
            # The bot's HTTP sessions are open by now, and Application.shutdown() skips an
            # application that never finished initialising.
            await application.bot.shutdown()
            raise
    try:
        if application.post_init is not None:
            await application.post_init(application)
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0.0,
            timeout=timedelta(seconds=poll_timeout),
            allowed_updates=Update.ALL_TYPES,
        )
        await application.start()
        try:
            yield application
        finally:
            if application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


def run(application: Application, config: BotConfig) -> None:  # type: ignore[type-arg]
    """Serve until interrupted: long polling, or the webhook server (bot/webhook.py) when a
    URL is set."""
    with rejected_token(config.api_base_url), unreachable(config.api_base_url):
        try:
            _serve(application, config)
        finally:
            _close_http(application)


def _close_http(application: Application) -> None:  # type: ignore[type-arg]
    """Close the bot's HTTP sessions (open even when start-up failed, e.g. on a rejected
    token, which PTB's own shutdown skips), then the loop PTB ran on."""
    loop = asyncio.get_event_loop()
    try:
        loop.run_until_complete(application.bot.shutdown())  # a no-op once shut down
    finally:
        loop.close()


def _event_loop() -> asyncio.AbstractEventLoop:
    """The loop PTB's run_polling would use (and `_close_http` closes), made if missing."""
    try:
        return asyncio.get_event_loop()
    except RuntimeError:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        return loop


def _serve(application: Application, config: BotConfig) -> None:  # type: ignore[type-arg]
    if config.webhook_url:
        # Our own server rather than PTB's run_webhook: see bot/webhook.py.
        serving = serve_webhook(
            application,
            url=config.webhook_url,
            listen=config.webhook_listen,
            port=config.webhook_port,
            secret=config.webhook_secret,
        )
        _event_loop().run_until_complete(serving)
    else:
        # Initialised here rather than by run_polling, whose start-up loop logs a failure as
        # a traceback at ERROR before raising it: `run` says it in one line instead. Our own
        # rate limiter retries getMe (config.network_retries); run_polling then finds the
        # application initialised and goes on.
        _event_loop().run_until_complete(application.initialize())
        application.run_polling(
            poll_interval=0.0,
            timeout=timedelta(seconds=config.poll_timeout),
            allowed_updates=Update.ALL_TYPES,
            close_loop=False,
        )
