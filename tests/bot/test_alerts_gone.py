"""Alerts to a chat that no longer exists pause its subscriptions, like a chat that blocked
the bot; other refusals fail one alert and leave the subscription alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.emulator_state import Fault
from tests.bot.alerts_world import (
    GROUP,
    VOLCANO,
    AlertsWorld,
    cli_ingest,
    deliveries,
    settled,
    subscriptions,
    user,
)


async def test_alerts_to_a_chat_that_is_gone_are_paused(world: AlertsWorld, tmp_path: Path) -> None:
    alice, bob, carol = user(world, "Alice"), user(world, "Bob"), user(world, "Carol")
    world.emulator.set_chat_admins(GROUP, [carol["id"]])
    await world.reply(alice["id"], "/subscribe volcano eruption", alice)
    await world.reply(bob["id"], "/subscribe volcano eruption", bob)
    await world.reply(GROUP, "/subscribe volcano eruption", carol, chat_type="group")
    refusals = {
        alice["id"]: "Bad Request: chat not found",
        GROUP: "Bad Request: group chat was deactivated",
        bob["id"]: "Bad Request: message is too long",  # this message, not the chat
    }

    def refuse(method: str, params: dict[str, Any]) -> Fault | None:
        chat = params.get("chat_id")
        if method.lower() != "sendmessage" or chat is None:
            return None
        description = refusals.get(int(chat))
        return None if description is None else Fault(400, None, description)

    world.emulator.set_fault_policy(refuse)
    await cli_ingest(world.runtime, tmp_path / "in.jsonl", [VOLCANO])
    await settled(world)

    assert [s.active for s in subscriptions(world, alice["id"])] == [False]
    assert [s.active for s in subscriptions(world, GROUP)] == [False]
    assert [s.active for s in subscriptions(world, bob["id"])] == [True]
    assert [row.status for row in deliveries(world)] == ["failed"] * 3
