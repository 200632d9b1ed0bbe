"""Claims of a bot killed while sending alerts go back in the queue at once, when the
claiming process is gone from this machine; never a live process's, nor another machine's
before the stale-claim timeout.

The claiming bots are real processes: each claims through the store under its own
`worker_id()`, and one is killed with SIGKILL while holding its claims.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.alerts_claims import claim_instant, dead_workers, process_gone, worker_id
from bot.alerts_service import AlertsConfig, AlertService
from index import store
from index.db import session_scope
from index.embedding import HashingEmbedder
from index.schema import AlertDeliveryRow
from index.types import Article

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2024, 11, 15, 12, 0, tzinfo=UTC)
CHAT = 4242
# Claims `limit` alerts under its own worker id, prints the id, then waits for stdin.
CLAIMER = """
import sys
from datetime import datetime, timedelta
from bot.alerts_claims import worker_id
from index import store
from index.db import make_engine, make_session_factory, session_scope
sessions = make_session_factory(make_engine(sys.argv[1]))
worker = worker_id()
with session_scope(sessions) as session:
    store.claim_pending(session=session, worker=worker, limit=int(sys.argv[2]),
                        now=datetime.fromisoformat(sys.argv[3]), stale_after=timedelta(minutes=5))
print(worker, flush=True)
sys.stdin.read()
"""


class Claimer:
    """A bot process that claimed alerts and holds them."""

    def __init__(self, database_url: str, limit: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", CLAIMER, database_url, str(limit), T0.isoformat()],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert self.process.stdout is not None
        self.worker = self.process.stdout.readline().strip()
        assert self.worker.endswith(f":{self.process.pid}:" + self.worker.rsplit(":", 1)[1])

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.communicate(timeout=30)  # reaped, its pipes closed
        assert self.process.returncode == -signal.SIGKILL

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.communicate("", timeout=30)


@pytest.fixture
def alerts(session_factory: sessionmaker[Session]) -> Iterator[AlertService]:
    # A minute after the claims: far from the stale-claim timeout (5 minutes).
    service = AlertService(
        sessions=session_factory,
        embedder=HashingEmbedder(64),
        config=AlertsConfig(batch=3),
        clock=lambda: T0 + timedelta(minutes=1),
    )
    yield service
    asyncio.run(service.aclose())


def _queue(sessions: sessionmaker[Session], n: int) -> list[int]:
    """`n` pending alerts for one chat, oldest first; their delivery ids."""
    with session_scope(sessions) as session:
        subscription = store.add_subscription(session=session, chat_id=CHAT, topic="volcano")
        for i in range(n):
            article = store.upsert_article(
                session=session,
                article=Article(title=f"Story {i}", body=f"Body {i}"),
                key=f"sha256:{i}",
                content_hash=str(i),
                fingerprint=None,
            ).article_id
            store.enqueue_delivery(
                session=session,
                subscription_id=subscription.id,
                chat_id=CHAT,
                article_id=article,
                story_id=article,
                score=0.8,
                reason="",
                now=T0,
            )
        return list(session.scalars(select(AlertDeliveryRow.id).order_by(AlertDeliveryRow.id)))


def _holders(sessions: sessionmaker[Session]) -> dict[int, str | None]:
    with session_scope(sessions) as session:
        rows = session.execute(select(AlertDeliveryRow.id, AlertDeliveryRow.claimed_by))
        return {int(i): by for i, by in rows}


def test_a_killed_bots_claims_go_out_first_a_live_bots_stay_its_own(
    alerts: AlertService, session_factory: sessionmaker[Session], database_url: str
) -> None:
    ids = _queue(session_factory, 6)
    killed = Claimer(database_url, 2)  # the oldest two, then killed while sending them
    live = Claimer(database_url, 2)  # the next two, still running
    try:
        killed.kill()
        me = worker_id()
        items, gone = claim_instant(alerts, me)
        # The killed bot's alerts first (in order), then the queue; the live bot's stay.
        assert [d.id for d, _ in items] == [ids[0], ids[1], ids[4]]
        assert gone == []
        holders = _holders(session_factory)
        assert [holders[i] for i in ids] == [me, me, live.worker, live.worker, me, None]
    finally:
        live.stop()


def test_only_gone_processes_of_this_machine_are_released() -> None:
    me = worker_id()
    machine, pid, _ = me.rsplit(":", 2)
    assert int(pid) == os.getpid()
    gone_pid = _a_pid_that_is_gone()
    holders = [
        f"{machine}:{gone_pid}:aaaa0000",  # gone: released
        f"{machine}:{os.getpid()}:bbbb1111",  # this very process, another sender: alive
        f"{machine}:1:cccc2222",  # init: alive
        f"other-host@{machine.split('@')[1]}:{gone_pid}:dddd3333",  # another machine
        f"{machine.split('@')[0]}:{gone_pid}:eeee4444",  # no pid namespace: unknown machine
        "w1",  # not a worker id at all
        # A host named alike with the same first pid namespace (its inode is the same on
        # every Linux), another boot: another machine, whose pids mean nothing here.
        f"{machine.split('@')[0]}@0123456789abcdef.{machine.rsplit('.', 1)[1]}:{gone_pid}:f0",
    ]
    assert dead_workers(holders, me) == [holders[0]]
    # A worker of unknown machine (an old id) releases nothing.
    assert dead_workers(holders, f"{machine.split('@')[0]}:{os.getpid()}:ffff5555") == []


def _a_pid_that_is_gone() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait(timeout=30)
    return process.pid


def test_a_zombie_counts_as_gone_a_live_process_does_not() -> None:
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert not process_gone(process.pid)
        process.send_signal(signal.SIGKILL)
        # Killed, not reaped yet (a zombie, as under a supervisor that has not looked).
        os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
        assert process_gone(process.pid)
    finally:
        process.wait(timeout=30)
    assert process_gone(process.pid)
    assert not process_gone(os.getpid())
