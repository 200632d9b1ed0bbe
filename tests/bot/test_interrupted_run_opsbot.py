"""A re-index killed mid-run is shown as interrupted, without the time until a later process
noticed it (that is not how long it ran: /stats said "failed after 6 min 49 s" for a run
killed 1 min 49 s in)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot import messages_admin
from bot.admin_ops import INTERRUPTED, collect_stats
from index import store
from index.db import session_scope
from tests.bot.admin_world import make_runtime


def test_a_killed_reindex_is_shown_as_interrupted_without_a_duration(tmp_path: Path) -> None:
    runtime = make_runtime(tmp_path / "data")
    started = datetime.now(UTC) - timedelta(minutes=6, seconds=49)
    try:
        with session_scope(runtime.sessions) as session:
            store.start_reindex_run(session=session, full=False, now=started)  # then killed
        stats = collect_stats(runtime, datetime.now(UTC))  # nobody holds the index: closed
    finally:
        runtime.engine.dispose()
    assert stats.last_run is not None
    assert (stats.last_run.status, stats.last_run.error) == ("failed", INTERRUPTED)
    text = messages_admin.admin_stats(stats, UTC)
    assert f"({INTERRUPTED})" in text
    assert "after" not in text  # "failed after 6 min 49 s" was the restart's delay
    assert "6 min" not in text
