"""The sender's side of alert deliveries: claiming queued alerts row by row, and settling them.

A delivery is `pending` until a worker claims it (`sending`, with `claimed_by`/`claimed_at`),
then `sent`, `failed` or `skipped`. A claim older than `stale_after` is claimable again, so
a worker that crashed mid-send never loses an alert (at-least-once delivery). On PostgreSQL
the claim locks rows with FOR UPDATE SKIP LOCKED; SQLite serialises writers, so a single
UPDATE ... RETURNING is already atomic. The queue itself is in `index/store_deliveries.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from index.schema import AlertDeliveryRow, SubscriptionRow
from index.store_common import as_utc, batched, unique_ints
from index.store_subscriptions import to_subscription
from index.types import DigestBatch, PendingDelivery

_DELIVERIES = AlertDeliveryRow.__table__
_D = _DELIVERIES.c
_S = SubscriptionRow.__table__.c
Condition = ColumnElement[bool]


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


def claim_holders(*, session: Session) -> list[str]:
    """The workers holding claims (alerts being sent), each once."""
    sending = select(_D.claimed_by).where(_D.status == "sending").distinct()
    return [holder for holder in session.scalars(sending) if holder]
