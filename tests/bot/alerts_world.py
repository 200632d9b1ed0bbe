"""The real bot with a real store and index, its admin service and topic alerts.

A chat subscribes through the emulator; articles are indexed through the same paths as in
production (`newsbot ingest`'s `run_ingest`, the admin service); the delivery job sends the
alerts back through the emulator. The alert service's clock is a `Clock` the test moves.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from telegram.ext import Application

from bot.admin_service import AdminConfig, AdminService
from bot.alerts_freshness import max_age
from bot.alerts_service import AlertsConfig, AlertService
from bot.app import BotConfig, build_application, polling
from bot.cli_index import run_ingest
from bot.cli_run import alerts_config as settings_config
from bot.cli_run import build_service
from bot.emulator import TelegramEmulator
from bot.emulator_messages import StoredMessage
from bot.index_watch import IndexReloader
from bot.news_service import StoreNewsService
from bot.runtime import Runtime
from bot.settings import Settings
from index import store
from index.db import session_scope
from index.embedding import HashingEmbedder
from index.protocols import Embedder
from index.schema import AlertDeliveryRow
from index.types import Article, Subscription
from tests.news_site import FETCH_TIMEOUT

ADMIN_ID = 4242
GROUP = -100_555
START = datetime(2024, 11, 15, 12, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand (the alert service's "now")."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def make_runtime(data_dir: Path, embedder: Embedder | None = None, **settings: Any) -> Runtime:
    values: dict[str, Any] = {
        "NEWSBOT_DATA_DIR": data_dir,
        "ALLOW_PRIVATE_URLS": True,
        "FETCH_TIMEOUT_SECONDS": FETCH_TIMEOUT,
        "OPENAI_BASE_URL": None,
        "OPENAI_API_KEY": None,
        # The fixtures are dated November 2024: no age limit unless a test sets one.
        "ALERT_MAX_AGE_HOURS": 0,
        **settings,
    }
    return Runtime(
        Settings(_env_file=None, **values),  # type: ignore[call-arg]
        embedder=embedder or HashingEmbedder(256),
    )


def article(title: str, body: str, *, source: str, slug: str, day: int = 14) -> Article:
    return Article(
        title=title,
        body=body,
        source=source,
        published_at=datetime(2024, 11, day, 8, 0, tzinfo=UTC),
        url=f"https://{source.lower().replace(' ', '')}.example/{slug}",
    )


def seed(runtime: Runtime, articles: list[Article]) -> None:
    indexer = runtime.indexer()
    indexer.open()
    indexer.ingest(articles)


@dataclass
class AlertsWorld:
    runtime: Runtime
    emulator: TelegramEmulator
    application: Application  # type: ignore[type-arg]
    service: StoreNewsService
    admin: AdminService
    alerts: AlertService
    clock: Clock

    async def say(self, chat_id: int, text: str, user: dict[str, Any], **kw: Any) -> None:
        """Send a message and wait until the bot has handled it."""
        update = self.emulator.send_text(chat_id, text, user=user, **kw)
        await self.emulator.wait_acknowledged(update["update_id"])
        await self.application.update_queue.join()

    async def reply(self, chat_id: int, text: str, user: dict[str, Any], **kw: Any) -> str:
        """Send a message; the text of the bot's next message in that chat."""
        before = len(self.emulator.bot_messages(chat_id))
        self.emulator.send_text(chat_id, text, user=user, **kw)
        replies = await self.emulator.wait_for_messages(chat_id, before + 1)
        return replies[before].text

    async def alerts_round(self) -> int:
        """One delivery round of the alert job, after any round already running."""
        assert self.application.job_queue is not None
        [job] = self.application.job_queue.get_jobs_by_name("alert-delivery")
        return await job.data.deliver_once(wait=True)

    async def press(self, message: StoredMessage, data: str, user: dict[str, Any]) -> None:
        update = self.emulator.press_button(message.chat_id, message.message_id, data, user)
        await self.emulator.wait_acknowledged(update["update_id"])
        await self.application.update_queue.join()


@contextlib.asynccontextmanager
async def alerts_world(
    runtime: Runtime,
    emulator: TelegramEmulator,
    config: BotConfig,
    *,
    clock: Clock | None = None,
    alerts_config: AlertsConfig | None = None,
) -> AsyncIterator[AlertsWorld]:
    """Start the real Application on the emulator with the admin and alert services."""
    clock = clock or Clock()
    service = build_service(runtime)
    reloader = IndexReloader.for_runtime(runtime, service.assistant.searcher)
    admin = AdminService(
        runtime,
        reloader,
        config=AdminConfig(
            progress_interval=0.05, feed_poll_seconds=None, index_watch_seconds=None
        ),
    )
    alerts = AlertService(
        sessions=runtime.sessions,
        embedder=runtime.embedder,
        config=alerts_config
        or dataclasses.replace(
            settings_config(runtime.settings),
            delivery_seconds=0.05,
            max_age=max_age(runtime.settings.alert_max_age_hours),
            max_per_run=runtime.settings.alert_max_per_run,
        ),
        clock=clock,
    )
    admin.on_new_articles.append(alerts.on_new_articles)
    application = build_application(
        dataclasses.replace(config, admin_user_ids=frozenset({ADMIN_ID})),
        service,
        admin=admin,
        alerts=alerts,
    )
    try:
        async with polling(application, poll_timeout=5.0):
            yield AlertsWorld(runtime, emulator, application, service, admin, alerts, clock)
    finally:
        service.assistant.searcher.close()
        await runtime.aclose()


THRESHOLD = 0.3  # hashing cosines: matches score 0.36-0.66 here, others below 0.18
VOLCANO = article(
    "Volcano erupts near Grindavik",
    "A volcano eruption began near Grindavik on Thursday night and sent lava towards the "
    "town. Scientists said the volcano eruption could go on for weeks. The mayor did say "
    "every house had been evacuated before the lava arrived. Flights at the "
    "main airport were not affected by the eruption.",
    source="Nordic Wire",
    slug="volcano",
)
# The same story syndicated by another outlet: one story, two articles.
VOLCANO_COPY = article(
    "Lava flows towards Grindavik",
    VOLCANO.body,
    source="Island Post",
    slug="grindavik-lava",
)
CHIPS_CHINA = article(
    "New chip export controls target China",
    "The government announced new chip export controls aimed at China on Monday. The "
    "export controls cover advanced chips and the machines that make them. Officials in "
    "China said the chip export controls would hurt trade.",
    source="Trade Daily",
    slug="chips-china",
)
CHIPS_STOCKS = article(
    "Chip stocks slide after export controls",
    "Chip stocks fell sharply after the new export controls on chips to China were "
    "announced. Investors sold chip stocks across Asia as the export controls took effect.",
    source="Market Watchers",
    slug="chip-stocks",
)
CHIPS_EU = article(
    "Europe weighs chip export controls",
    "European ministers discussed chip export controls for advanced chips on Tuesday. The "
    "chip export controls would follow rules already in force elsewhere.",
    source="Brussels Letter",
    slug="chips-eu",
)
FOOTBALL = article(
    "Cup final ends in a draw",
    "The cup final ended in a draw after extra time and the trophy will be decided by a "
    "replay next week.",
    source="Sports Desk",
    slug="cup-final",
)
LIBRARY = article(
    "Mayor opens the new city library",
    "The mayor opened the new city library on Saturday. The mayor said the library would "
    "stay open late. The mayor said books matter to the mayor.",
    source="City Hall News",
    slug="library",
    day=10,
)


def write_jsonl(path: Path, articles: Sequence[Article]) -> Path:
    records = [
        {
            "title": a.title,
            "body": a.body,
            "source": a.source,
            "url": a.url,
            "published_at": a.published_at.isoformat() if a.published_at else None,
        }
        for a in articles
    ]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def _ingest_file(runtime: Runtime, path: Path, articles: Sequence[Article]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    run_ingest(runtime, [str(write_jsonl(path, articles))], quiet=True)


async def cli_ingest(runtime: Runtime, path: Path, articles: Sequence[Article]) -> None:
    """`newsbot ingest FILE.jsonl`, as another process would run it (here on a thread)."""
    await asyncio.to_thread(_ingest_file, runtime, path, articles)


def deliveries(world: AlertsWorld) -> list[AlertDeliveryRow]:
    """Every alert delivery row, oldest first."""
    with session_scope(world.runtime.sessions) as session:
        rows = session.scalars(select(AlertDeliveryRow).order_by(AlertDeliveryRow.id)).all()
        session.expunge_all()
        return list(rows)


async def settled(world: AlertsWorld) -> None:
    """Run delivery rounds until no alert is waiting to be sent."""
    for _ in range(50):
        await world.alerts_round()
        if all(row.status not in ("pending", "sending") for row in deliveries(world)):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"alerts still queued: {[r.status for r in deliveries(world)]}")


def subscriptions(world: AlertsWorld, chat_id: int) -> list[Subscription]:
    with session_scope(world.runtime.sessions) as session:
        return store.list_subscriptions(session=session, chat_id=chat_id)


def user(world: AlertsWorld, name: str, **kw: Any) -> dict[str, Any]:
    return world.emulator.create_user(name, **kw)
