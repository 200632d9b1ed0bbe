"""Alert deliveries: the queue of (chat, topic, story) alerts, and lookups over it.

A match queues a delivery (`enqueue_delivery`); the unique keys (a destination's story, its
article) make queueing one twice a quiet no-op. Senders claim and settle deliveries
in `index/store_delivery_claims.py`. The lookups here serve the sender (a flood's folded
count, which claimed alerts still exist), /stats, and same-event detection (`alerted_articles`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from index.schema import AlertDeliveryRow, ArticleRow
from index.store_common import as_utc, batched, stamp, start_of_day, unique_ints

# Re-exported: the moves were first defined here.
from index.store_delivery_moves import NO_THREAD as NO_THREAD
from index.store_delivery_moves import move_chat_deliveries as move_chat_deliveries
from index.store_delivery_moves import move_thread_deliveries as move_thread_deliveries

_DELIVERIES = AlertDeliveryRow.__table__
_D = _DELIVERIES.c
FOLDED = "folded"  # counted in a flood's summary message only (see `enqueue_delivery`)
_TO_SEND = ("pending", "sending")


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
