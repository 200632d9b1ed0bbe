"""Alert deliveries: a queue of (chat, topic, story) alerts, claimed row by row by senders.

A delivery is `pending` until a worker claims it (`sending`, with `claimed_by`/`claimed_at`),
then `sent`, `failed` or `skipped`. A claim older than `stale_after` is claimable again, so
a worker that crashed mid-send never loses an alert (at-least-once delivery). On PostgreSQL
the claim locks rows with FOR UPDATE SKIP LOCKED; SQLite serialises writers, so a single
UPDATE ... RETURNING is already atomic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from index.schema import AlertDeliveryRow, ArticleRow, SubscriptionRow
from index.store_common import as_utc, batched, stamp, start_of_day, unique_ints

# Re-exported: the moves were first defined here.
from index.store_delivery_moves import NO_THREAD as NO_THREAD
from index.store_delivery_moves import move_chat_deliveries as move_chat_deliveries
from index.store_delivery_moves import move_thread_deliveries as move_thread_deliveries
from index.store_subscriptions import to_subscription
from index.types import DigestBatch, PendingDelivery

_DELIVERIES = AlertDeliveryRow.__table__
_D = _DELIVERIES.c
_S = SubscriptionRow.__table__.c
FOLDED = "folded"  # counted in a flood's summary message only (see `enqueue_delivery`)
_TO_SEND = ("pending", "sending")
Condition = ColumnElement[bool]


def enqueue_delivery(
    *,
    session: Session,
    subscription_id: int,
    chat_id: int,
    article_id: int,
    story_id: int,
    score: float,
    reason: str,
    now: datetime | None = None,
    status: str = "pending",
    thread_id: int | None = None,
) -> bool:
    """Queue an alert for the chat, in forum topic `thread_id` (None: the chat itself); False
    when this destination has (or had) this story, or this article (a teaser completed from
    its page leaves the story it was grouped into, and is not alerted again). The unique keys
    decide, not a read first: a process queueing the same at once is refused quietly too.

    `status` FOLDED records a match of a flooded run that is only counted in the run's
    summary message (`folded_counts`), never sent on its own: the chat "had" the story."""
    # No topic: left to the column's default (NO_THREAD), as databases before 0008 lack it.
    values = {
        "subscription_id": subscription_id, "chat_id": chat_id, "article_id": article_id,
        "story_id": story_id, "score": float(score), "reason": reason, "status": status,
        "created_at": stamp(now), **({"thread_id": thread_id} if thread_id else {}),
    }  # fmt: skip
    if (dialect := session.get_bind().dialect.name) in ("sqlite", "postgresql"):
        module = sqlite if dialect == "sqlite" else postgresql
        # No conflict target: a clash with either unique key is skipped (DO NOTHING).
        stmt = module.insert(_DELIVERIES).values(values).on_conflict_do_nothing()
        return session.execute(stmt.returning(_D.id)).first() is not None
    try:
        with session.begin_nested():
            session.execute(insert(_DELIVERIES).values(values))
    except IntegrityError:
        return False
    return True


def _claimable(now: datetime, stale_after: timedelta) -> Condition:
    return or_(
        _D.status == "pending",
        and_(_D.status == "sending", _D.claimed_at < as_utc(now) - stale_after),
    )


def _claim(
    session: Session, worker: str, now: datetime, limit: int, conditions: Sequence[Condition]
) -> list[int]:
    dialect = session.get_bind().dialect
    eligible = (
        select(_D.id)
        .join(SubscriptionRow.__table__, _S.id == _D.subscription_id)
        .where(*conditions)
    )
    pick = eligible.order_by(_D.id).limit(limit)
    if dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True, of=_DELIVERIES)
    claim = update(_DELIVERIES).values(status="sending", claimed_by=worker, claimed_at=now)
    if dialect.update_returning:
        rows = session.execute(claim.where(_D.id.in_(pick)).returning(_D.id)).scalars().all()
        return sorted(rows)
    # No RETURNING: claim by re-checking the conditions, then read back what we own.
    candidates = session.scalars(pick).all()
    if not candidates:
        return []
    session.execute(claim.where(_D.id.in_(candidates), _D.id.in_(eligible)))
    owned = select(_D.id).where(
        _D.id.in_(candidates), _D.claimed_by == worker, _D.claimed_at == now
    )
    return sorted(session.scalars(owned).all())


def _load(session: Session, ids: Sequence[int]) -> list[PendingDelivery]:
    found: list[PendingDelivery] = []
    for batch in batched(ids):
        rows = session.execute(
            select(
                _D.id, _D.subscription_id, _D.chat_id, _D.article_id, _D.story_id,
                _D.score, _D.reason, _S.topic, _D.created_at, _S.thread_id,
            )
            .join(SubscriptionRow.__table__, _S.id == _D.subscription_id)
            .where(_D.id.in_(batch))
            .order_by(_D.id)
        )  # fmt: skip
        found.extend(PendingDelivery(*row) for row in rows)
    return found


def claim_pending(
    *, session: Session, worker: str, limit: int, now: datetime, stale_after: timedelta
) -> list[PendingDelivery]:
    """Claim up to `limit` instant alerts (oldest first) of active subscriptions for `worker`.

    Commit right after claiming and send outside that transaction; then `mark_sent`,
    `mark_failed` (permanent error) or `release_claims` (transient error) in a new one.
    """
    now = as_utc(now)
    conditions = [_claimable(now, stale_after), _S.active.is_(True), _S.digest_hours.is_(None)]
    return _load(session, _claim(session, worker, now, limit, conditions))


def claim_due_digests(
    *,
    session: Session,
    worker: str,
    now: datetime,
    stale_after: timedelta,
    limit: int = 100,
) -> list[DigestBatch]:
    """Claim the queued alerts of every digest subscription that is due, one batch each.

    A digest is due when `digest_hours` have passed since the last one was sent (or since
    the subscription was made): at most one digest message per interval. Call
    `mark_digest_sent` once the message is out.
    """
    now = as_utc(now)
    waiting = select(_D.subscription_id).where(_claimable(now, stale_after)).distinct()
    subscriptions = session.scalars(
        select(SubscriptionRow)
        .where(
            SubscriptionRow.active.is_(True),
            SubscriptionRow.digest_hours.is_not(None),
            SubscriptionRow.id.in_(waiting),
        )
        .order_by(SubscriptionRow.id)
    ).all()
    batches: list[DigestBatch] = []
    for row in subscriptions:
        since = row.last_digest_at or row.created_at
        if since + timedelta(hours=row.digest_hours or 0) > now:
            continue
        conditions = [_claimable(now, stale_after), _D.subscription_id == row.id]
        claimed = _load(session, _claim(session, worker, now, limit, conditions))
        if claimed:
            batches.append(DigestBatch(to_subscription(row), tuple(claimed)))
    return batches


def mark_digest_sent(*, session: Session, subscription_id: int, now: datetime) -> None:
    session.execute(
        update(SubscriptionRow.__table__)
        .where(_S.id == subscription_id)
        .values(last_digest_at=as_utc(now))
    )


def _set_status(session: Session, ids: Iterable[int], **values: object) -> int:
    changed = 0
    for batch in batched(unique_ints(ids)):
        result = session.execute(update(_DELIVERIES).where(_D.id.in_(batch)).values(**values))
        changed += result.rowcount
    return changed


def mark_sent(*, session: Session, delivery_ids: Iterable[int], now: datetime) -> int:
    return _set_status(session, delivery_ids, status="sent", sent_at=as_utc(now))


def mark_failed(*, session: Session, delivery_ids: Iterable[int]) -> int:
    """Give up on these alerts (a permanent error); transient ones should be released."""
    return _set_status(session, delivery_ids, status="failed")


def mark_skipped(*, session: Session, delivery_ids: Iterable[int]) -> int:
    return _set_status(session, delivery_ids, status="skipped")


def release_claims(
    *, session: Session, delivery_ids: Iterable[int] | None = None, worker: str | None = None
) -> int:
    """Put claimed alerts back in the queue: these ids, or all of `worker`'s (on shutdown)."""
    if delivery_ids is None and worker is None:
        raise ValueError("release_claims needs delivery_ids or worker")
    stmt = (
        update(_DELIVERIES)
        .where(_D.status == "sending")
        .values(status="pending", claimed_by=None, claimed_at=None)
    )
    if worker is not None:
        stmt = stmt.where(_D.claimed_by == worker)
    if delivery_ids is None:
        return session.execute(stmt).rowcount
    return sum(
        session.execute(stmt.where(_D.id.in_(batch))).rowcount
        for batch in batched(unique_ints(delivery_ids))
    )


def alerts_delivered_today(*, session: Session, now: datetime) -> int:
    """Alerts sent since midnight of `now`'s day (in `now`'s timezone)."""
    count = session.scalar(
        select(func.count(_D.id)).where(_D.status == "sent", _D.sent_at >= start_of_day(now))
    )
    return count or 0


def folded_counts(
    *, session: Session, runs: Iterable[tuple[int, datetime]]
) -> dict[tuple[int, datetime], int]:
    """(subscription id, created_at) of match runs -> how many of their matches were
    folded (only runs that have some). One match run queues its rows with one created_at."""
    found: dict[tuple[int, datetime], int] = {}
    for subscription_id, created_at in set(runs):
        count = session.scalar(
            select(func.count(_D.id)).where(
                _D.subscription_id == subscription_id,
                _D.created_at == created_at,
                _D.status == FOLDED,
            )
        )
        if count:
            found[(subscription_id, created_at)] = int(count)
    return found


def claim_run(
    *,
    session: Session,
    worker: str,
    subscription_id: int,
    created_at: datetime,
    now: datetime,
    stale_after: timedelta,
    limit: int = 100,
) -> list[PendingDelivery]:
    """Claim the still claimable alerts of one match run of one subscription (the rest of
    a flood, sent as one message with the part already claimed)."""
    conditions = [_claimable(as_utc(now), stale_after), _S.active.is_(True)]
    conditions += [_D.subscription_id == subscription_id, _D.created_at == created_at]
    return _load(session, _claim(session, worker, as_utc(now), limit, conditions))


def existing_deliveries(*, session: Session, ids: Iterable[int]) -> set[int]:
    """Which of these deliveries are still to be sent: they exist (a move drops one its
    destination already has) and are queued or claimed (an alert merged into a paused one
    has its queue skipped, see `index/store_alert_merge.py`)."""
    found: set[int] = set()
    for batch in batched(unique_ints(ids)):
        found.update(
            session.scalars(select(_D.id).where(_D.id.in_(batch), _D.status.in_(_TO_SEND)))
        )
    return found


_HELD = ("pending", "sending", "sent")  # alerts a chat got or is getting (not folded ones)


def alerted_articles(
    *, session: Session, subscription_ids: Iterable[int], published_since: datetime
) -> dict[int, list[tuple[int, datetime]]]:
    """Subscription id -> (article id, publication time) of the alerts it sent, is sending
    or has queued, of articles published since `published_since` (undated ones: indexed
    since), oldest first: what a new article of the same event would repeat."""
    published = func.coalesce(ArticleRow.published_at, ArticleRow.created_at)
    found: dict[int, list[tuple[int, datetime]]] = {}
    for batch in batched(unique_ints(subscription_ids)):
        rows = session.execute(
            select(_D.subscription_id, _D.article_id, published)
            .join(ArticleRow, ArticleRow.id == _D.article_id)
            .where(
                _D.subscription_id.in_(batch),
                _D.status.in_(_HELD),
                published >= as_utc(published_since),
            )
            .order_by(published, _D.id)
        )
        for subscription_id, article_id, when in rows:
            found.setdefault(subscription_id, []).append((article_id, as_utc(when)))
    return found
