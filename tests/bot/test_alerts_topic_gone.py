"""A deleted forum topic hands its alerts to the chat itself (the forum's General), which
still gets each story once: an alert whose story General has, queued or already sent, is
dropped with the move instead of being sent to General anyway."""

from __future__ import annotations

from pathlib import Path

from bot.emulator_messages import StoredMessage
from tests.bot.alerts_world import (
    VOLCANO,
    VOLCANO_COPY,
    AlertsWorld,
    cli_ingest,
    deliveries,
    settled,
    user,
)

FORUM = -100_999
TOPIC = 77


async def _forum(world: AlertsWorld) -> dict[str, object]:
    carol = user(world, "Carol")
    world.emulator.make_forum(FORUM)
    world.emulator.set_chat_admins(FORUM, [carol["id"]])
    return carol


async def _subscribe(
    world: AlertsWorld, carol: dict[str, object], text: str, thread_id: int | None
) -> None:
    extra = {"thread_id": thread_id} if thread_id is not None else {}
    await world.say(FORUM, f"/subscribe {text}", carol, chat_type="supergroup", **extra)


def _alerts(world: AlertsWorld, *titles: str) -> list[StoredMessage]:
    return [m for m in world.emulator.bot_messages(FORUM) if m.text.startswith(titles)]


async def test_a_story_for_general_and_a_deleted_topic_reaches_general_once(
    world: AlertsWorld, tmp_path: Path
) -> None:
    carol = await _forum(world)
    await _subscribe(world, carol, "volcano eruption", TOPIC)
    await _subscribe(world, carol, "Grindavik volcano lava", None)  # in General
    world.emulator.delete_topic(FORUM, TOPIC)

    await cli_ingest(world.runtime, tmp_path / "in.jsonl", [VOLCANO])
    await settled(world)

    tried = [c.get("message_thread_id") for c in world.emulator.calls("sendMessage")]
    assert TOPIC in tried  # the topic's alert was sent there first, and refused
    [alert] = _alerts(world, VOLCANO.title)
    assert alert.thread_id is None  # General
    assert [(r.thread_id, r.status) for r in deliveries(world)] == [(0, "sent")]


async def test_a_deleted_topics_story_that_general_already_had_is_not_sent_again(
    world: AlertsWorld, tmp_path: Path
) -> None:
    carol = await _forum(world)
    await _subscribe(world, carol, "Grindavik volcano lava", None)
    await cli_ingest(world.runtime, tmp_path / "one.jsonl", [VOLCANO])
    await settled(world)
    assert len(_alerts(world, VOLCANO.title)) == 1  # General has the story

    await _subscribe(world, carol, "volcano eruption", TOPIC)
    world.emulator.delete_topic(FORUM, TOPIC)
    # Another outlet's copy: queued for the topic only (General has its story).
    await cli_ingest(world.runtime, tmp_path / "two.jsonl", [VOLCANO_COPY])
    await settled(world)

    tried = [c.get("message_thread_id") for c in world.emulator.calls("sendMessage")]
    assert TOPIC in tried  # the topic's alert was sent there first, and refused
    assert _alerts(world, VOLCANO_COPY.title) == []
    assert len(_alerts(world, VOLCANO.title)) == 1
    assert [r.thread_id for r in deliveries(world)] == [0]  # the topic's row: dropped
