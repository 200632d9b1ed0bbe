"""A chat's alerts are numbered 1, 2, 3... whatever other chats hold: in replies, /alerts,
its buttons and the commands; another chat's numbers act on nothing; numbering survives a
restart of the bot."""

from __future__ import annotations

from pathlib import Path

from bot import messages
from bot.alerts_render import button_data
from bot.app import BotConfig
from bot.emulator import TelegramEmulator
from tests.bot.alerts_world import alerts_world, make_runtime, subscriptions, user


async def test_every_chat_numbers_its_own_alerts_across_restarts(
    tmp_path: Path, emulator: TelegramEmulator, config: BotConfig
) -> None:
    async with alerts_world(make_runtime(tmp_path / "data"), emulator, config) as world:
        alice, bob = user(world, "Alice"), user(world, "Bob")
        a, b = alice["id"], bob["id"]
        assert (await world.reply(a, "/subscribe volcano eruption", alice)).startswith(
            "Subscribed: alert 1,"
        )
        await world.reply(a, "/subscribe chip export controls", alice)
        # Bob's first alert is his 1, though two alerts exist already.
        assert (await world.reply(b, "/subscribe football", bob)).startswith("Subscribed: alert 1,")
        assert (await world.reply(a, "/subscribe rain", alice)).startswith("Subscribed: alert 3,")

        listing_text = await world.reply(b, "/alerts", bob)
        assert listing_text.splitlines()[1] == "1. football (instant)"
        listing = world.emulator.bot_messages(b)[-1]
        buttons = [
            b["callback_data"] for row in listing.reply_markup["inline_keyboard"] for b in row
        ]
        assert buttons == [button_data(action, 1) for action in ("p", "x", "d")]

        # Bob's buttons and commands reach Bob's alerts only.
        await world.press(listing, button_data("p", 1), bob)
        assert [s.active for s in subscriptions(world, b)] == [False]
        assert [s.active for s in subscriptions(world, a)] == [True, True, True]
        await world.press(listing, button_data("x", 2), bob)  # a number only Alice holds
        assert world.emulator.state.answered_callbacks[-1]["text"] == messages.BUTTON_EXPIRED
        assert (await world.reply(b, "/unsubscribe 3", bob)).startswith("There is no alert 3")
        assert (await world.reply(b, "/digest 2 6", bob)).startswith("There is no alert 2")
        assert [s.number for s in subscriptions(world, a)] == [1, 2, 3]

        # A removed number is not given out again.
        assert await world.reply(a, "/unsubscribe 3", alice) == "Removed: rain."
        assert (await world.reply(a, "/subscribe storms", alice)).startswith("Subscribed: alert 4,")

    async with alerts_world(make_runtime(tmp_path / "data"), emulator, config) as world:
        assert (await world.reply(a, "/subscribe elections", alice)).startswith(
            "Subscribed: alert 5,"
        )
        listing_text = await world.reply(a, "/alerts", alice)
        assert [line.split(".")[0] for line in listing_text.splitlines()[1:5]] == [
            "1",
            "2",
            "4",
            "5",
        ]
        assert await world.reply(b, "/unsubscribe 1", bob) == "Removed: football."
        assert [s.number for s in subscriptions(world, a)] == [1, 2, 4, 5]
