"""A deleted forum topic's alerts join the chat itself (General), one alert per phrase.

When a topic is deleted (or closed to the bot) its alerts post in General from then on. One
that General already follows (the same phrase up to case and spacing, the same + and -
words) would be listed twice by /alerts: it is merged into General's instead.

General's alert stays as it is: its number, paused or not, instant or a digest, its digest
clock. The moved alert was set up for a topic that no longer exists, so none of its settings
overrides what General chose for itself, not even a stricter one (a pause or a digest
there says nothing about what General wants). Its deliveries join General's alert: those
queued are sent by it (or skipped, as pausing does, when General's is paused), those sent
stay the record of stories the chat had (`move_thread_deliveries` then gives them to
General, dropping any whose story General has already).
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from index.schema import AlertDeliveryRow, SubscriptionRow

# Deliveries still waiting to go out (claimed ones included): a paused alert drops them.
_QUEUED = ("pending", "sending")
AlertKey = tuple[str, frozenset[str], frozenset[str]]


def alert_key(row: SubscriptionRow) -> AlertKey:
    """What an alert follows: its phrase up to case and spacing, its + and - words."""
    phrase = " ".join(row.topic.lower().split())
    return phrase, frozenset(row.must_words or ()), frozenset(row.exclude_words or ())


def merge_alert(session: Session, *, moved: SubscriptionRow, into: SubscriptionRow) -> None:
    """Fold alert `moved` into `into` (the same chat's): its deliveries become `into`'s,
    queued ones skipped if `into` is paused; then `moved` is deleted (its number is not
    given out again). The deliveries keep their destination."""
    deliveries = AlertDeliveryRow.__table__.c
    if not into.active:
        session.execute(
            update(AlertDeliveryRow.__table__)
            .where(deliveries.subscription_id == moved.id, deliveries.status.in_(_QUEUED))
            .values(status="skipped", claimed_by=None, claimed_at=None)
        )
    session.execute(
        update(AlertDeliveryRow.__table__)
        .where(deliveries.subscription_id == moved.id)
        .values(subscription_id=into.id)
    )
    session.delete(moved)
    session.flush()


def join_general(*, session: Session, chat_id: int, thread_id: int) -> int:
    """Forum topic `thread_id` is gone: its alerts post in the chat itself from now on, each
    merged into an alert General already has for the same (`merge_alert`). Returns how many
    of the topic's alerts changed."""
    rows = session.scalars(
        select(SubscriptionRow)
        .where(SubscriptionRow.chat_id == chat_id, SubscriptionRow.thread_id == thread_id)
        .order_by(SubscriptionRow.number)
    ).all()
    if not rows:
        return 0
    general: dict[AlertKey, SubscriptionRow] = {}
    for row in session.scalars(
        select(SubscriptionRow)
        .where(SubscriptionRow.chat_id == chat_id, SubscriptionRow.thread_id.is_(None))
        .order_by(SubscriptionRow.number.desc())  # the lowest number wins a (legacy) tie
    ):
        general[alert_key(row)] = row
    for row in rows:
        twin = general.get(alert_key(row))
        if twin is None:
            row.thread_id = None
            general[alert_key(row)] = row
        else:
            merge_alert(session, moved=row, into=twin)
    session.flush()
    return len(rows)
