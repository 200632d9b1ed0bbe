"""Bad /digest and /subscribe arguments get one clear line saying what is allowed, and change
nothing; /help lists every command and says what the /alerts buttons do."""

from __future__ import annotations

from pathlib import Path

from bot.app import BotConfig
from bot.emulator import TelegramEmulator
from bot.handlers_alerts import MAX_DIGEST_HOURS, digest_problem, topic_too_short
from tests.bot.alerts_world import alerts_world, make_runtime, subscriptions, user


def test_hours_out_of_range_say_the_range() -> None:
    for argument in ("1 0", "2 100000", "1 -5"):
        problem = digest_problem(argument)
        assert f"1 to {MAX_DIGEST_HOURS} hours" in problem, argument
        assert "off</code>" in problem
    assert "not 0." in digest_problem("1 0")
    assert digest_problem("one six").startswith("Usage: /digest N HOURS")
    assert f"(HOURS: 1 to {MAX_DIGEST_HOURS})" in digest_problem("1 6 7")


def test_a_topic_needs_two_letters_or_digits() -> None:
    assert topic_too_short("x")
    assert topic_too_short("+x")
    assert topic_too_short("🚀 !")
    assert not topic_too_short("AI")
    assert not topic_too_short("G7")


async def test_bad_alert_arguments_change_nothing(
    tmp_path: Path, emulator: TelegramEmulator, config: BotConfig
) -> None:
    async with alerts_world(make_runtime(tmp_path / "data"), emulator, config) as world:
        alice = user(world, "Alice")
        chat = alice["id"]
        assert (await world.reply(chat, "/subscribe x", alice)).startswith(
            "A topic needs at least 2 letters or digits"
        )
        assert subscriptions(world, chat) == []
        await world.reply(chat, "/subscribe volcano eruption", alice)
        await world.reply(chat, "/digest 1 6", alice)
        reply = await world.reply(chat, "/digest 1 0", alice)  # once meant "instant"
        assert reply.startswith("A digest comes every 1 to 168 hours (a week), not 0.")
        assert [s.digest_hours for s in subscriptions(world, chat)] == [6]
        assert "1 to 168 hours" in await world.reply(chat, "/digest 1 -5", alice)
        help_text = await world.reply(chat, "/help", alice)
        for command in ("/start - ", "/ask QUESTION - ", "/alerts - "):
            assert command in help_text
        assert "pause, resume, remove or switch to a digest" in help_text
