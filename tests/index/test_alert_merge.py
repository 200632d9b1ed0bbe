"""A deleted forum topic's alert that General already follows is merged into General's: one
alert remains, with General's settings, and no delivery is lost or doubled on the way."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from index import store
from index.schema import AlertDeliveryRow
from index.store_deliveries import existing_deliveries, move_thread_deliveries
from index.store_subscriptions import forget_thread
from index.types import Article, Subscription

T0 = datetime(2024, 11, 15, 12, 0, tzinfo=UTC)
FORUM = -100_5555
TOPIC, OTHER_TOPIC = 77, 88


def _article(session: Session, slug: str) -> int:
    return store.upsert_article(
        session=session,
        article=Article(title=f"Story {slug}", body=f"Body of {slug}."),
        key=f"sha256:{slug}",
        content_hash=slug,
        fingerprint=None,
    ).article_id


def _alert(session: Session, topic: str, thread_id: int | None, **kw: object) -> Subscription:
    return store.add_subscription(
        session=session, chat_id=FORUM, topic=topic, now=T0, thread_id=thread_id, **kw
    )  # type: ignore[arg-type]


def _queue(session: Session, alert: Subscription, article: int, status: str = "pending") -> None:
    assert store.enqueue_delivery(
        session=session,
        subscription_id=alert.id,
        chat_id=FORUM,
        thread_id=alert.thread_id,
        article_id=article,
        story_id=article,
        score=0.5,
        reason="volcano",
        now=T0,
        status=status,
    )


def _rows(session: Session) -> list[tuple[int, int, int, str]]:
    d = AlertDeliveryRow
    found = session.execute(select(d.subscription_id, d.thread_id, d.article_id, d.status))
    return sorted(tuple(row) for row in found)  # type: ignore[misc]


def _topic_gone(session: Session, thread_id: int = TOPIC) -> int:
    """What `bot/alerts_claims.thread_gone` does, in its order."""
    changed = forget_thread(session=session, chat_id=FORUM, thread_id=thread_id)
    move_thread_deliveries(session=session, chat_id=FORUM, thread_id=thread_id)
    return changed


def test_a_deleted_topics_alert_general_follows_merges_into_generals(session: Session) -> None:
    a, b, c, d, e = (_article(session, slug) for slug in "abcde")
    general = _alert(session, "volcano eruption", None)
    moved = _alert(session, "Volcano  Eruption", TOPIC, digest_hours=6)
    _queue(session, general, a, "sent")
    _queue(session, general, d)  # General's own queue
    _queue(session, moved, b, "sent")  # the topic had it
    _queue(session, moved, c)  # queued for the topic: General has not had it
    _queue(session, moved, a)  # queued for the topic: General has had it
    _queue(session, moved, e, "sending")  # being sent to the topic right now

    assert _topic_gone(session) == 1

    [kept] = store.list_subscriptions(session=session, chat_id=FORUM)
    assert (kept.id, kept.number, kept.thread_id) == (general.id, 1, None)
    assert (kept.active, kept.digest_hours) == (True, None)  # General's settings stay
    assert _rows(session) == sorted(
        [
            (general.id, 0, a, "sent"),
            (general.id, 0, b, "sent"),  # the topic's record: General is not sent it
            (general.id, 0, c, "pending"),
            (general.id, 0, d, "pending"),
            (general.id, 0, e, "sending"),
        ]
    )
    ids = session.scalars(select(AlertDeliveryRow.id).where(AlertDeliveryRow.article_id == e))
    assert existing_deliveries(session=session, ids=list(ids))  # still goes out, to General


def test_generals_alert_stays_when_the_moved_one_is_older(session: Session) -> None:
    moved = _alert(session, "volcano eruption", TOPIC)
    general = _alert(session, "volcano eruption", None, digest_hours=12)
    _queue(session, moved, _article(session, "a"))

    _topic_gone(session)

    [kept] = store.list_subscriptions(session=session, chat_id=FORUM)
    assert (kept.id, kept.number, kept.digest_hours) == (general.id, 2, 12)
    assert [(s, t, status) for s, t, _, status in _rows(session)] == [(general.id, 0, "pending")]
    # Alert 1 is gone for good: the chat's next alert is 3.
    assert _alert(session, "floods", None).number == 3


def test_a_paused_generals_alert_stays_paused_and_skips_what_the_topic_had_queued(
    session: Session,
) -> None:
    a, b = _article(session, "a"), _article(session, "b")
    general = _alert(session, "volcano eruption", None)
    store.set_subscription_active(
        session=session, subscription_id=general.id, chat_id=FORUM, active=False
    )
    moved = _alert(session, "volcano eruption", TOPIC)
    _queue(session, moved, a)
    _queue(session, moved, b, "sending")

    _topic_gone(session)

    [kept] = store.list_subscriptions(session=session, chat_id=FORUM)
    assert (kept.id, kept.active) == (general.id, False)
    assert _rows(session) == [(general.id, 0, a, "skipped"), (general.id, 0, b, "skipped")]
    ids = session.scalars(select(AlertDeliveryRow.id)).all()
    assert existing_deliveries(session=session, ids=ids) == set()  # none goes to General


def test_alerts_that_differ_are_not_merged(session: Session) -> None:
    _alert(session, "volcano eruption", None)
    _alert(session, "volcano eruption", TOPIC, must_words=["Iceland"])
    _alert(session, "volcano", TOPIC)
    other = _alert(session, "volcano eruption", OTHER_TOPIC)

    assert _topic_gone(session) == 2

    listed = store.list_subscriptions(session=session, chat_id=FORUM)
    assert [(s.number, s.thread_id) for s in listed] == [(1, None), (2, None), (3, None), (4, 88)]
    assert listed[3].id == other.id  # another topic's alert is not touched


def test_two_alike_alerts_of_the_topic_become_one_in_general(session: Session) -> None:
    # Made before the duplicate check was per destination (or by two processes at once).
    first = _alert(session, "volcano eruption", TOPIC)
    second = _alert(session, "volcano eruption", TOPIC)
    _queue(session, second, _article(session, "a"))

    assert _topic_gone(session) == 2

    [kept] = store.list_subscriptions(session=session, chat_id=FORUM)
    assert (kept.id, kept.thread_id) == (first.id, None)
    assert [(s, t, status) for s, t, _, status in _rows(session)] == [(first.id, 0, "pending")]
