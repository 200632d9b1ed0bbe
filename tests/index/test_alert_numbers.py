"""Each chat numbers its alerts 1, 2, 3...: never reused in the chat, kept across restarts,
and a database from before per-chat numbers upgrades with its alerts and their numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.orm import Session

from index import store
from index.db import (
    alembic_config,
    current_revision,
    head_revision,
    make_engine,
    make_session_factory,
    session_scope,
    upgrade_database,
)
from index.errors import BadInputError
from index.store_subscriptions import numbered_subscription
from index.types import Article

T0 = datetime(2024, 11, 15, 12, 0, tzinfo=UTC)
ALICE, BOB, GROUP = 11, 22, -1_001_234_567_890


def _add(session: Session, chat_id: int, topic: str) -> int:
    return store.add_subscription(session=session, chat_id=chat_id, topic=topic, now=T0).number


def _numbers(session: Session, chat_id: int) -> list[int]:
    return [s.number for s in store.list_subscriptions(session=session, chat_id=chat_id)]


def test_each_chat_counts_from_one_and_never_reuses_a_number(session: Session) -> None:
    assert [_add(session, ALICE, "volcano"), _add(session, ALICE, "chips")] == [1, 2]
    assert _add(session, BOB, "football") == 1  # not 3: Bob's own first alert
    assert _add(session, GROUP, "rain") == 1
    assert _add(session, ALICE, "rain") == 3

    chips = numbered_subscription(session=session, chat_id=ALICE, number=2)
    assert chips.topic == "chips"
    store.remove_subscription(session=session, subscription_id=chips.id, chat_id=ALICE)
    last = numbered_subscription(session=session, chat_id=ALICE, number=3)
    store.remove_subscription(session=session, subscription_id=last.id, chat_id=ALICE)
    assert _add(session, ALICE, "storms") == 4  # 2 and 3 are gone, and stay unused
    assert _numbers(session, ALICE) == [1, 4]
    assert _numbers(session, BOB) == [1]

    # A number the chat does not hold, another chat's included, is refused.
    for chat_id, number in ((ALICE, 2), (BOB, 4), (77, 1)):
        with pytest.raises(BadInputError, match=f"There is no alert {number} here"):
            numbered_subscription(session=session, chat_id=chat_id, number=number)


def test_numbers_continue_after_a_restart(database_url: str) -> None:
    for expected in (1, 2):  # each round a new engine, as a new process would open
        engine = make_engine(database_url)
        try:
            upgrade_database(engine)
            with session_scope(make_session_factory(engine)) as session:
                assert _add(session, GROUP, f"topic {expected}") == expected
        finally:
            engine.dispose()


def test_an_upgraded_database_keeps_its_alerts_their_numbers_and_queued_alerts(
    database_url: str,
) -> None:
    command.upgrade(alembic_config(database_url), "0005")
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) == "0005"
        with engine.begin() as connection:
            for chat_id, topic in ((ALICE, "volcano"), (ALICE, "chips"), (BOB, "rain")):
                connection.execute(
                    text(
                        "INSERT INTO subscriptions (chat_id, topic, must_words, exclude_words,"
                        " active, created_at) VALUES (:chat, :topic, '[]', '[]', :on, :at)"
                    ),
                    {"chat": chat_id, "topic": topic, "on": True, "at": T0.replace(tzinfo=None)},
                )
            connection.execute(
                text(
                    "INSERT INTO subscriptions (chat_id, topic, must_words, exclude_words,"
                    " active, created_at) VALUES (:chat, 'gone', '[]', '[]', :on, :at)"
                ),
                {"chat": ALICE, "on": True, "at": T0.replace(tzinfo=None)},
            )
            ids = dict(connection.execute(text("SELECT topic, id FROM subscriptions")).all())
            # Alice removed her newest alert before the upgrade: its number stays unused.
            connection.execute(text("DELETE FROM subscriptions WHERE topic = 'gone'"))
        with session_scope(make_session_factory(engine)) as session:
            article_id = store.upsert_article(
                session=session,
                article=Article(title="Volcano erupts", body="Lava reached the road."),
                key="sha256:volcano",
                content_hash="volcano",
                fingerprint=None,
            ).article_id
            assert store.enqueue_delivery(
                session=session,
                subscription_id=ids["volcano"],
                chat_id=ALICE,
                article_id=article_id,
                story_id=article_id,
                score=0.7,
                reason="It matched.",
                now=T0,
            )

        upgrade_database(engine)
        assert current_revision(engine) == head_revision()

        with session_scope(make_session_factory(engine)) as session:
            # The alerts keep the numbers their chats know them by.
            alices = store.list_subscriptions(session=session, chat_id=ALICE)
            assert [(s.topic, s.number) for s in alices] == [
                ("volcano", ids["volcano"]),
                ("chips", ids["chips"]),
            ]
            [bobs] = store.list_subscriptions(session=session, chat_id=BOB)
            assert (bobs.topic, bobs.number) == ("rain", ids["rain"])
            # The queued alert survived the upgrade and goes out as before.
            claimed = store.claim_pending(
                session=session, worker="w", limit=10, now=T0, stale_after=timedelta(minutes=5)
            )
            assert [(d.subscription_id, d.topic) for d in claimed] == [(ids["volcano"], "volcano")]

            # A chat with alerts continues past every number given out (the removed one
            # included); a new chat starts at 1.
            assert _add(session, ALICE, "storms") == ids["gone"] + 1
            assert _add(session, BOB, "football") == ids["gone"] + 1
            assert _add(session, GROUP, "elections") == 1
    finally:
        engine.dispose()
