"""A chat that removed or blocked the bot, then let it back in, hears that its alerts are
paused and how to resume them (they are not resumed by themselves)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.bot.alerts_world import (
    VOLCANO,
    AlertsWorld,
    cli_ingest,
    settled,
    subscriptions,
    user,
)

GROUP = -100_777


async def _membership(world: AlertsWorld, by: dict[str, Any], old: str, new: str) -> None:
    update = world.emulator.bot_membership(GROUP, by, old, new)
    await world.emulator.wait_acknowledged(update["update_id"])
    await world.application.update_queue.join()


async def test_a_group_that_lets_the_bot_back_in_hears_its_alerts_are_paused(
    world: AlertsWorld, tmp_path: Path
) -> None:
    carol = user(world, "Carol")
    world.emulator.set_chat_admins(GROUP, [carol["id"]])
    await world.reply(GROUP, "/subscribe volcano eruption", carol, chat_type="supergroup")
    await world.reply(GROUP, "/subscribe chip export controls", carol, chat_type="supergroup")
    await _membership(world, carol, "member", "kicked")
    world.emulator.block_bot(GROUP)
    await cli_ingest(world.runtime, tmp_path / "in.jsonl", [VOLCANO])
    await settled(world)
    assert [s.active for s in subscriptions(world, GROUP)] == [False, False]

    world.emulator.state.blocked.discard(GROUP)
    before = len(world.emulator.bot_messages(GROUP))
    await _membership(world, carol, "left", "member")
    said = [m.text for m in world.emulator.bot_messages(GROUP)[before:]]
    assert said == [
        "Thanks for having me back. This chat's 2 alerts are paused: "
        "/alerts lists them with buttons to resume."
    ]
    assert [s.active for s in subscriptions(world, GROUP)] == [False, False]

    # Made an admin while in: not let back in, nothing said again.
    await _membership(world, carol, "member", "administrator")
    assert len(world.emulator.bot_messages(GROUP)) == before + 1


async def test_a_chat_without_paused_alerts_hears_nothing(world: AlertsWorld) -> None:
    carol = user(world, "Carol")
    world.emulator.state.ensure_chat(GROUP, "supergroup", "K")
    await _membership(world, carol, "left", "member")
    assert world.emulator.bot_messages(GROUP) == []
