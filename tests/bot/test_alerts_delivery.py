"""Alerts from newly indexed articles to chats: matching, delivery, digests, failures.

The real Application polls the emulator; articles are indexed by `newsbot ingest`'s
`run_ingest` (as from another shell) or the admin's `/ingest`; the delivery job sends.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.app import BotConfig
from bot.emulator import TelegramEmulator
from index import store
from index.db import session_scope
from tests.bot.alerts_world import (
    ADMIN_ID,
    CHIPS_CHINA,
    CHIPS_EU,
    CHIPS_STOCKS,
    FOOTBALL,
    GROUP,
    LIBRARY,
    START,
    THRESHOLD,
    VOLCANO,
    VOLCANO_COPY,
    AlertsWorld,
    alerts_world,
    article,
    cli_ingest,
    deliveries,
    make_runtime,
    settled,
    subscriptions,
    user,
)
from tests.news_site import NewsSite, story


async def test_an_ingest_sends_exactly_the_expected_alerts_once_each(
    world: AlertsWorld, tmp_path: Path
) -> None:
    alice, bob, carol = user(world, "Alice"), user(world, "Bob"), user(world, "Carol")
    await world.reply(alice["id"], "/subscribe volcano eruption", alice)
    await world.reply(bob["id"], "/subscribe chip export controls +china -stocks", bob)
    await world.reply(carol["id"], "/subscribe football cup final", carol)
    await world.reply(carol["id"], "/subscribe chip export controls", carol)
    replies = {chat: len(world.emulator.bot_messages(chat)) for chat in (alice["id"], bob["id"])}

    batch = [VOLCANO, VOLCANO_COPY, CHIPS_CHINA, CHIPS_STOCKS, CHIPS_EU]
    await cli_ingest(world.runtime, tmp_path / "in" / "one.jsonl", batch)
    await settled(world)

    alice_alerts = world.emulator.bot_messages(alice["id"])[replies[alice["id"]] :]
    # The volcano story came from two outlets: one alert.
    assert [m.text.splitlines()[0] for m in alice_alerts] == [VOLCANO.title]
    [alert] = alice_alerts
    assert alert.text.splitlines()[1:] == [
        "Nordic Wire, 14 Nov 2024",
        "Why: mentions volcano eruption",
        "Scientists said the volcano eruption could go on for weeks.",  # the closest sentence
    ]
    assert alert.links == [(VOLCANO.title, VOLCANO.url)]
    # +china keeps only articles naming China; -stocks drops the one about stocks.
    assert [m.text.splitlines()[0] for m in world.emulator.bot_messages(bob["id"])[1:]] == [
        CHIPS_CHINA.title
    ]
    carol_alerts = {m.text.splitlines()[0] for m in world.emulator.bot_messages(carol["id"])[2:]}
    assert carol_alerts == {CHIPS_CHINA.title, CHIPS_STOCKS.title, CHIPS_EU.title}
    assert {row.status for row in deliveries(world)} == {"sent"}
    assert len(deliveries(world)) == 5

    # The same articles again (and the copy once more): nothing new for anyone.
    await cli_ingest(world.runtime, tmp_path / "in" / "two.jsonl", [VOLCANO_COPY, CHIPS_CHINA])
    await settled(world)
    assert len(deliveries(world)) == 5
    assert len(world.emulator.bot_messages(alice["id"])) == replies[alice["id"]] + 1


async def test_admin_ingest_of_a_page_alerts_the_subscribers(world: AlertsWorld) -> None:
    alice, admin = user(world, "Alice"), user(world, "Ada", user_id=ADMIN_ID)
    await world.reply(alice["id"], "/subscribe rain report", alice)
    async with NewsSite(pages={"rain": story("rain", "rain")}) as site:
        done = await world.reply(ADMIN_ID, f"/ingest {site.url('/story/rain')}", admin)
    assert done.startswith("Indexed: Rain update 1")
    [_, alert] = await world.emulator.wait_for_messages(alice["id"], 2)
    assert alert.text.startswith("Rain update 1\n")
    assert "Why: mentions rain report" in alert.text


async def test_a_digest_gathers_the_matches_into_one_message(
    world: AlertsWorld, tmp_path: Path
) -> None:
    alice = user(world, "Alice")
    chat = alice["id"]
    await world.reply(chat, "/subscribe chip export controls", alice)
    reply = await world.reply(chat, "/digest 1 3", alice)
    assert reply == "chip export controls: one digest every 3 hours."
    await cli_ingest(world.runtime, tmp_path / "in.jsonl", [CHIPS_CHINA, CHIPS_STOCKS, CHIPS_EU])
    assert len(deliveries(world)) == 3
    before = len(world.emulator.bot_messages(chat))

    world.clock.advance(hours=2)  # not due yet: nothing is sent
    await world.alerts_round()
    assert len(world.emulator.bot_messages(chat)) == before
    assert {row.status for row in deliveries(world)} == {"pending"}

    world.clock.advance(hours=1, minutes=1)
    await settled(world)
    [digest] = world.emulator.bot_messages(chat)[before:]
    lines = digest.text.splitlines()
    assert lines[0] == "Digest: chip export controls (3 new stories)"
    titles = [line.removeprefix("• ") for line in lines if line.startswith("• ")]
    assert sorted(titles) == sorted([CHIPS_CHINA.title, CHIPS_STOCKS.title, CHIPS_EU.title])
    assert {row.status for row in deliveries(world)} == {"sent"}

    # The next match waits for the next interval.
    more = article(
        "Chip export controls widen",
        "The chip export controls now cover more chips. Chip export controls grow again.",
        source="Trade Daily",
        slug="chips-wider",
    )
    await cli_ingest(world.runtime, tmp_path / "more.jsonl", [more])
    assert len(deliveries(world)) == 4
    await world.alerts_round()
    assert len(world.emulator.bot_messages(chat)) == before + 1
    world.clock.advance(hours=3)
    await settled(world)
    assert world.emulator.bot_messages(chat)[-1].text.startswith(
        "Digest: chip export controls (1 new story)"
    )


async def test_a_chat_that_blocked_the_bot_has_its_alerts_paused(
    world: AlertsWorld, tmp_path: Path
) -> None:
    alice, bob = user(world, "Alice"), user(world, "Bob")
    await world.reply(alice["id"], "/subscribe volcano eruption", alice)
    await world.reply(alice["id"], "/subscribe chip export controls", alice)
    await world.reply(bob["id"], "/subscribe volcano eruption", bob)
    world.emulator.block_bot(alice["id"])

    await cli_ingest(world.runtime, tmp_path / "in.jsonl", [VOLCANO, CHIPS_CHINA])
    await settled(world)
    assert [s.active for s in subscriptions(world, alice["id"])] == [False, False]
    assert [s.active for s in subscriptions(world, bob["id"])] == [True]
    status = {(row.chat_id, row.article_id): row.status for row in deliveries(world)}
    alices = sorted(s for (chat, _), s in status.items() if chat == alice["id"])
    assert alices == ["failed", "skipped"]  # the one tried failed; the other was dropped
    assert [s for (chat, _), s in status.items() if chat == bob["id"]] == ["sent"]


async def test_flood_limits_are_waited_out(world: AlertsWorld, tmp_path: Path) -> None:
    alice = user(world, "Alice")
    await world.reply(alice["id"], "/subscribe chip export controls", alice)
    # One more refusal than the rate limiter retries: that round gives up, the next sends.
    world.emulator.fail_next("sendMessage", 429, retry_after=1, count=4)
    await cli_ingest(world.runtime, tmp_path / "in.jsonl", [CHIPS_CHINA, CHIPS_EU])
    await settled(world)
    titles = [m.text.splitlines()[0] for m in world.emulator.bot_messages(alice["id"])[1:]]
    assert sorted(titles) == sorted([CHIPS_CHINA.title, CHIPS_EU.title])
    assert {row.status for row in deliveries(world)} == {"sent"}


async def test_group_alerts_are_managed_by_the_group_admins_only(world: AlertsWorld) -> None:
    bob, carol = user(world, "Bob"), user(world, "Carol")
    world.emulator.set_chat_admins(GROUP, [carol["id"]])
    refused = await world.reply(GROUP, "/subscribe volcano eruption", bob, chat_type="group")
    assert refused == "Only the group's admins can change its alerts."
    assert subscriptions(world, GROUP) == []

    await world.reply(GROUP, "/subscribe volcano eruption", carol, chat_type="group")
    assert [s.topic for s in subscriptions(world, GROUP)] == ["volcano eruption"]
    await world.reply(GROUP, "/alerts", bob, chat_type="group")  # anyone may look
    listing = world.emulator.bot_messages(GROUP)[-1]
    [subscription] = subscriptions(world, GROUP)
    await world.press(listing, f"al:p:{subscription.number}", bob)
    assert world.emulator.state.answered_callbacks[-1]["text"] == (
        "Only the group's admins can change its alerts."
    )
    assert subscriptions(world, GROUP)[0].active
    for command in ("/unsubscribe 1", "/digest 1 4"):
        assert await world.reply(GROUP, command, bob, chat_type="group") == refused
    await world.press(listing, f"al:p:{subscription.number}", carol)
    assert not subscriptions(world, GROUP)[0].active


async def test_pending_alerts_are_sent_after_a_restart(
    tmp_path: Path, emulator: TelegramEmulator, config: BotConfig
) -> None:
    data = tmp_path / "data"
    runtime = make_runtime(data, ALERT_THRESHOLD=THRESHOLD)
    async with alerts_world(runtime, emulator, config) as world:
        alice, bob = user(world, "Alice"), user(world, "Bob")
        await world.reply(alice["id"], "/subscribe volcano eruption", alice)
        await world.reply(bob["id"], "/subscribe chip export controls", bob)
    # The bot is down: `newsbot ingest` queues the alerts in the database.
    offline = make_runtime(data, ALERT_THRESHOLD=THRESHOLD)
    await cli_ingest(offline, tmp_path / "in.jsonl", [VOLCANO, CHIPS_CHINA])
    with session_scope(offline.sessions) as session:  # a process died while sending them
        claimed = store.claim_pending(
            session=session,
            worker="crashed",
            limit=1,
            now=START - timedelta(minutes=10),
            stale_after=timedelta(minutes=5),
        )
    await offline.aclose()
    assert len(claimed) == 1
    assert len(emulator.bot_messages(alice["id"])) == 1

    async with alerts_world(make_runtime(data, ALERT_THRESHOLD=THRESHOLD), emulator, config) as w:
        await settled(w)
        assert {row.status for row in deliveries(w)} == {"sent"}
    assert emulator.bot_messages(alice["id"])[-1].text.startswith(VOLCANO.title)
    assert emulator.bot_messages(bob["id"])[-1].text.startswith(CHIPS_CHINA.title)


async def test_replying_to_an_alert_asks_about_its_article_first(
    world: AlertsWorld, tmp_path: Path
) -> None:
    alice = user(world, "Alice")
    chat = alice["id"]
    await world.reply(chat, "/subscribe volcano eruption", alice)
    await cli_ingest(world.runtime, tmp_path / "in.jsonl", [VOLCANO, FOOTBALL])
    [_, alert] = await world.emulator.wait_for_messages(chat, 2)
    await world.admin.reloader.reload()  # the bot watches for new snapshots; do it now

    question = "What did the mayor say?"
    # Asked on its own, the question is about the library's mayor...
    plain = await world.reply(chat, question, alice)
    assert plain.split("Sources\n")[1].startswith(f"1. {LIBRARY.title}")
    # ...asked in reply to the alert, about the volcano article first.
    answer = await world.reply(chat, question, alice, reply_to_message_id=alert.message_id)
    assert answer.split("Sources\n")[1].startswith(f"1. {VOLCANO.title}")
    assert "evacuated" in answer.split("Sources\n")[0]
