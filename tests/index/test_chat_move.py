"""A chat's records move to its new id (a group upgraded to a supergroup), once, with its
alert numbers; and subscriptions remember the forum topic they were made in (migration
0007: alerts from before it have none)."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from index import store
from index.db import (
    alembic_config,
    make_engine,
    make_session_factory,
    session_scope,
    upgrade_database,
)
from index.schema import AlertDeliveryRow, AlertNumberRow, ChatTurnPieceRow
from index.store_chat import move_turns
from index.store_deliveries import move_chat_deliveries
from index.store_subscriptions import (
    forget_thread,
    move_chat_subscriptions,
    set_subscription_thread,
)
from index.types import Article

T0 = datetime(2024, 11, 15, 12, 0, tzinfo=UTC)
OLD, NEW = -4444, -100_4444


def _article(session: Session, slug: str) -> int:
    return store.upsert_article(
        session=session,
        article=Article(title=f"Story {slug}", body=f"Body of {slug}."),
        key=f"sha256:{slug}",
        content_hash=slug,
        fingerprint=None,
    ).article_id


def _queue(session: Session, subscription_id: int, chat_id: int, article_id: int) -> None:
    assert store.enqueue_delivery(
        session=session,
        subscription_id=subscription_id,
        chat_id=chat_id,
        article_id=article_id,
        story_id=article_id,
        score=0.5,
        reason="matched",
        now=T0,
    )


def _move(session: Session) -> tuple[int, int, int]:
    ids = {"session": session, "old_chat_id": OLD, "new_chat_id": NEW}
    return move_chat_subscriptions(**ids), move_chat_deliveries(**ids), move_turns(**ids)


def test_a_chat_moves_with_its_numbers_alerts_and_turns_once(session: Session) -> None:
    add = store.add_subscription
    first = add(session=session, chat_id=OLD, topic="library", now=T0)  # 1
    volcano = add(session=session, chat_id=OLD, topic="volcano", now=T0)  # 2
    store.remove_subscription(session=session, subscription_id=first.id, chat_id=OLD)
    chips = add(session=session, chat_id=OLD, topic="chips", now=T0)  # 3
    # Someone subscribed in the supergroup before the move: it holds number 1... and 2.
    add(session=session, chat_id=NEW, topic="rain", now=T0)
    add(session=session, chat_id=NEW, topic="storms", now=T0)
    lava, chip = _article(session, "lava"), _article(session, "chip")
    _queue(session, volcano.id, OLD, lava)
    _queue(session, chips.id, OLD, chip)
    _queue(session, chips.id, NEW, chip)  # the new id already has this story
    turn = store.add_turn(session=session, chat_id=OLD, role="assistant", text="alert")
    store.set_turn_message_id(session=session, turn_id=turn.id, message_id=5)
    store.set_turn_message_id(session=session, turn_id=turn.id, message_id=6)

    assert _move(session) == (2, 1, 1)
    assert _move(session) == (0, 0, 0)  # told twice: nothing left to move

    assert store.list_subscriptions(session=session, chat_id=OLD) == []
    held = store.list_subscriptions(session=session, chat_id=NEW)
    assert [(s.number, s.topic) for s in held] == [
        (1, "rain"),
        (2, "storms"),
        (3, "chips"),  # kept: the new id did not hold 3
        (4, "volcano"),  # 2 was taken there: the next free number
    ]
    assert session.get(AlertNumberRow, OLD) is None
    assert store.add_subscription(session=session, chat_id=NEW, topic="x", now=T0).number == 5
    rows = session.scalars(select(AlertDeliveryRow).order_by(AlertDeliveryRow.id)).all()
    assert sorted((row.chat_id, row.story_id) for row in rows) == sorted([(NEW, lava), (NEW, chip)])
    [moved] = store.recent_turns(session=session, chat_id=NEW, limit=5)
    assert (moved.text, moved.message_id) == ("alert", None)
    assert session.scalars(select(ChatTurnPieceRow)).all() == []
    # The old group's message 5 is not the supergroup's message 5.
    assert store.turn_by_message(session=session, chat_id=NEW, message_id=5) is None


def test_a_subscription_keeps_its_topic_until_the_topic_is_gone(session: Session) -> None:
    made = store.add_subscription(session=session, chat_id=NEW, topic="volcano", now=T0)
    assert made.thread_id is None
    placed = set_subscription_thread(
        session=session, subscription_id=made.id, chat_id=NEW, thread_id=77
    )
    assert placed.thread_id == 77
    assert store.list_subscriptions(session=session, chat_id=NEW)[0].thread_id == 77
    assert forget_thread(session=session, chat_id=NEW, thread_id=77) == 1
    assert store.list_subscriptions(session=session, chat_id=NEW)[0].thread_id is None


def test_alerts_from_before_topics_upgrade_with_none(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "0006")
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO subscriptions (chat_id, number, topic, must_words,"
                    " exclude_words, active, created_at)"
                    " VALUES (:chat, 1, 'volcano', '[]', '[]', :on, :at)"
                ),
                {"chat": NEW, "on": True, "at": T0.replace(tzinfo=None)},
            )
        with session_scope(make_session_factory(engine)) as session:
            [subscription] = list(session.execute(text("SELECT id FROM subscriptions")))
            _queue(session, subscription[0], NEW, _article(session, "lava"))
        upgrade_database(engine)
        with session_scope(make_session_factory(engine)) as session:
            [held] = store.list_subscriptions(session=session, chat_id=NEW)
            assert (held.topic, held.number, held.thread_id) == ("volcano", 1, None)
            [queued] = store.claim_pending(
                session=session, worker="w", limit=5, now=T0, stale_after=T0 - T0
            )
            assert (queued.topic, queued.thread_id) == ("volcano", None)
    finally:
        engine.dispose()
