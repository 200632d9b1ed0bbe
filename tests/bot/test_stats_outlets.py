"""/stats counts outlets one per site in the admin worker's figures, not on the event loop
while it writes the reply."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

from bot import messages_admin
from bot.admin_ops import collect_stats
from tests.bot.alerts_world import article, make_runtime, seed


def test_collected_stats_count_one_site_once(tmp_path: Path) -> None:
    runtime = make_runtime(tmp_path / "data")
    names = ["CNN", "CNN", "cnn.com", "edition.cnn.com", "Reuters"]
    seed(
        runtime,
        [
            article(
                f"Story {i}", f"Body of story number {i} about topic {i}.", source=n, slug=f"s{i}"
            )
            for i, n in enumerate(names)
        ],
    )
    stats = collect_stats(runtime, datetime.now(UTC))
    assert len(stats.corpus.per_source) == 4
    assert stats.outlets == 2
    # The reply shows the collected count as it is: nothing is grouped while writing it.
    shown = messages_admin.admin_stats(dataclasses.replace(stats, outlets=7), UTC)
    assert "Outlets: 7" in shown.splitlines()
