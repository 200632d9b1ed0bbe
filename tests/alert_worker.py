"""The alert-sending side of a bot process, for tests that start several real processes.

Kept apart from the test modules so a spawned process imports only the store (fast start).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event

from index import store
from index.db import make_engine, make_session_factory, session_scope, upgrade_database

NOW = datetime(2024, 11, 15, 12, 0, tzinfo=UTC)
STALE = timedelta(minutes=5)
BATCH = 4


def drain_alerts(
    url: str, worker: str, go: Event, results: Queue[tuple[str, list[int] | str]]
) -> None:
    """Migrate on start (racing the other processes), wait for `go`, then claim, "send" and
    mark pending alerts until none is left; put (worker, claimed ids) on `results`."""
    engine = make_engine(url)
    try:
        upgrade_database(engine)
        sessions = make_session_factory(engine)
        go.wait(60)
        mine: list[int] = []
        while True:
            with session_scope(sessions) as session:
                claimed = store.claim_pending(
                    session=session, worker=worker, limit=BATCH, now=NOW, stale_after=STALE
                )
            if not claimed:
                break
            # Sent outside the claiming transaction, then recorded, as a sender does.
            with session_scope(sessions) as session:
                store.mark_sent(session=session, delivery_ids=[d.id for d in claimed], now=NOW)
            mine.extend(d.id for d in claimed)
        results.put((worker, mine))
    except BaseException as exc:
        results.put((worker, repr(exc)))
        raise
    finally:
        engine.dispose()
