"""The real bot with a real store and index (hashing embedder) and its admin service."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from telegram.ext import Application

from bot.admin_service import AdminConfig, AdminService
from bot.app import BotConfig, build_application, polling
from bot.cli_run import build_service
from bot.emulator import TelegramEmulator
from bot.index_watch import IndexReloader
from bot.news_service import StoreNewsService
from bot.runtime import Runtime
from bot.settings import Settings
from index.embedding import HashingEmbedder
from index.types import Article
from tests.news_site import FETCH_TIMEOUT

ADMIN_ID = 4242
GROUP = -100_777
OLD_TITLE = "Harbour ferries return after repairs"
OLD_BODY = (
    "The harbour ferries returned on Monday after a week of repairs to the breakwater. "
    "Ferry captains said the harbour crossing was calm and every ferry left on time. "
    "Fishermen welcomed the harbour repairs before the start of the fishing season."
)


def make_runtime(data_dir: Path, **settings: object) -> Runtime:
    values: dict[str, object] = {
        "NEWSBOT_DATA_DIR": data_dir,
        "ALLOW_PRIVATE_URLS": True,
        "FETCH_TIMEOUT_SECONDS": FETCH_TIMEOUT,
        **settings,
    }
    return Runtime(Settings(_env_file=None, **values), embedder=HashingEmbedder(64))  # type: ignore[call-arg]


def seed_old_index(runtime: Runtime) -> None:
    """The index users are served before any re-index: one article about harbour ferries."""
    indexer = runtime.indexer()
    indexer.open()
    article = Article(
        title=OLD_TITLE,
        body=OLD_BODY,
        source="Port Times",
        published_at=datetime(2024, 4, 2, tzinfo=UTC),
        url="https://port.example/ferries",
    )
    indexer.ingest([article])


@dataclass
class AdminWorld:
    runtime: Runtime
    emulator: TelegramEmulator
    application: Application  # type: ignore[type-arg]
    service: StoreNewsService
    admin: AdminService


@contextlib.asynccontextmanager
async def admin_world(
    runtime: Runtime,
    emulator: TelegramEmulator,
    config: BotConfig,
    admin_config: AdminConfig | None = None,
) -> AsyncIterator[AdminWorld]:
    """Start the real Application on the emulator, with the admin service wired in."""
    service = build_service(runtime)
    reloader = IndexReloader.for_runtime(runtime, service.assistant.searcher)
    admin = AdminService(
        runtime,
        reloader,
        config=admin_config
        or AdminConfig(progress_interval=0.05, feed_poll_seconds=None, index_watch_seconds=None),
    )
    application = build_application(
        dataclasses.replace(config, admin_user_ids=frozenset({ADMIN_ID})), service, admin=admin
    )
    try:
        async with polling(application, poll_timeout=5.0):
            yield AdminWorld(runtime, emulator, application, service, admin)
    finally:
        service.assistant.searcher.close()
        await runtime.aclose()
