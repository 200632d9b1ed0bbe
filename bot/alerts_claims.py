"""The database side of alert delivery: claiming queued alerts, recording what became of them.

Claims carry this process's worker id (`worker_id`), so several bot processes never send
one alert twice; a claim left by a crashed process is claimable again after `stale_after`.
A claim of a process of this machine that is gone (`kill -9`) need not wait that long: each
claiming round first puts such claims back (`release_dead`), so a restarted bot sends them
first, in their order. The machine is named by its host name and its pid namespace, so a
process of a container sharing the host name is never taken for one of ours.
Each function is one transaction, run on the alert service's worker thread
(`AlertService.run`); `bot/alerts_jobs.py` sends the claimed alerts and calls back here
with the outcome.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from bot.alerts_service import AlertService
from index import store
from index.db import session_scope
from index.store_chat import move_turns
from index.store_deliveries import (
    existing_deliveries,
    folded_counts,
    move_chat_deliveries,
    move_thread_deliveries,
)
from index.store_delivery_claims import claim_holders, claim_run
from index.store_subscriptions import forget_thread, move_chat_subscriptions
from index.types import DigestBatch, PendingDelivery, StoredArticle

logger = logging.getLogger(__name__)

Item = tuple[PendingDelivery, StoredArticle]
Run = tuple[int, datetime]  # (subscription id, created_at): the alerts of one match run


def _machine() -> str:
    """This machine as claims name it: the host name, and when known (`@`) this boot's id
    and the pid namespace's inode, without which no pid of a claim can be checked here.
    The inode alone does not tell hosts apart (the first namespace has the same one on every
    Linux: two VMs named alike would release each other's live claims); the boot id does,
    and containers of one host share it (their namespaces tell them apart)."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")  # "pid:[4026531836]"
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip().replace("-", "")
    except OSError:
        return socket.gethostname()
    return f"{socket.gethostname()}@{boot[:16]}.{namespace.removeprefix('pid:[').rstrip(']')}"


def worker_id() -> str:
    """This process's name on its claims: machine, pid and a random part."""
    return f"{_machine()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _place(worker: str) -> tuple[str, int] | None:
    """(machine, pid) of a worker id; None for an id not made by `worker_id`."""
    parts = worker.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    return parts[0], int(parts[1])


def process_gone(pid: int) -> bool:
    """Whether no process `pid` runs here (a zombie counts as gone: it runs no code)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists, owned by someone else
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rpartition(")")[2].split()[:1] == ["Z"]
    except OSError:
        return False


def dead_workers(holders: Sequence[str], worker: str) -> list[str]:
    """The holders of claims, among `holders`, that were processes of `worker`'s machine
    and are gone. Never another machine's (their pids mean nothing here), never a live
    process's, never one of a machine whose pid namespace is unknown."""
    mine = _place(worker)
    if mine is None or "@" not in mine[0]:
        return []
    places = {holder: _place(holder) for holder in holders if holder != worker}
    return [
        holder
        for holder, place in places.items()
        if place is not None
        and place[0] == mine[0]
        and place[1] != os.getpid()
        and process_gone(place[1])
    ]


def release_dead(alerts: AlertService, worker: str) -> int:
    """Put back at once the claims of processes of this machine that are gone; how many."""
    with session_scope(alerts.sessions) as session:
        holders = claim_holders(session=session)
        released = {
            holder: store.release_claims(session=session, worker=holder)
            for holder in dead_workers(holders, worker)
        }
    for holder, count in released.items():
        if count:
            logger.info("put back %d alerts claimed by %s, which is gone", count, holder)
    return sum(released.values())


def claim_instant(alerts: AlertService, worker: str) -> tuple[list[Item], list[int]]:
    """Claim pending instant alerts: those with their articles, and the ids of alerts
    whose article is gone. The claims of a dead process of this machine go back in the
    queue first, so that their alerts, older, go first."""
    release_dead(alerts, worker)
    with session_scope(alerts.sessions) as session:
        claimed = store.claim_pending(
            session=session,
            worker=worker,
            limit=alerts.config.batch,
            now=alerts.now(),
            stale_after=alerts.config.stale_after,
        )
    return _with_articles(alerts, claimed)


def run_of(delivery: PendingDelivery) -> Run:
    return delivery.subscription_id, delivery.created_at


def claim_floods(
    alerts: AlertService, worker: str, items: Sequence[Item]
) -> tuple[list[Item], list[int], dict[Run, int]]:
    """For claimed instant alerts: which of their match runs were floods (run -> matches
    folded into its message), the rest of those runs claimed too (with their articles,
    so that one message sends the whole run), and the ids of those whose article is gone."""
    if not items:
        return [], [], {}
    held = {d.id for d, _ in items}
    with session_scope(alerts.sessions) as session:
        folded = folded_counts(session=session, runs=[run_of(d) for d, _ in items])
        more = [
            delivery
            for subscription_id, created_at in sorted(folded)
            for delivery in claim_run(
                session=session,
                worker=worker,
                subscription_id=subscription_id,
                created_at=created_at,
                now=alerts.now(),
                stale_after=alerts.config.stale_after,
            )
            if delivery.id not in held
        ]
    extra, gone = _with_articles(alerts, more)
    return extra, gone, folded


def claim_digests(alerts: AlertService, worker: str) -> list[tuple[DigestBatch, list[Item]]]:
    """Claim the alerts of due digests, with their articles; alerts whose article is gone
    are marked skipped, and digests left empty are dropped."""
    with session_scope(alerts.sessions) as session:
        batches = store.claim_due_digests(
            session=session,
            worker=worker,
            now=alerts.now(),
            stale_after=alerts.config.stale_after,
            limit=alerts.config.digest_batch,
        )
    found = []
    for batch in batches:
        items, gone = _with_articles(alerts, batch.deliveries)
        if gone:
            finish(alerts, skipped=gone)
        if items:
            found.append((batch, items))
    return found


def _with_articles(
    alerts: AlertService, claimed: Sequence[PendingDelivery]
) -> tuple[list[Item], list[int]]:
    """The claimed alerts with their articles; ids of alerts whose article is gone."""
    if not claimed:
        return [], []
    with session_scope(alerts.sessions) as session:
        articles = store.get_articles(session=session, ids=[d.article_id for d in claimed])
    items = [(d, articles[d.article_id]) for d in claimed if d.article_id in articles]
    return items, [d.id for d in claimed if d.article_id not in articles]


def record_sent(
    alerts: AlertService,
    delivery_ids: list[int],
    chat_id: int,
    message_ids: Sequence[int],
    text: str,
    article_id: int | None,
    digest_subscription_id: int | None = None,
) -> None:
    """Mark alerts sent, with a chat turn carrying the article id (so that a reply to the
    alert, to any of its messages, asks about that article); a digest also records when it
    was last sent."""
    now = alerts.now()
    with session_scope(alerts.sessions) as session:
        store.mark_sent(session=session, delivery_ids=delivery_ids, now=now)
        if digest_subscription_id is not None:
            store.mark_digest_sent(session=session, subscription_id=digest_subscription_id, now=now)
        turn = store.add_turn(
            session=session,
            chat_id=chat_id,
            role="assistant",
            text=text,
            article_id=article_id,
            now=now,
        )
        for message_id in message_ids:
            store.set_turn_message_id(session=session, turn_id=turn.id, message_id=message_id)


def chat_blocked(alerts: AlertService, chat_id: int, delivery_ids: list[int]) -> None:
    """The chat blocked the bot: pause its subscriptions, mark these alerts failed."""
    with session_scope(alerts.sessions) as session:
        paused = store.pause_chat_subscriptions(session=session, chat_id=chat_id)
        store.mark_failed(session=session, delivery_ids=delivery_ids)
    logger.info("paused %d subscriptions of chat %s", paused, chat_id)


def finish(
    alerts: AlertService,
    *,
    failed: Sequence[int] = (),
    released: Sequence[int] = (),
    skipped: Sequence[int] = (),
) -> None:
    """Mark alerts failed, put them back in the queue (released), or mark them skipped."""
    with session_scope(alerts.sessions) as session:
        if failed:
            store.mark_failed(session=session, delivery_ids=failed)
        if released:
            store.release_claims(session=session, delivery_ids=released)
        if skipped:
            store.mark_skipped(session=session, delivery_ids=skipped)


def release_worker(alerts: AlertService, worker: str) -> int:
    """Put back every claim of `worker`; returns how many."""
    with session_scope(alerts.sessions) as session:
        return store.release_claims(session=session, worker=worker)


def move_chat(alerts: AlertService, old_chat_id: int, new_chat_id: int) -> int:
    """A group became a supergroup with a new id: its alerts (their numbers, the alerts
    still queued and those sent) and its conversation go with it. Idempotent (Telegram tells
    twice, and a send to the old id tells again); returns how many subscriptions moved."""
    if old_chat_id == new_chat_id:
        return 0
    with session_scope(alerts.sessions) as session:
        moved = move_chat_subscriptions(
            session=session, old_chat_id=old_chat_id, new_chat_id=new_chat_id
        )
        queued = move_chat_deliveries(
            session=session, old_chat_id=old_chat_id, new_chat_id=new_chat_id
        )
        turns = move_turns(session=session, old_chat_id=old_chat_id, new_chat_id=new_chat_id)
    if moved or queued or turns:
        logger.info(
            "chat %s is now %s: moved %d subscriptions, %d alerts, %d turns",
            old_chat_id, new_chat_id, moved, queued, turns,
        )  # fmt: skip
    return moved


def thread_gone(
    alerts: AlertService, chat_id: int, thread_id: int, delivery_ids: Sequence[int] = ()
) -> set[int]:
    """A forum topic was deleted: alerts made in it go to the chat itself from now on, and
    so do the alerts queued for it (and the record of those sent, so the chat itself does
    not get those stories again). Which of `delivery_ids` (the alert being sent) are still
    to go to the chat itself: one whose story the chat has, queued or already sent, was
    dropped by the move, and sending it anyway would give the chat that story twice."""
    with session_scope(alerts.sessions) as session:
        changed = forget_thread(session=session, chat_id=chat_id, thread_id=thread_id)
        move_thread_deliveries(session=session, chat_id=chat_id, thread_id=thread_id)
        kept = existing_deliveries(session=session, ids=delivery_ids)
    logger.info(
        "topic %s of chat %s is gone: %d alerts now go to the chat", thread_id, chat_id, changed
    )
    return kept
