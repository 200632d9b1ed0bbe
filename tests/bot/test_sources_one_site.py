"""/sources and /stats count one site once, however its articles name it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bot.app import BotConfig
from bot.emulator import TelegramEmulator
from tests.bot.alerts_world import ADMIN_ID, alerts_world, article, make_runtime, seed, user


def _articles() -> list:
    # One site as its pages name it, its address and a subdomain, and another outlet.
    names = ["CNN", "CNN", "cnn.com", "edition.cnn.com", "Reuters"]
    return [
        dataclasses.replace(
            article(
                f"Story {i}", f"Body of story number {i} about topic {i}.", source=n, slug=f"s{i}"
            ),
            url=f"https://{'www.cnn.com' if 'cnn' in n.lower() else 'reuters.com'}/s{i}",
        )
        for i, n in enumerate(names)
    ]


async def test_sources_and_stats_join_the_names_of_one_site(
    tmp_path: Path, emulator: TelegramEmulator, config: BotConfig
) -> None:
    runtime = make_runtime(tmp_path / "data")
    seed(runtime, _articles())
    async with alerts_world(runtime, emulator, config) as world:
        admin = user(world, "Ada", user_id=ADMIN_ID)
        sources = await world.reply(ADMIN_ID, "/sources", admin)
        await world.emulator.wait_for_messages(ADMIN_ID, 2)  # an admin's registered sources
        header, bullets = sources.split("\n\n")[:2]
        assert "5 articles from 2 outlets" in header
        assert bullets.splitlines() == ["• CNN: 4 articles", "• Reuters: 1 article"]
        stats = await world.reply(ADMIN_ID, "/stats", admin)
        assert "Outlets: 2" in stats.splitlines()
