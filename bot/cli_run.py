"""`newsbot run`: the bot against Telegram, or the offline terminal chat without a token."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os

from telegram.ext import Application

from bot.admin_service import AdminConfig, AdminService
from bot.alerts_background import background_from
from bot.alerts_service import AlertsConfig, AlertService
from bot.app import BotConfig, build_application, run
from bot.index_watch import IndexReloader
from bot.news_service import StoreNewsService
from bot.processor import freeze_startup_heap
from bot.runtime import Runtime
from bot.settings import Settings
from bot.terminal import OFFLINE_TOKEN, run_offline

log = logging.getLogger(__name__)

# The offline terminal's user is the first user the emulator creates (bot/terminal.py);
# without ADMIN_USER_IDS that user is an admin, so offline mode can try every command.
OFFLINE_USER_ID = 1001
INDEX_WATCH_SECONDS = 10.0  # how often to look for snapshots written by other processes


def bot_config(settings: Settings) -> BotConfig:
    """The bot's settings as the small frozen object bot.app takes."""
    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
    admins = frozenset(settings.admin_user_ids)
    if not token and not admins:
        admins = frozenset({OFFLINE_USER_ID})
    return BotConfig(
        token=token or OFFLINE_TOKEN,
        api_base_url=settings.telegram_api_base_url,
        admin_user_ids=admins,
        admin_chat_id=settings.admin_chat_id,
        questions_per_user_per_hour=settings.questions_per_user_per_hour,
        timezone=settings.timezone,
        webhook_url=settings.webhook_url,
        webhook_listen=settings.webhook_listen,
        webhook_port=settings.webhook_port,
        webhook_secret=(
            settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        ),
        other_secrets=(
            (settings.openai_api_key.get_secret_value(),) if settings.openai_api_key else ()
        ),
    )


def build_service(runtime: Runtime) -> StoreNewsService:
    """Open the index (repairing it against the database) and wire the question path."""
    pair = runtime.open_index(match_pending=True)
    searcher = runtime.searcher(pair)
    return StoreNewsService(assistant=runtime.assistant(searcher), sessions=runtime.sessions)


def build_admin(runtime: Runtime, service: StoreNewsService) -> AdminService:
    """The admin service over the question path's searcher, polling feeds as configured."""
    reloader = IndexReloader.for_runtime(runtime, service.assistant.searcher)
    config = AdminConfig(
        feed_poll_seconds=runtime.settings.feed_poll_minutes * 60.0,
        index_watch_seconds=INDEX_WATCH_SECONDS,
    )
    return AdminService(runtime, reloader, config=config)


def alerts_config(settings: Settings) -> AlertsConfig:
    return AlertsConfig(
        threshold=settings.alert_threshold,
        corpus_route=settings.alert_corpus_route,
        max_per_chat=settings.max_subscriptions_per_chat,
    )


def build_alerts(runtime: Runtime, admin: AdminService, service: StoreNewsService) -> AlertService:
    """Topic alerts, matched whenever the admin service indexes new articles; the
    background vectors come from the index the bot is serving (no second copy), read only
    when the corpus route is on (ALERT_CORPUS_ROUTE)."""
    searcher = service.assistant.searcher.searcher
    alerts = AlertService(
        sessions=runtime.sessions,
        embedder=runtime.embedder,
        config=alerts_config(runtime.settings),
        background=background_from(runtime.sessions, lambda: searcher.vector_index),
    )
    admin.on_new_articles.append(alerts.on_new_articles)
    return alerts


def run_bot(runtime: Runtime) -> int:
    # PTB 22 warns about its own int retry_after unless told to use timedeltas.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    service = build_service(runtime)
    admin = build_admin(runtime, service)
    alerts = build_alerts(runtime, admin, service)
    freeze_startup_heap()  # the model and index are never garbage: keep collections short
    config = bot_config(runtime.settings)
    try:
        if runtime.settings.telegram_bot_token is not None:
            log.info("starting the bot against %s", config.api_base_url)
            run(build_application(config, service, admin=admin, alerts=alerts), config)
        else:

            def build(base_url: str) -> Application:  # type: ignore[type-arg]
                return build_application(
                    dataclasses.replace(config, api_base_url=base_url),
                    service,
                    admin=admin,
                    alerts=alerts,
                )

            asyncio.run(run_offline(build))
    finally:
        service.assistant.searcher.close()
    return 0
