"""Topic subscriptions of chats (what alerts they want, instant or as a digest)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from index.errors import BadInputError
from index.schema import AlertDeliveryRow, AlertNumberRow, SubscriptionRow
from index.store_alert_merge import join_general
from index.store_common import stamp
from index.store_delivery_moves import move_subscription_deliveries
from index.types import Subscription

# Deliveries still waiting to go out; pausing a subscription drops them.
_QUEUED = ("pending", "sending")


def to_subscription(row: SubscriptionRow) -> Subscription:
    return Subscription(
        id=row.id,
        chat_id=row.chat_id,
        topic=row.topic,
        must_words=tuple(row.must_words or ()),
        exclude_words=tuple(row.exclude_words or ()),
        active=row.active,
        digest_hours=row.digest_hours,
        last_digest_at=row.last_digest_at,
        created_at=row.created_at,
        number=row.number,
        thread_id=row.thread_id,
    )


def _check_hours(hours: int | None) -> None:
    if hours is not None and hours <= 0:
        raise BadInputError("The digest interval must be a positive number of hours.")


def _own_row(session: Session, subscription_id: int, chat_id: int) -> SubscriptionRow:
    row = session.get(SubscriptionRow, subscription_id)
    if row is None or row.chat_id != chat_id:
        raise BadInputError(f"There is no subscription #{subscription_id} in this chat.")
    return row


def _next_number(session: Session, chat_id: int) -> int:
    """Give out the chat's next alert number (1 for its first alert): one atomic upsert of
    its counter on SQLite and PostgreSQL, so two bot processes never give out the same."""
    dialect = session.get_bind().dialect.name
    table = AlertNumberRow.__table__
    if dialect in ("sqlite", "postgresql"):
        module = sqlite if dialect == "sqlite" else postgresql
        stmt = (
            module.insert(table)
            .values(chat_id=chat_id, last_number=1)
            .on_conflict_do_update(
                index_elements=[table.c.chat_id], set_={"last_number": table.c.last_number + 1}
            )
            .returning(table.c.last_number)
        )
        return int(session.execute(stmt).scalar_one())
    row = session.get(AlertNumberRow, chat_id, with_for_update=True)
    if row is None:
        row = AlertNumberRow(chat_id=chat_id, last_number=0)
        session.add(row)
    row.last_number += 1
    session.flush()
    return row.last_number


def add_subscription(
    *,
    session: Session,
    chat_id: int,
    topic: str,
    must_words: Sequence[str] = (),
    exclude_words: Sequence[str] = (),
    digest_hours: int | None = None,
    now: datetime | None = None,
    thread_id: int | None = None,
) -> Subscription:
    """Subscribe a chat to a topic (active at once) under the chat's next alert number.
    `digest_hours` None: instant alerts; `thread_id` the forum topic its alerts go to."""
    topic = topic.strip()
    if not topic:
        raise BadInputError("Tell me a topic to follow, e.g. /subscribe electric cars.")
    _check_hours(digest_hours)
    row = SubscriptionRow(
        chat_id=chat_id,
        number=_next_number(session, chat_id),
        topic=topic,
        must_words=list(must_words),
        exclude_words=list(exclude_words),
        active=True,
        digest_hours=digest_hours,
        created_at=stamp(now),
        thread_id=thread_id,
    )
    session.add(row)
    session.flush()
    return to_subscription(row)


def list_subscriptions(*, session: Session, chat_id: int) -> list[Subscription]:
    rows = session.scalars(
        select(SubscriptionRow)
        .where(SubscriptionRow.chat_id == chat_id)
        .order_by(SubscriptionRow.number)
    )
    return [to_subscription(row) for row in rows]


def get_subscription(*, session: Session, subscription_id: int, chat_id: int) -> Subscription:
    """The chat's own subscription; another chat's or an unknown id is a BadInputError."""
    return to_subscription(_own_row(session, subscription_id, chat_id))


def numbered_subscription(*, session: Session, chat_id: int, number: int) -> Subscription:
    """The chat's alert `number`; a number the chat does not hold is a BadInputError."""
    row = session.scalars(
        select(SubscriptionRow).where(
            SubscriptionRow.chat_id == chat_id, SubscriptionRow.number == number
        )
    ).first()
    if row is None:
        raise BadInputError(f"There is no alert {number} here. /alerts lists them.")
    return to_subscription(row)


def count_subscriptions(*, session: Session, chat_id: int) -> int:
    """All of the chat's subscriptions, active or paused (for the per-chat limit)."""
    count = session.scalar(
        select(func.count(SubscriptionRow.id)).where(SubscriptionRow.chat_id == chat_id)
    )
    return count or 0


def active_subscriptions(*, session: Session) -> list[Subscription]:
    rows = session.scalars(
        select(SubscriptionRow).where(SubscriptionRow.active.is_(True)).order_by(SubscriptionRow.id)
    )
    return [to_subscription(row) for row in rows]


def _skip_queued(session: Session, *conditions: object) -> int:
    result = session.execute(
        update(AlertDeliveryRow)
        .where(AlertDeliveryRow.status.in_(_QUEUED), *conditions)  # type: ignore[arg-type]
        .values(status="skipped", claimed_by=None, claimed_at=None)
    )
    return result.rowcount


def set_subscription_active(
    *, session: Session, subscription_id: int, chat_id: int, active: bool
) -> Subscription:
    """Pause or resume the chat's own subscription. Pausing drops its queued alerts."""
    row = _own_row(session, subscription_id, chat_id)
    row.active = active
    session.flush()
    if not active:
        _skip_queued(session, AlertDeliveryRow.subscription_id == subscription_id)
    return to_subscription(row)


def remove_subscription(*, session: Session, subscription_id: int, chat_id: int) -> Subscription:
    """Delete the chat's own subscription (its deliveries go with it); returns what it was."""
    row = _own_row(session, subscription_id, chat_id)
    removed = to_subscription(row)
    session.delete(row)
    session.flush()
    return removed


def set_digest(
    *, session: Session, subscription_id: int, chat_id: int, hours: int | None
) -> Subscription:
    """Switch the chat's own subscription to a digest every `hours` (None: instant alerts)."""
    _check_hours(hours)
    row = _own_row(session, subscription_id, chat_id)
    row.digest_hours = hours
    session.flush()
    return to_subscription(row)


def pause_chat_subscriptions(*, session: Session, chat_id: int) -> int:
    """Pause every subscription of a chat (e.g. the bot was blocked); queued alerts dropped.

    Returns how many active subscriptions were paused.
    """
    result = session.execute(
        update(SubscriptionRow)
        .where(SubscriptionRow.chat_id == chat_id, SubscriptionRow.active.is_(True))
        .values(active=False)
    )
    _skip_queued(session, AlertDeliveryRow.chat_id == chat_id)
    return result.rowcount


def set_subscription_thread(
    *, session: Session, subscription_id: int, chat_id: int, thread_id: int | None
) -> Subscription:
    """Send the chat's own subscription's alerts to forum topic `thread_id` (None: the chat);
    its queued alerts go along (`move_subscription_deliveries`), those sent stay."""
    row = _own_row(session, subscription_id, chat_id)
    old, row.thread_id = row.thread_id, thread_id
    session.flush()
    move_subscription_deliveries(
        session=session, subscription_id=row.id, chat_id=chat_id, old=old, new=thread_id
    )
    return to_subscription(row)


def forget_thread(*, session: Session, chat_id: int, thread_id: int) -> int:
    """A forum topic was deleted: the chat's alerts made in it go to the chat itself from
    now on, one General already has merged into General's (`join_general`). Returns how
    many subscriptions changed."""
    return join_general(session=session, chat_id=chat_id, thread_id=thread_id)


def move_chat_subscriptions(*, session: Session, old_chat_id: int, new_chat_id: int) -> int:
    """Give a chat's subscriptions to its new id (a group upgraded to a supergroup) with
    their numbers; a number the new id already holds is replaced by its next one, and the
    new id's counter never goes back. Idempotent: a second call finds nothing to move.
    Returns how many subscriptions moved."""
    rows = session.scalars(
        select(SubscriptionRow)
        .where(SubscriptionRow.chat_id == old_chat_id)
        .order_by(SubscriptionRow.number)
    ).all()
    counters = {
        row.chat_id: row
        for row in session.scalars(
            select(AlertNumberRow).where(AlertNumberRow.chat_id.in_((old_chat_id, new_chat_id)))
        )
    }
    held = set(
        session.scalars(
            select(SubscriptionRow.number).where(SubscriptionRow.chat_id == new_chat_id)
        )
    )
    old_counter = counters.get(old_chat_id)
    last = max(
        [counter.last_number for counter in counters.values()]
        + [row.number for row in rows]
        + list(held)
        + [0]
    )
    for row in rows:
        if row.number in held:
            last += 1
            row.number = last
        held.add(row.number)
        row.chat_id = new_chat_id
        session.flush()  # one by one: (chat_id, number) stays unique at every step
    if old_counter is not None:
        session.delete(old_counter)
        session.flush()
    new_counter = counters.get(new_chat_id)
    if new_counter is None and last:
        session.add(AlertNumberRow(chat_id=new_chat_id, last_number=last))
    elif new_counter is not None:
        new_counter.last_number = last
    session.flush()
    return len(rows)
