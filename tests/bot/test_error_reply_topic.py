"""An error told to the user goes where the message that caused it was written: a forum
topic's message gets its error in that topic, not in the forum's General."""

from __future__ import annotations

from tests.bot.alerts_world import AlertsWorld, user

FORUM = -100_999
TOPIC = 77


async def test_an_error_in_a_topic_is_told_in_that_topic(world: AlertsWorld) -> None:
    carol = user(world, "Carol")
    world.emulator.make_forum(FORUM)
    world.emulator.set_chat_admins(FORUM, [carol["id"]])

    # No alert 99: the handler raises a BadInputError, which the error handler tells.
    await world.say(FORUM, "/unsubscribe 99", carol, chat_type="supergroup", thread_id=TOPIC)
    await world.say(FORUM, "/unsubscribe 98", carol, chat_type="supergroup")

    told = [(m.text, m.thread_id) for m in world.emulator.bot_messages(FORUM)]
    assert told == [
        ("There is no alert 99 here. /alerts lists them.", TOPIC),
        ("There is no alert 98 here. /alerts lists them.", None),  # General
    ]
