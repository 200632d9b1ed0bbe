"""A deleted forum topic's alert that General already follows becomes General's one alert:
/alerts lists it once, and each story still reaches General once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.emulator_messages import StoredMessage
from tests.bot.alerts_world import (
    VOLCANO,
    AlertsWorld,
    article,
    cli_ingest,
    deliveries,
    settled,
    subscriptions,
    user,
)

FORUM = -100_997
TOPIC = 79
ETNA = article(
    "Etna volcano eruption closes Catania airport",
    "A volcano eruption on Etna sent ash over Sicily on Friday. The volcano eruption closed "
    "the airport of Catania, and scientists said the eruption could go on for days.",
    source="Sicily Wire",
    slug="etna",
)


async def _in(world: AlertsWorld, carol: dict[str, Any], text: str, thread_id: int | None) -> str:
    extra = {"thread_id": thread_id} if thread_id is not None else {}
    return await world.reply(FORUM, text, carol, chat_type="supergroup", **extra)


def _general(world: AlertsWorld, title: str) -> list[StoredMessage]:
    return [
        m for m in world.emulator.bot_messages(FORUM) if m.thread_id is None and title in m.text
    ]


async def test_a_deleted_topics_alert_that_general_follows_is_listed_once(
    world: AlertsWorld, tmp_path: Path
) -> None:
    carol = user(world, "Carol")
    world.emulator.make_forum(FORUM)
    world.emulator.set_chat_admins(FORUM, [carol["id"]])
    assert "alert 1" in await _in(world, carol, "/subscribe volcano eruption", None)
    assert "alert 2" in await _in(world, carol, "/subscribe Volcano eruption", TOPIC)
    assert "alert 3" in await _in(world, carol, "/subscribe lava", TOPIC)
    world.emulator.delete_topic(FORUM, TOPIC)

    await cli_ingest(world.runtime, tmp_path / "one.jsonl", [VOLCANO])
    await settled(world)  # alert 2's try in the topic is refused: the topic's alerts move

    assert len(_general(world, VOLCANO.title)) == 1
    listed = await _in(world, carol, "/alerts", None)
    assert "1. volcano eruption (instant, here)" in listed
    assert "3. lava (instant, here)" in listed
    assert "2. " not in listed
    assert [s.number for s in subscriptions(world, FORUM)] == [1, 3]

    await cli_ingest(world.runtime, tmp_path / "two.jsonl", [ETNA])
    await settled(world)
    assert len(_general(world, ETNA.title)) == 1
    assert {r.thread_id for r in deliveries(world)} == {0}
