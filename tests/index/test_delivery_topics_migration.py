"""Migration 0008: deliveries gain their destination's topic and the (chat, topic, story) and
(chat, topic, article) keys. A database built at 0007 keeps every delivery, queued, claimed,
sent or folded (SQLite rebuilds the table: nothing may cascade, ids must not be reused);
copies of one article in one destination keep the best; downgrading restores (chat, story)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, text
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
from index.schema import Base
from index.types import Article

T0 = datetime(2024, 11, 15, 12, 0, tzinfo=UTC)
NAIVE = T0.replace(tzinfo=None)
CHAT, FORUM = 4242, -100_777
DAMS, FLOODS = 77, 78
STALE = timedelta(minutes=5)


def _subscription(connection: Connection, chat_id: int, number: int, thread: int | None) -> int:
    connection.execute(
        text(
            "INSERT INTO subscriptions (chat_id, number, topic, must_words, exclude_words,"
            " active, created_at, thread_id)"
            " VALUES (:chat, :number, 'dam', '[]', '[]', :on, :at, :thread)"
        ),
        {"chat": chat_id, "number": number, "on": True, "at": NAIVE, "thread": thread},
    )
    return int(connection.execute(text("SELECT MAX(id) FROM subscriptions")).scalar_one())


def _delivery(
    connection: Connection,
    subscription_id: int,
    chat_id: int,
    article_id: int,
    story_id: int,
    status: str,
    claimed_by: str | None = None,
) -> int:
    connection.execute(
        text(
            "INSERT INTO alert_deliveries (subscription_id, chat_id, article_id, story_id,"
            " score, reason, status, claimed_by, claimed_at, created_at, sent_at)"
            " VALUES (:sub, :chat, :article, :story, 0.5, 'dam', :status, :by, :claimed,"
            " :at, :sent)"
        ),
        {
            "sub": subscription_id,
            "chat": chat_id,
            "article": article_id,
            "story": story_id,
            "status": status,
            "by": claimed_by,
            "claimed": NAIVE if claimed_by else None,
            "at": NAIVE,
            "sent": NAIVE if status == "sent" else None,
        },
    )
    return int(connection.execute(text("SELECT MAX(id) FROM alert_deliveries")).scalar_one())


def _deliveries(engine: Engine, *columns: str) -> dict[int, tuple[object, ...]]:
    listed = ", ".join(columns)
    with engine.connect() as connection:
        rows = connection.execute(text(f"SELECT id, {listed} FROM alert_deliveries"))
        return {row[0]: tuple(row[1:]) for row in rows}


def _articles(engine: Engine, n: int) -> list[int]:
    with session_scope(make_session_factory(engine)) as session:
        return [
            store.upsert_article(
                session=session,
                article=Article(title=f"Dam {i}", body=f"Dam report {i}."),
                key=f"sha256:dam{i}",
                content_hash=f"dam{i}",
                fingerprint=None,
            ).article_id
            for i in range(n)
        ]


def _enqueue(session: Session, sub: int, chat: int, thread: int | None, article: int) -> bool:
    return store.enqueue_delivery(
        session=session,
        subscription_id=sub,
        chat_id=chat,
        thread_id=thread,
        article_id=article,
        story_id=article,
        score=0.5,
        reason="dam",
        now=T0,
    )


def test_an_upgrade_from_0007_keeps_every_queued_alert_and_downgrades_back(
    database_url: str,
) -> None:
    command.upgrade(alembic_config(database_url), "0007")
    engine = make_engine(database_url)
    try:
        a1, a2, a3, a4, a5 = _articles(engine, 5)
        with engine.begin() as c:
            plain = _subscription(c, CHAT, 1, None)
            dams = _subscription(c, FORUM, 1, DAMS)
            floods = _subscription(c, FORUM, 2, FLOODS)
            pending = _delivery(c, plain, CHAT, a1, a1, "pending")
            claimed = _delivery(c, dams, FORUM, a1, a1, "sending", claimed_by="w1")
            sent = _delivery(c, floods, FORUM, a2, a2, "sent")
            folded = _delivery(c, dams, FORUM, a3, a3, "folded")
            # Copies of one article in one chat (older code, a teaser that changed story):
            pending_copy_of_sent = _delivery(c, plain, CHAT, a2, a3, "pending")
            sent_copy = _delivery(c, plain, CHAT, a2, a2, "sent")
            earliest = _delivery(c, plain, CHAT, a4, a4, "pending")
            later_copy = _delivery(c, plain, CHAT, a4, a5, "pending")
            newest = _delivery(c, plain, 99, a5, a5, "failed")
            c.execute(text("DELETE FROM alert_deliveries WHERE id = :id"), {"id": newest})
        before = _deliveries(engine, "status", "claimed_by", "subscription_id", "story_id")

        upgrade_database(engine)

        assert current_revision(engine) == head_revision() == "0008"
        after = _deliveries(engine, "status", "claimed_by", "subscription_id", "story_id")
        dropped = {pending_copy_of_sent, later_copy}
        assert after == {k: v for k, v in before.items() if k not in dropped}
        threads = _deliveries(engine, "thread_id")
        assert threads == {
            pending: (0,),
            claimed: (DAMS,),
            sent: (FLOODS,),
            folded: (DAMS,),
            sent_copy: (0,),
            earliest: (0,),
        }
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
            counts = connection.execute(
                text("SELECT (SELECT COUNT(*) FROM subscriptions), (SELECT COUNT(*) FROM articles)")
            ).one()
            assert tuple(counts) == (3, 5)  # nothing cascaded from the rebuild

        with session_scope(make_session_factory(engine)) as session:
            # The queued alert goes out; the claimed one stays its worker's until stale.
            out = store.claim_pending(
                session=session, worker="w2", limit=10, now=T0, stale_after=STALE
            )
            assert [(d.id, d.thread_id) for d in out] == [(pending, None), (earliest, None)]
            later = T0 + 2 * STALE
            stale = store.claim_pending(
                session=session, worker="w3", limit=10, now=later, stale_after=STALE
            )
            assert {d.id: d.thread_id for d in stale}[claimed] == DAMS
            # Topic FLOODS never had story a1: it gets it now; topic DAMS had it.
            assert _enqueue(session, floods, FORUM, FLOODS, a1)
            assert not _enqueue(session, dams, FORUM, DAMS, a1)
            assert not _enqueue(session, plain, CHAT, None, a2)  # sent before, as a copy
        new_id = max(_deliveries(engine, "status"))
        assert new_id > newest  # a deleted row's id is never given again

        command.downgrade(alembic_config(database_url), "0007")
        assert current_revision(engine) == "0007"
        back = _deliveries(engine, "status", "chat_id", "story_id")
        # Story a1 was queued for both topics of the forum: the claimed one stays.
        assert new_id not in back
        assert set(back) == set(after)

        upgrade_database(engine)
        assert current_revision(engine) == "0008"
        assert set(_deliveries(engine, "status")) == set(after)
    finally:
        engine.dispose()


def test_sqlite_rebuild_keeps_autoincrement_and_foreign_keys(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade_database(engine)
        if engine.dialect.name != "sqlite":
            return
        with engine.connect() as connection:
            sql = connection.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'alert_deliveries'")
            ).scalar_one()
            keys = connection.execute(text("PRAGMA foreign_key_list(alert_deliveries)")).all()
        assert "AUTOINCREMENT" in sql.upper()
        assert sorted((k.table, k.on_delete) for k in keys) == [
            ("articles", "CASCADE"),
            ("subscriptions", "CASCADE"),
        ]
    finally:
        engine.dispose()
