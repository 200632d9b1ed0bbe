"""A digest whose forum topic was deleted goes to the chat itself (General) without the
stories General already had: those are dropped with the move, and the digest is made again
from what is left rather than sent as it was rendered for the topic."""

from __future__ import annotations

from pathlib import Path

from tests.bot.alerts_world import VOLCANO, AlertsWorld, article, cli_ingest, deliveries, user

FORUM = -100_998
TOPIC = 78
ETNA = article(
    "Etna volcano eruption closes Catania airport",
    "A volcano eruption on Etna sent ash over Sicily on Friday. The volcano eruption closed "
    "the airport of Catania, and scientists said the eruption could go on for days.",
    source="Sicily Wire",
    slug="etna",
)


async def test_a_deleted_topics_digest_reaches_general_without_what_general_had(
    world: AlertsWorld, tmp_path: Path
) -> None:
    carol = user(world, "Carol")
    world.emulator.make_forum(FORUM)
    world.emulator.set_chat_admins(FORUM, [carol["id"]])
    group = {"chat_type": "supergroup"}
    await world.say(FORUM, "/subscribe volcano eruption", carol, thread_id=TOPIC, **group)
    await world.say(FORUM, "/digest 1 6", carol, thread_id=TOPIC, **group)
    await world.say(FORUM, "/subscribe Grindavik volcano lava +Grindavik", carol, **group)

    await cli_ingest(world.runtime, tmp_path / "in.jsonl", [VOLCANO, ETNA])
    await world.alerts_round()  # General's instant alert: the Grindavik story
    general = [m for m in world.emulator.bot_messages(FORUM) if m.thread_id is None]
    assert sum(VOLCANO.title in m.text for m in general) == 1
    assert not any(ETNA.title in m.text for m in general)
    assert sorted(r.status for r in deliveries(world)) == ["pending", "pending", "sent"]

    world.emulator.delete_topic(FORUM, TOPIC)
    world.clock.advance(hours=7)
    for _ in range(3):  # the digest is due: sent (again, if it had to be made anew)
        await world.alerts_round()

    general = [m for m in world.emulator.bot_messages(FORUM) if m.thread_id is None]
    assert sum(ETNA.title in m.text for m in general) == 1  # the digest, in General
    assert sum(VOLCANO.title in m.text for m in general) == 1  # not a second time
