"""One alert phrase followed in several forum topics: each topic is its own destination
(refused twice only in the same one), an alert made in a topic is stored with its topic in
one go, and /alerts in a forum says where each alert posts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event

from bot.emulator import html_to_plain
from tests.bot.alerts_world import (
    VOLCANO,
    AlertsWorld,
    cli_ingest,
    settled,
    subscriptions,
    user,
)

FORUM, GROUP = -100_999, -100_444
DAMS, FLOODS = 77, 88


async def _admin_of(world: AlertsWorld, *chats: int) -> dict[str, Any]:
    carol = user(world, "Carol")
    for chat_id in chats:
        world.emulator.set_chat_admins(chat_id, [carol["id"]])
    return carol


async def _in(
    world: AlertsWorld, carol: dict[str, Any], text: str, thread_id: int | None = None
) -> str:
    """The bot's reply to `text` written in the forum (in topic `thread_id`)."""
    extra = {"thread_id": thread_id} if thread_id is not None else {}
    return await world.reply(FORUM, text, carol, chat_type="supergroup", **extra)


async def test_one_phrase_in_two_topics_makes_two_alerts_and_each_topic_gets_the_story(
    world: AlertsWorld, tmp_path: Path
) -> None:
    world.emulator.make_forum(FORUM)
    carol = await _admin_of(world, FORUM)
    assert "Subscribed: alert 1" in await _in(world, carol, "/subscribe volcano eruption", DAMS)
    assert "Subscribed: alert 2" in await _in(world, carol, "/subscribe volcano eruption", FLOODS)
    again = await _in(world, carol, "/subscribe Volcano  eruption", DAMS)
    assert again == "You already have this alert: #1."
    assert "Subscribed: alert 3" in await _in(world, carol, "/subscribe volcano eruption")
    assert [s.thread_id for s in subscriptions(world, FORUM)] == [DAMS, FLOODS, None]

    await cli_ingest(world.runtime, tmp_path / "in.jsonl", [VOLCANO])
    await settled(world)
    placed = [
        m.thread_id for m in world.emulator.bot_messages(FORUM) if m.text.startswith(VOLCANO.title)
    ]
    assert sorted(placed, key=str) == sorted([DAMS, FLOODS, None], key=str)


async def test_an_alert_made_in_a_topic_is_stored_with_its_topic_at_once(
    world: AlertsWorld,
) -> None:
    # Stored without its topic first, a match run in between would send to General.
    inserted: list[Any] = []

    def spy(conn: Any, cursor: Any, statement: str, parameters: Any, *rest: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO SUBSCRIPTIONS"):
            inserted.append(parameters)
        assert not statement.lstrip().upper().startswith("UPDATE SUBSCRIPTIONS SET THREAD_ID")

    event.listen(world.runtime.engine, "before_cursor_execute", spy)
    try:
        made = await world.alerts.subscribe(FORUM, "volcano eruption", DAMS)
    finally:
        event.remove(world.runtime.engine, "before_cursor_execute", spy)
    assert made.thread_id == DAMS
    [parameters] = inserted
    assert DAMS in tuple(parameters.values() if isinstance(parameters, dict) else parameters)


async def test_alerts_in_a_forum_say_where_each_posts(world: AlertsWorld) -> None:
    world.emulator.make_forum(FORUM)
    carol = await _admin_of(world, FORUM, GROUP)
    await _in(world, carol, "/subscribe volcano eruption", DAMS)
    await _in(world, carol, "/subscribe volcano eruption", FLOODS)
    await _in(world, carol, "/subscribe chip export controls")
    await world.say(GROUP, "/subscribe chip export controls", carol, chat_type="supergroup")

    in_dams = html_to_plain(await _in(world, carol, "/alerts", DAMS)).splitlines()
    assert in_dams[1:4] == [
        "1. volcano eruption (instant, here)",
        "2. volcano eruption (instant, in another topic)",
        "3. chip export controls (instant, in General)",
    ]
    in_general = html_to_plain(await _in(world, carol, "/alerts")).splitlines()
    assert in_general[1:4] == [
        "1. volcano eruption (instant, in another topic)",
        "2. volcano eruption (instant, in another topic)",
        "3. chip export controls (instant, here)",
    ]
    plain_group = await world.reply(GROUP, "/alerts", carol, chat_type="supergroup")
    assert html_to_plain(plain_group).splitlines()[1] == "1. chip export controls (instant)"


async def test_a_button_redraws_the_list_as_seen_from_its_topic(world: AlertsWorld) -> None:
    world.emulator.make_forum(FORUM)
    carol = await _admin_of(world, FORUM)
    await _in(world, carol, "/subscribe volcano eruption", DAMS)
    await _in(world, carol, "/subscribe chip export controls")
    await _in(world, carol, "/alerts", DAMS)
    listing = world.emulator.bot_messages(FORUM)[-1]

    await world.press(listing, "al:p:2", carol)

    redrawn = html_to_plain(world.emulator.bot_messages(FORUM)[-1].text).splitlines()
    assert redrawn[1:3] == [
        "1. volcano eruption (instant, here)",
        "2. chip export controls (paused, in General)",
    ]
