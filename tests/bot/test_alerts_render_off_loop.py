"""An alert's Why and reason read its whole article: made once per delivery, off the loop."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

import bot.alerts_view as alerts_view
from tests.bot.alerts_world import (
    CHIPS_CHINA,
    CHIPS_EU,
    CHIPS_STOCKS,
    VOLCANO,
    AlertsWorld,
    cli_ingest,
    deliveries,
    settled,
    user,
)


def _counted(monkeypatch: pytest.MonkeyPatch, name: str, calls: list[tuple[str, int]]) -> None:
    real = getattr(alerts_view, name)

    def counted(*args: Any) -> Any:
        calls.append((name, threading.get_ident()))
        return real(*args)

    monkeypatch.setattr(alerts_view, name, counted)


async def test_each_alert_is_read_once_and_never_on_the_event_loop(
    world: AlertsWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob = user(world, "Alice"), user(world, "Bob")
    await world.reply(alice["id"], "/subscribe chip export controls", alice)
    await world.reply(alice["id"], "/digest 1 3", alice)
    await world.reply(bob["id"], "/subscribe volcano eruption", bob)
    before = {c: len(world.emulator.bot_messages(c)) for c in (alice["id"], bob["id"])}
    calls: list[tuple[str, int]] = []
    _counted(monkeypatch, "mentions", calls)  # the Why
    _counted(monkeypatch, "shown_reason", calls)  # the quoted sentence

    batch = [CHIPS_CHINA, CHIPS_STOCKS, CHIPS_EU, VOLCANO]
    await cli_ingest(world.runtime, tmp_path / "in.jsonl", batch)
    world.clock.advance(hours=3, minutes=1)
    await settled(world)

    assert len(world.emulator.bot_messages(alice["id"])) == before[alice["id"]] + 1  # a digest
    assert len(world.emulator.bot_messages(bob["id"])) == before[bob["id"]] + 1  # an alert
    assert {row.status for row in deliveries(world)} == {"sent"}
    sent = len(deliveries(world))
    assert sent == 4
    # Once each for the message, the chat turn (and a cut's record) together.
    assert sorted(name for name, _ in calls) == ["mentions"] * sent + ["shown_reason"] * sent
    loop_thread = threading.get_ident()  # the test runs on the event loop's thread
    assert all(thread != loop_thread for _, thread in calls)
