"""Topic alerts end to end: the real Application on the emulator, a real store and index.

Articles are indexed through production paths (`newsbot ingest`'s `run_ingest`, the admin
`/ingest`); the delivery job sends the alerts. The hashing embedder makes cosines lexical:
the texts below repeat their topic's words so that matching does not depend on a model.
"""

from __future__ import annotations

from pathlib import Path

from bot import messages
from bot.alerts_render import button_data
from bot.app import BotConfig
from bot.emulator import TelegramEmulator
from tests.bot.alerts_world import (
    AlertsWorld,
    alerts_world,
    make_runtime,
    subscriptions,
    user,
)


async def test_subscribe_then_pause_resume_digest_and_remove_with_buttons(
    world: AlertsWorld,
) -> None:
    alice = user(world, "Alice")
    chat = alice["id"]
    reply = await world.reply(chat, "/subscribe volcano eruption +iceland -tourism", alice)
    assert reply == (
        "Subscribed: alert 1, volcano eruption +iceland -tourism. I will send new articles "
        "on it as soon as they are indexed. /alerts lists your alerts."
    )
    [subscription] = subscriptions(world, chat)
    assert (subscription.topic, subscription.must_words, subscription.exclude_words) == (
        "volcano eruption",
        ("iceland",),
        ("tourism",),
    )
    await world.reply(chat, "/subscribe chip export controls", alice)

    listing_text = await world.reply(chat, "/alerts", alice)
    assert listing_text.splitlines()[:3] == [
        "Your alerts (2)",
        "1. volcano eruption +iceland -tourism (instant)",
        "2. chip export controls (instant)",
    ]
    listing = world.emulator.bot_messages(chat)[-1]
    buttons = [b["callback_data"] for row in listing.reply_markup["inline_keyboard"] for b in row]
    first = subscription.number
    assert buttons[:3] == [button_data(action, first) for action in ("p", "x", "d")]

    await world.press(listing, button_data("p", first), alice)
    assert not subscriptions(world, chat)[0].active
    assert "1. volcano eruption +iceland -tourism (paused)" in listing.text
    assert world.emulator.state.answered_callbacks[-1]["text"] == "Alert paused."

    await world.press(listing, button_data("r", first), alice)
    assert subscriptions(world, chat)[0].active
    await world.press(listing, button_data("d", first), alice)
    assert subscriptions(world, chat)[0].digest_hours == messages.DIGEST_HOURS_DEFAULT
    assert "(digest every 24 hours)" in listing.text
    await world.press(listing, button_data("i", first), alice)
    assert subscriptions(world, chat)[0].digest_hours is None

    await world.press(listing, button_data("x", first), alice)
    assert [s.topic for s in subscriptions(world, chat)] == ["chip export controls"]
    assert listing.text.splitlines()[1] == "2. chip export controls (instant)"  # stable number
    # A button of a removed alert, or of another chat's alert, changes nothing.
    await world.press(listing, button_data("x", first), alice)
    assert world.emulator.state.answered_callbacks[-1]["text"] == messages.BUTTON_EXPIRED
    bob = user(world, "Bob")
    await world.reply(bob["id"], "/subscribe football", bob)
    [bobs] = subscriptions(world, bob["id"])
    await world.press(listing, button_data("p", bobs.number), alice)
    assert subscriptions(world, bob["id"])[0].active

    # Numbers are stable: alert 1 is gone, and 1 does not now mean the chip alert.
    assert (await world.reply(chat, "/unsubscribe 1", alice)).startswith("There is no alert 1")
    assert await world.reply(chat, "/unsubscribe 2", alice) == "Removed: chip export controls."
    assert await world.reply(chat, "/alerts", alice) == messages.ALERTS_EMPTY


async def test_bad_input_gets_a_usage_line(world: AlertsWorld) -> None:
    alice = user(world, "Alice")
    chat = alice["id"]
    usage = await world.reply(chat, "/subscribe", alice)
    assert usage.startswith("Usage: /subscribe TOPIC")
    only_filters = await world.reply(chat, "/subscribe +china -stocks", alice)
    assert only_filters.startswith("Add a few words describing the topic")
    assert "Usage: /subscribe" in only_filters
    assert (await world.reply(chat, "/unsubscribe first", alice)).startswith(
        "Usage: /unsubscribe N"
    )
    assert (await world.reply(chat, "/digest 1 sometimes", alice)).startswith("Usage: /digest N")
    missing = await world.reply(chat, "/unsubscribe 3", alice)
    assert missing == "There is no alert 3 here. /alerts lists them."
    assert subscriptions(world, chat) == []


async def test_per_chat_limit(
    tmp_path: Path, emulator: TelegramEmulator, config: BotConfig
) -> None:
    runtime = make_runtime(tmp_path / "data", MAX_SUBSCRIPTIONS_PER_CHAT=2)
    async with alerts_world(runtime, emulator, config) as world:
        alice = user(world, "Alice")
        await world.reply(alice["id"], "/subscribe volcano", alice)
        await world.reply(alice["id"], "/subscribe football", alice)
        refused = await world.reply(alice["id"], "/subscribe chips", alice)
    assert refused.startswith("This chat already has 2 alerts")


async def test_duplicate_and_empty_topics_are_refused(world: AlertsWorld) -> None:
    alice = user(world, "Alice")
    chat = alice["id"]
    await world.reply(chat, "/subscribe Boeing aircraft", alice)
    [held] = subscriptions(world, chat)
    again = await world.reply(chat, "/subscribe  boeing   Aircraft", alice)
    assert again == f"You already have this alert: #{held.number}."
    # Other filters make another alert.
    assert (await world.reply(chat, "/subscribe Boeing aircraft -stocks", alice)).startswith(
        "Subscribed"
    )
    for topic in ("a", "the", "🚀", "of the"):
        reply = await world.reply(chat, f"/subscribe {topic}", alice)
        assert reply.startswith("That topic has no words I can follow. Usage: /subscribe"), topic
    assert len(subscriptions(world, chat)) == 2
    # An acronym in capitals is a topic, though its lowercase is a stop word.
    for topic in ("WHO", "IT"):
        reply = await world.reply(chat, f"/subscribe {topic}", alice)
        assert reply.startswith("Subscribed"), (topic, reply)


async def test_a_chat_cannot_touch_another_chats_alert_by_its_number(world: AlertsWorld) -> None:
    alice, bob = user(world, "Alice"), user(world, "Bob")
    await world.reply(alice["id"], "/subscribe Boeing aircraft", alice)
    [held] = subscriptions(world, alice["id"])
    for command in (f"/unsubscribe {held.number}", f"/digest {held.number} 6"):
        reply = await world.reply(bob["id"], command, bob)
        assert reply.startswith(f"There is no alert {held.number} here."), (command, reply)
    [still] = subscriptions(world, alice["id"])
    assert still == held
