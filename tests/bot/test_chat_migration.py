"""A group upgraded to a supergroup keeps its alerts and conversation under its new id,
whether the bot learns it from Telegram's service messages or from a refused alert."""

from __future__ import annotations

from pathlib import Path

from index import store
from index.db import session_scope
from tests.bot.alerts_world import (
    CHIPS_CHINA,
    VOLCANO,
    AlertsWorld,
    cli_ingest,
    deliveries,
    settled,
    subscriptions,
    user,
)

OLD = -4444
NEW = -100_4444


async def _group_with_alerts(world: AlertsWorld) -> dict[str, object]:
    carol = user(world, "Carol")
    world.emulator.set_chat_admins(OLD, [carol["id"]])
    world.emulator.set_chat_admins(NEW, [carol["id"]])
    await world.reply(OLD, "/subscribe library", carol, chat_type="group")  # alert 1
    await world.reply(OLD, "/subscribe volcano eruption", carol, chat_type="group")  # 2
    await world.reply(OLD, "/unsubscribe 1", carol, chat_type="group")
    await world.reply(OLD, "/subscribe chip export controls", carol, chat_type="group")  # 3
    return carol


def _turns(world: AlertsWorld, chat_id: int) -> int:
    with session_scope(world.runtime.sessions) as session:
        return len(store.recent_turns(session=session, chat_id=chat_id, limit=100))


async def test_a_refused_alert_moves_the_group_and_goes_to_the_supergroup(
    world: AlertsWorld, tmp_path: Path
) -> None:
    carol = await _group_with_alerts(world)
    with session_scope(world.runtime.sessions) as session:
        store.add_turn(session=session, chat_id=OLD, role="user", text="what about lava?")
    # Upgraded, but the service messages are not seen (yet): the alert learns it.
    world.emulator.migrate_group(OLD, NEW, carol, announce=False)

    await cli_ingest(world.runtime, tmp_path / "in.jsonl", [VOLCANO, CHIPS_CHINA])
    await settled(world)

    titles = {m.text.splitlines()[0] for m in world.emulator.bot_messages(NEW)}
    assert titles == {VOLCANO.title, CHIPS_CHINA.title}
    assert subscriptions(world, OLD) == []
    moved = subscriptions(world, NEW)
    assert [(s.number, s.active) for s in moved] == [(2, True), (3, True)]
    assert [(row.chat_id, row.status) for row in deliveries(world)] == [(NEW, "sent")] * 2
    assert _turns(world, OLD) == 0
    assert _turns(world, NEW) >= 3  # the question and the two alerts

    listed = await world.reply(NEW, "/alerts", carol, chat_type="supergroup")
    assert "2. volcano eruption" in listed
    assert "3. chip export controls" in listed
    # The numbers go on after the old group's, never reusing a removed one.
    reply = await world.reply(NEW, "/subscribe football", carol, chat_type="supergroup")
    assert "alert 4" in reply


async def test_the_service_messages_move_the_group_once(world: AlertsWorld, tmp_path: Path) -> None:
    carol = await _group_with_alerts(world)
    assert world.application.job_queue is not None
    [job] = world.application.job_queue.get_jobs_by_name("alert-delivery")
    job.enabled = False  # rounds run by hand here: the alert waits in the queue
    await cli_ingest(world.runtime, tmp_path / "in.jsonl", [VOLCANO])
    assert [row.chat_id for row in deliveries(world)] == [OLD]
    before = len(world.emulator.calls("sendMessage"))

    for update in world.emulator.migrate_group(OLD, NEW, carol):  # both, as Telegram sends
        await world.emulator.wait_acknowledged(update["update_id"])
    await world.application.update_queue.join()
    assert subscriptions(world, OLD) == []
    assert [s.number for s in subscriptions(world, NEW)] == [2, 3]
    assert [(row.chat_id, row.status) for row in deliveries(world)] == [(NEW, "pending")]

    await settled(world)
    [alert] = [m for m in world.emulator.bot_messages(NEW) if m.text.startswith(VOLCANO.title)]
    assert alert.chat_id == NEW
    sends = world.emulator.calls("sendMessage")[before:]
    assert [c["chat_id"] for c in sends] == [NEW]  # not tried at the old id first
