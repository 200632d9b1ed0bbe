"""`newsbot run`: the bot against Telegram, or the offline terminal chat without a token."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

import openai
from telegram.ext import Application

from bot.admin_job import AdminConfig
from bot.admin_service import AdminService
from bot.alerts_background import background_from
from bot.alerts_freshness import max_age
from bot.alerts_service import AlertsConfig, AlertService
from bot.app import BotConfig, build_application, run
from bot.index_watch import IndexReloader
from bot.logging_setup import NOTICE, NOTICE_KEY, notices_instead_of_terminal
from bot.news_service import StoreNewsService
from bot.processor import freeze_startup_heap
from bot.runtime import Runtime, masked_url
from bot.settings import Settings
from bot.terminal import INTRO, OFFLINE_TOKEN, Notices, run_offline
from retrieval.llm import DEFAULT_BASE_URL, PLACEHOLDER_API_KEY, LLMConfig
from retrieval.llm_failure import failure_reason

log = logging.getLogger(__name__)

# The offline terminal's user is the first user the emulator creates (bot/terminal.py);
# without ADMIN_USER_IDS that user is an admin, so offline mode can try every command.
OFFLINE_USER_ID = 1001
OFFLINE_LOG = "newsbot.log"  # in the data folder: the offline chat keeps its terminal clean
INDEX_WATCH_SECONDS = 10.0  # how often to look for snapshots written by other processes
LLM_CHECK_SECONDS = 5.0  # timeout of each start-up call to the LLM (it runs during loading)
# The longest start-up waits for the check: the timeout above bounds each read, not a reply
# that keeps arriving a byte at a time (a proxy's keep-alive, a stuck server).
LLM_CHECK_WAIT_SECONDS = 2 * LLM_CHECK_SECONDS + 1.0
# What the openai client raises for a failed call; ValueError for a body that is not JSON.
_CLIENT_FAILURES = (openai.OpenAIError, ValueError)


def webhook_secret(settings: Settings) -> str | None:
    """The secret Telegram must send with every webhook request. Without one anybody who
    finds the URL could post updates as any user, admins included, so a webhook without a
    configured secret gets a random one for this run (it is registered with setWebhook)."""
    if settings.webhook_secret is not None and settings.webhook_secret.get_secret_value():
        return settings.webhook_secret.get_secret_value()
    if settings.webhook_url is None:
        return None
    log.info("WEBHOOK_SECRET is not set: using a random secret for this run")
    return secrets.token_urlsafe(32)


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
        webhook_secret=webhook_secret(settings),
        other_secrets=(
            (settings.openai_api_key.get_secret_value(),) if settings.openai_api_key else ()
        ),
    )


def build_service(runtime: Runtime, *, history_since: datetime | None = None) -> StoreNewsService:
    """Open the index and wire the question path; no chat's conversation goes back before
    `history_since`. Chunks the index lacks (a killed ingest) are not embedded here: the
    bot starts at once and its index watch embeds them in the background (`bot/admin_jobs.py`),
    or the ingest still running does."""
    opened = runtime.opened_index(match_pending=True, embed_missing=False)
    missing = opened.report.missing
    if missing and opened.kept_out is None:
        line = (
            f"the index lacks {missing:,} chunks the database holds (a killed ingest?): "
            "they are embedded in the background, and found once done"
        )
        log.warning(line, extra={NOTICE: line, NOTICE_KEY: "repair"})
    searcher = runtime.searcher(opened.pair)
    return StoreNewsService(
        assistant=runtime.assistant(searcher),
        sessions=runtime.sessions,
        history_since=history_since,
    )


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
        max_age=max_age(settings.alert_max_age_hours),
        max_per_run=settings.alert_max_per_run,
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


def llm_problem(config: LLMConfig, *, timeout: float = LLM_CHECK_SECONDS) -> str | None:
    """Why the LLM cannot answer (None: it can), from one cheap call or two.

    The model list first (no tokens spent); when it does not name the model, a 1-token
    answer settles it, since some servers (llama.cpp) answer to any model name and others
    (OpenAI, Ollama) answer 404 to one they do not have.
    """
    limit = min(timeout, config.timeout_seconds)
    with openai.OpenAI(
        base_url=config.base_url or DEFAULT_BASE_URL,
        api_key=config.api_key or PLACEHOLDER_API_KEY,
        timeout=limit,
        max_retries=0,
    ) as client:
        try:
            if config.model in {model.id for model in client.models.list()}:
                return None
        except openai.NotFoundError:
            pass  # no model list at this server: ask the model itself
        except _CLIENT_FAILURES as exc:
            return _llm_failure(exc, config.model, limit)
        try:
            client.chat.completions.create(
                model=config.model,
                messages=[{"role": "user", "content": "Say OK."}],
                max_tokens=1,
                temperature=config.temperature,
            )
        except _CLIENT_FAILURES as exc:
            return _llm_failure(exc, config.model, limit)
    return None


def _llm_failure(exc: Exception, model: str, timeout: float) -> str:
    """A short reason for the start-up warning, worded as a failed question's log line."""
    return failure_reason(exc, model, timeout, server_message=True)


def start_llm_check(config: LLMConfig | None) -> Callable[[], None]:
    """Probe the LLM on a thread while the index loads; the function returned waits for the
    probe and logs one warning if the LLM is not usable. The bot starts either way."""
    if config is None:  # not configured: extractive answers are the plan, not a failure
        return lambda: None
    found: list[str | None] = []
    # A daemon thread: a start-up that fails meanwhile need not wait for the probe.
    thread = threading.Thread(
        target=lambda: found.append(llm_problem(config)), name="newsbot-llm-check", daemon=True
    )
    wait = LLM_CHECK_WAIT_SECONDS
    deadline = time.monotonic() + wait
    thread.start()

    def finish() -> None:
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            problem: str | None = f"no answer within {wait:g} s"
        else:
            problem = found[0] if found else "the check failed"
        if problem is not None:
            url = masked_url(config.base_url or DEFAULT_BASE_URL)
            # The offline chat shows this notice instead of the log line.
            notice = (
                f"LLM at {url} not usable ({problem}): answering from the articles' own sentences"
            )
            log.warning(
                "LLM at %s not usable (%s); answers will be extractive until it is",
                url,
                problem,
                extra={NOTICE: notice, NOTICE_KEY: "llm"},
            )

    return finish


def run_bot(runtime: Runtime) -> int:
    if runtime.settings.telegram_bot_token is not None:
        return _serve(runtime, None)
    # Offline, the terminal is the chat: the log goes to a file from the start (model
    # loading included), and what the user must know comes as short notices between turns.
    log_file = runtime.settings.data_dir / OFFLINE_LOG
    notices = Notices()
    print("Starting the offline chat (loading the model and the news index)…", flush=True)
    with notices_instead_of_terminal(log_file, notices.add) as to_file:
        intro = f"{INTRO}\nThe bot's log goes to {log_file}." if to_file else INTRO
        return _serve(runtime, lambda build: run_offline(build, notices=notices, intro=intro))


def _serve(
    runtime: Runtime,
    offline: Callable[[Callable[[str], Application]], Coroutine[Any, Any, None]] | None,  # type: ignore[type-arg]
) -> int:
    """Load everything, then serve Telegram (`offline` None) or run the offline chat."""
    # PTB 22 warns about its own int retry_after unless told to use timedeltas.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    llm_checked = start_llm_check(runtime.llm_config())
    # The offline chat is one session per run: the last run's questions are not its history.
    service = build_service(runtime, history_since=None if offline is None else datetime.now(UTC))
    admin = build_admin(runtime, service)
    alerts = build_alerts(runtime, admin, service)
    freeze_startup_heap()  # the model and index are never garbage: keep collections short
    config = bot_config(runtime.settings)
    llm_checked()
    try:
        if offline is None:
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

            asyncio.run(offline(build))
    finally:
        service.assistant.searcher.close()
    return 0
