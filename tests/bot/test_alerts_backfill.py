"""Backfills and floods: old news queues no alert, and one match run that finds many
stories for one alert is sent as one message (real store, index and bot; hashing embedder)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.alerts_matcher import AlertMatcher, matcher_for_runtime
from bot.app import BotConfig
from bot.cli_run import alerts_config
from bot.emulator import TelegramEmulator
from bot.runtime import Runtime
from index import store
from index.db import session_scope
from index.schema import AlertDeliveryRow
from index.store_deliveries import FOLDED
from index.types import Article
from retrieval.alert_age import fresh_articles
from tests.bot.alerts_world import (
    CHIPS_CHINA,
    CHIPS_EU,
    CHIPS_STOCKS,
    VOLCANO,
    Clock,
    alerts_world,
    cli_ingest,
    deliveries,
    make_runtime,
    settled,
    user,
)
from tests.bot.test_alerts_matcher import THRESHOLD, ingest, queued, subscribe


def dated(source: Article, when: datetime | None, slug: str) -> Article:
    """A copy with its own date, URL and text (not a duplicate of `source`)."""
    body = f"{source.body} Reported by the {slug} desk."
    return dataclasses.replace(
        source, body=body, published_at=when, url=f"https://w.example/{slug}"
    )


def matcher(runtime: Runtime, now: datetime, **options: object) -> AlertMatcher:
    return AlertMatcher(
        sessions=runtime.sessions,
        embedder=runtime.embedder,
        threshold=THRESHOLD,
        clock=Clock(now),
        **options,  # type: ignore[arg-type]
    )


def test_old_news_is_stored_and_searchable_but_not_alerted(tmp_path: Path) -> None:
    runtime = make_runtime(tmp_path / "data", ALERT_THRESHOLD=THRESHOLD)
    now = datetime.now(UTC)
    subscribe(runtime, 1, "volcano eruption")
    fresh = dated(VOLCANO, now - timedelta(hours=70), "fresh")
    old = dated(VOLCANO, now - timedelta(hours=80), "old")
    archive = dated(VOLCANO, datetime(2019, 3, 1, tzinfo=UTC), "archive")
    undated = dated(VOLCANO, None, "undated")
    ids = ingest(runtime, matcher(runtime, now), [fresh, old, archive, undated])
    assert len(ids) == 4
    # Near-identical copies are one story: the chat gets it once, from a young copy.
    assert queued(runtime) in ([(1, ids[0])], [(1, ids[3])])
    with session_scope(runtime.sessions) as session:
        assert set(store.get_articles(session=session, ids=ids)) == set(ids)


def test_old_copies_alone_queue_nothing_and_undated_ones_count_from_indexing(
    tmp_path: Path,
) -> None:
    runtime = make_runtime(tmp_path / "data", ALERT_THRESHOLD=THRESHOLD)
    now = datetime.now(UTC)
    subscribe(runtime, 1, "volcano eruption")
    subscribe(runtime, 2, "chip export controls")
    later = matcher(runtime, now + timedelta(hours=73))  # matched 73 h after indexing
    ingest(runtime, later, [dated(VOLCANO, None, "undated"), dated(CHIPS_CHINA, now, "c")])
    assert queued(runtime) == []
    soon = matcher(runtime, now + timedelta(hours=1))
    [chips] = ingest(runtime, soon, [dated(CHIPS_EU, None, "eu")])
    assert queued(runtime) == [(2, chips)]


def test_a_max_age_of_zero_alerts_old_news(tmp_path: Path) -> None:
    runtime = make_runtime(tmp_path / "data", ALERT_THRESHOLD=THRESHOLD, ALERT_MAX_AGE_HOURS=0)
    subscribe(runtime, 1, "volcano eruption")
    [volcano] = ingest(runtime, matcher_for_runtime(runtime), [VOLCANO])  # November 2024
    assert queued(runtime) == [(1, volcano)]


def test_backfilling_an_archive_with_the_command_line_alerts_nothing(tmp_path: Path) -> None:
    runtime = make_runtime(tmp_path / "data", ALERT_THRESHOLD=THRESHOLD, ALERT_MAX_AGE_HOURS=72)
    subscribe(runtime, 1, "volcano eruption")
    ingest(runtime, matcher_for_runtime(runtime), [VOLCANO, CHIPS_CHINA])  # November 2024
    assert queued(runtime) == []


def test_fresh_articles_rule() -> None:
    now = datetime(2024, 11, 15, 12, tzinfo=UTC)
    published = {
        1: now - timedelta(hours=72),  # exactly the limit: still news
        2: now - timedelta(hours=72, seconds=1),
        3: now + timedelta(days=2),  # a date in the future is not old
        4: None,  # undated, indexed long ago
        5: None,  # undated, indexed time unknown: now
        6: datetime(2024, 11, 15, 11),  # naive: UTC
    }
    indexed = {4: now - timedelta(days=5)}
    assert fresh_articles(published, indexed, now=now, max_age=timedelta(hours=72)) == {1, 3, 5, 6}
    assert fresh_articles(published, indexed, now=now, max_age=None) == set(published)
    # A limit reaching back before the year 1 ("forever" as a big number) is no limit.
    forever = timedelta(hours=1e9)
    assert fresh_articles(published, indexed, now=now, max_age=forever) == set(published)


CHIPS = [
    CHIPS_CHINA,
    CHIPS_STOCKS,
    CHIPS_EU,
    dataclasses.replace(
        CHIPS_EU,
        title="Japan joins chip export controls",
        body="Japan said it would join the chip export controls on advanced chips for China.",
        url="https://tokyo.example/chips",
    ),
]


def test_a_flooded_run_keeps_its_best_matches_and_folds_the_rest(tmp_path: Path) -> None:
    runtime = make_runtime(tmp_path / "data", ALERT_THRESHOLD=THRESHOLD)
    subscribe(runtime, 1, "chip export controls")
    subscribe(runtime, 2, "volcano eruption")
    flood = matcher(runtime, datetime(2024, 11, 15, 12, tzinfo=UTC), max_per_run=2)
    ids = ingest(runtime, flood, [*CHIPS, VOLCANO])
    rows = [(r.subscription_id, r.status, r.score, r.article_id) for r in _rows(runtime)]
    chips = [(status, score) for subscription, status, score, _ in rows if subscription == 1]
    assert sorted(status for status, _ in chips) == [FOLDED, FOLDED, "pending", "pending"]
    best = sorted((score for _, score in chips), reverse=True)
    assert sorted(s for status, s in chips if status == "pending") == sorted(best[:2])
    # Another subscription under the limit is not touched.
    assert [(s, status, a) for s, status, _, a in rows if s == 2] == [(2, "pending", ids[-1])]
    # The next run counts anew.
    korea = dataclasses.replace(
        CHIPS_EU,
        title="Korea weighs chip export controls",
        body="Korean officials weighed chip export controls on advanced chips to China.",
        url="https://seoul.example/chips",
    )
    [korea_id] = ingest(runtime, flood, [korea])
    assert [(r.subscription_id, r.status) for r in _rows(runtime) if r.article_id == korea_id] == [
        (1, "pending")
    ]


def _rows(runtime: Runtime) -> list[AlertDeliveryRow]:
    with session_scope(runtime.sessions) as session:
        found = session.scalars(select(AlertDeliveryRow).order_by(AlertDeliveryRow.id)).all()
        session.expunge_all()
        return list(found)


async def test_a_flood_arrives_as_one_message_and_is_never_sent_again(
    tmp_path: Path, emulator: TelegramEmulator, config: BotConfig
) -> None:
    runtime = make_runtime(tmp_path / "data", ALERT_THRESHOLD=THRESHOLD, ALERT_MAX_PER_RUN=2)
    # One alert claimed per round: the flood's other listed alert is claimed with it.
    small = dataclasses.replace(
        alerts_config(runtime.settings), delivery_seconds=0.05, batch=1, max_per_run=2, max_age=None
    )
    async with alerts_world(runtime, emulator, config, alerts_config=small) as world:
        alice = user(world, "Alice")
        await world.reply(alice["id"], "/subscribe chip export controls", alice)
        await world.reply(alice["id"], "/subscribe volcano eruption", alice)
        before = len(world.emulator.bot_messages(alice["id"]))
        await cli_ingest(world.runtime, tmp_path / "in" / "one.jsonl", [*CHIPS, VOLCANO])
        await settled(world)
        new = world.emulator.bot_messages(alice["id"])[before:]
        assert len(new) == 2, [m.text for m in new]
        [flood] = [m for m in new if "new articles on" in m.text]
        lines = flood.text.splitlines()
        assert lines[0] == "4 new articles on chip export controls; the best 2:"
        listed = [line[2:] for line in lines if line.startswith("• ")]
        assert len(listed) == 2
        assert set(listed) <= {a.title for a in CHIPS}
        [single] = [m for m in new if m is not flood]
        assert single.text.splitlines()[0] == VOLCANO.title
        statuses = sorted(row.status for row in deliveries(world))
        assert statuses == [FOLDED, FOLDED, "sent", "sent", "sent"]

        # The same articles again: every story was had, none is sent again.
        await cli_ingest(world.runtime, tmp_path / "in" / "two.jsonl", CHIPS)
        await settled(world)
        assert len(world.emulator.bot_messages(alice["id"])) == before + 2


def test_the_bot_takes_both_alert_limits_from_its_settings(tmp_path: Path) -> None:
    settings = make_runtime(tmp_path / "data", ALERT_MAX_AGE_HOURS=0, ALERT_MAX_PER_RUN=3).settings
    config = alerts_config(settings)
    assert config.max_age is None  # 0: no limit
    assert config.max_per_run == 3
    hours = alerts_config(make_runtime(tmp_path / "other", ALERT_MAX_AGE_HOURS=5).settings)
    assert hours.max_age == timedelta(hours=5)
    for forever in ("inf", "1e12"):  # more than a timedelta holds: no limit, no crash
        huge = make_runtime(tmp_path / forever, ALERT_MAX_AGE_HOURS=forever).settings
        assert alerts_config(huge).max_age is None
