"""An alert moved to another forum topic takes its queued alerts along (they will be sent
there, so there they count), and leaves those it sent as the old topic's record."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from index import store
from index.schema import AlertDeliveryRow
from index.store_subscriptions import set_subscription_thread
from index.types import Article

T0 = datetime(2024, 11, 15, 12, 0, tzinfo=UTC)
FORUM = -100_4444
DAMS, FLOODS = 77, 88


def _article(session: Session, slug: str) -> int:
    return store.upsert_article(
        session=session,
        article=Article(title=f"Story {slug}", body=f"Body of {slug}."),
        key=f"sha256:{slug}",
        content_hash=slug,
        fingerprint=None,
    ).article_id


def _subscribe(session: Session, thread_id: int | None) -> int:
    made = store.add_subscription(
        session=session, chat_id=FORUM, topic="dam", now=T0, thread_id=thread_id
    )
    return made.id


def _queue(session: Session, subscription_id: int, thread_id: int | None, article: int) -> bool:
    return store.enqueue_delivery(
        session=session,
        subscription_id=subscription_id,
        chat_id=FORUM,
        thread_id=thread_id,
        article_id=article,
        story_id=article,
        score=0.5,
        reason="dam",
        now=T0,
    )


def _rows(session: Session) -> list[tuple[int, int, int, str]]:
    d = AlertDeliveryRow
    found = session.execute(select(d.subscription_id, d.thread_id, d.article_id, d.status))
    return sorted(tuple(row) for row in found)  # type: ignore[misc]


def test_moving_an_alert_takes_its_queued_alerts_and_leaves_the_sent(session: Session) -> None:
    a, b, c = (_article(session, s) for s in "abc")
    alert = _subscribe(session, DAMS)
    neighbour = _subscribe(session, FLOODS)  # another alert, already in the new topic
    assert _queue(session, alert, DAMS, a)
    assert _queue(session, alert, DAMS, b)
    assert _queue(session, alert, DAMS, c)
    assert _queue(session, neighbour, FLOODS, c)  # the new topic has story c queued
    [sent] = session.scalars(
        select(AlertDeliveryRow.id).where(AlertDeliveryRow.article_id == a)
    ).all()
    store.mark_sent(session=session, delivery_ids=[sent], now=T0)

    moved = set_subscription_thread(
        session=session, subscription_id=alert, chat_id=FORUM, thread_id=FLOODS
    )

    assert moved.thread_id == FLOODS
    assert _rows(session) == sorted(
        [
            (alert, DAMS, a, "sent"),  # what the old topic had stays its record
            (alert, FLOODS, b, "pending"),  # will be sent to the new topic: counts there
            (neighbour, FLOODS, c, "pending"),  # the new topic gets story c once
        ]
    )
    # Story b is the new topic's now: the neighbour alert does not queue it a second time;
    # the old topic may still get it from an alert that posts there.
    assert not _queue(session, neighbour, FLOODS, b)
    assert _queue(session, _subscribe(session, DAMS), DAMS, b)


def test_moving_an_alert_to_general_and_back(session: Session) -> None:
    a = _article(session, "a")
    alert = _subscribe(session, DAMS)
    assert _queue(session, alert, DAMS, a)

    set_subscription_thread(session=session, subscription_id=alert, chat_id=FORUM, thread_id=None)
    assert _rows(session) == [(alert, 0, a, "pending")]
    set_subscription_thread(session=session, subscription_id=alert, chat_id=FORUM, thread_id=DAMS)
    assert _rows(session) == [(alert, DAMS, a, "pending")]
