"""Forum topics: an alert subscribed in a topic is sent to that topic (to the chat itself
once the topic is deleted), and an answer streams, and shows typing, in its question's."""

from __future__ import annotations

from pathlib import Path

from telegram import Bot

from bot.emulator import TelegramEmulator
from bot.handlers_stream import AnswerStream, typing_indicator
from tests.bot.alerts_world import (
    CHIPS_CHINA,
    VOLCANO,
    AlertsWorld,
    cli_ingest,
    settled,
    subscriptions,
    user,
)
from tests.bot.conftest import TOKEN

FORUM = -100_999
TOPIC = 77


async def test_an_alert_goes_to_the_topic_it_was_made_in(
    world: AlertsWorld, tmp_path: Path
) -> None:
    carol = user(world, "Carol")
    world.emulator.make_forum(FORUM)
    world.emulator.set_chat_admins(FORUM, [carol["id"]])
    reply = world.emulator.send_text(
        FORUM, "/subscribe volcano eruption", user=carol, chat_type="supergroup", thread_id=TOPIC
    )
    await world.emulator.wait_acknowledged(reply["update_id"])
    await world.application.update_queue.join()
    await world.reply(FORUM, "/subscribe chip export controls", carol, chat_type="supergroup")
    assert [s.thread_id for s in subscriptions(world, FORUM)] == [TOPIC, None]

    await cli_ingest(world.runtime, tmp_path / "in.jsonl", [VOLCANO, CHIPS_CHINA])
    await settled(world)
    placed = {
        m.text.splitlines()[0]: m.thread_id
        for m in world.emulator.bot_messages(FORUM)
        if m.text.startswith((VOLCANO.title, CHIPS_CHINA.title))
    }
    assert placed == {VOLCANO.title: TOPIC, CHIPS_CHINA.title: None}  # None: General


async def test_an_alert_whose_topic_was_deleted_goes_to_the_chat(
    world: AlertsWorld, tmp_path: Path
) -> None:
    carol = user(world, "Carol")
    world.emulator.make_forum(FORUM)
    world.emulator.set_chat_admins(FORUM, [carol["id"]])
    update = world.emulator.send_text(
        FORUM, "/subscribe volcano eruption", user=carol, chat_type="supergroup", thread_id=TOPIC
    )
    await world.emulator.wait_acknowledged(update["update_id"])
    await world.application.update_queue.join()
    world.emulator.delete_topic(FORUM, TOPIC)

    await cli_ingest(world.runtime, tmp_path / "in.jsonl", [VOLCANO])
    await settled(world)
    [alert] = [m for m in world.emulator.bot_messages(FORUM) if m.text.startswith(VOLCANO.title)]
    assert alert.thread_id is None
    assert [(s.active, s.thread_id) for s in subscriptions(world, FORUM)] == [(True, None)]


async def test_an_answer_streams_and_types_into_its_topic(emulator: TelegramEmulator) -> None:
    alice = emulator.create_user("Alice")
    emulator.make_forum(FORUM)
    question = emulator.send_text(
        FORUM, "why?", user=alice, chat_type="supergroup", thread_id=TOPIC
    )
    asked = question["message"]["message_id"]
    async with (
        Bot(TOKEN, base_url=emulator.base_url) as bot,
        typing_indicator(bot, FORUM, interval=60, thread_id=TOPIC),
        AnswerStream(bot, FORUM, asked, interval=0.0, thread_id=TOPIC) as stream,
    ):
        await stream.partial("Because")
        ids = await stream.finish(["Because of the rain.", "Sources: one, two."])
    messages = [m for m in emulator.bot_messages(FORUM) if m.message_id in ids]
    assert [(m.text, m.thread_id) for m in messages] == [
        ("Because of the rain.", TOPIC),
        ("Sources: one, two.", TOPIC),  # the piece that quotes nothing too
    ]
    actions = emulator.calls("sendChatAction")
    assert actions
    assert all(c.get("message_thread_id") == TOPIC for c in actions)


async def test_a_question_asked_in_a_topic_is_answered_in_it(world: AlertsWorld) -> None:
    alice = user(world, "Alice")
    world.emulator.make_forum(FORUM)
    world.emulator.send_text(
        FORUM,
        "@newsbot_bot what did the mayor say?",
        user=alice,
        chat_type="supergroup",
        thread_id=TOPIC,
    )
    [answer] = await world.emulator.wait_for_messages(FORUM, 1)
    assert answer.thread_id == TOPIC
    actions = world.emulator.calls("sendChatAction")
    assert actions
    assert all(c.get("message_thread_id") == TOPIC for c in actions)
