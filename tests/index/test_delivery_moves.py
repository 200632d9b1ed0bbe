"""Deliveries that change destination keep "once per story and article per destination": a
group upgraded to a supergroup (its rows keep their topic; the supergroup's own rows win
a clash, by story or by article), and a deleted forum topic (its rows go to the chat)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from index import store
from index.schema import AlertDeliveryRow
from index.store_deliveries import move_chat_deliveries, move_thread_deliveries
from index.types import Article

T0 = datetime(2024, 11, 15, 12, 0, tzinfo=UTC)
OLD, NEW = -4444, -100_4444
TOPIC = 77


def _article(session: Session, slug: str) -> int:
    return store.upsert_article(
        session=session,
        article=Article(title=f"Story {slug}", body=f"Body of {slug}."),
        key=f"sha256:{slug}",
        content_hash=slug,
        fingerprint=None,
    ).article_id


def _queue(
    session: Session, chat_id: int, thread_id: int | None, article_id: int, story_id: int
) -> int:
    sub = store.add_subscription(session=session, chat_id=chat_id, topic="dam", now=T0)
    assert store.enqueue_delivery(
        session=session,
        subscription_id=sub.id,
        chat_id=chat_id,
        thread_id=thread_id,
        article_id=article_id,
        story_id=story_id,
        score=0.5,
        reason="dam",
        now=T0,
    )
    row = session.scalars(select(AlertDeliveryRow).order_by(AlertDeliveryRow.id.desc())).first()
    assert row is not None
    return row.id


def _where(session: Session) -> dict[int, tuple[int, int]]:
    rows = session.execute(
        select(AlertDeliveryRow.id, AlertDeliveryRow.chat_id, AlertDeliveryRow.thread_id)
    )
    return {row_id: (chat_id, thread_id) for row_id, chat_id, thread_id in rows}


def test_a_group_upgrade_keeps_topics_and_drops_only_clashing_rows(session: Session) -> None:
    a, b, c, d = (_article(session, s) for s in "abcd")
    kept = _queue(session, OLD, None, a, a)
    same_story = _queue(session, OLD, None, b, b)
    same_article = _queue(session, OLD, None, c, c)
    elsewhere = _queue(session, OLD, None, d, d)
    new_b = _queue(session, NEW, None, b, b)  # the supergroup had story b already
    new_c = _queue(session, NEW, None, c, 9_999)  # ... and article c, under another story
    in_topic = _queue(session, NEW, TOPIC, d, d)  # a topic is another destination

    assert move_chat_deliveries(session=session, old_chat_id=OLD, new_chat_id=NEW) == 2
    assert move_chat_deliveries(session=session, old_chat_id=OLD, new_chat_id=NEW) == 0

    assert _where(session) == {
        kept: (NEW, 0),
        elsewhere: (NEW, 0),
        new_b: (NEW, 0),
        new_c: (NEW, 0),
        in_topic: (NEW, TOPIC),
    }
    assert same_story not in _where(session)
    assert same_article not in _where(session)


def test_a_deleted_topics_alerts_go_to_the_chat_itself(session: Session) -> None:
    a, b, c = (_article(session, s) for s in "abc")
    moved = _queue(session, NEW, TOPIC, a, a)
    clash = _queue(session, NEW, TOPIC, b, b)
    other_topic = _queue(session, NEW, TOPIC + 1, c, c)
    held = _queue(session, NEW, None, b, b)

    assert move_thread_deliveries(session=session, chat_id=NEW, thread_id=TOPIC) == 1

    assert _where(session) == {moved: (NEW, 0), held: (NEW, 0), other_topic: (NEW, TOPIC + 1)}
    assert clash not in _where(session)
    # The chat itself had story a through the topic: not again.
    sub = store.add_subscription(session=session, chat_id=NEW, topic="dam", now=T0)
    assert not store.enqueue_delivery(
        session=session,
        subscription_id=sub.id,
        chat_id=NEW,
        article_id=a,
        story_id=a,
        score=0.5,
        reason="dam",
    )
