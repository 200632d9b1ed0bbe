"""Once per story per destination: each forum topic is a destination of its own, a plain
chat behaves as before, and "one article per destination" holds even when two processes
queue one article under two stories at the same moment (the database refuses the second)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from bot.alerts_enqueue import queue_matches
from index import store
from index.db import session_scope
from index.schema import AlertDeliveryRow
from index.store_subscriptions import set_subscription_thread
from index.types import Article, StoredArticle, Subscription
from retrieval.alert_types import AlertMatch

T0 = datetime(2024, 10, 1, 12, 0, tzinfo=UTC)
FORUM, OTHER = -100_777, 4242
DAMS, FLOODS = 77, 78  # two forum topics


def _article(session: Session, n: int, story_id: int | None = None) -> StoredArticle:
    article_id = store.upsert_article(
        session=session,
        article=Article(title=f"Dam report {n}", body=f"The dam report number {n}."),
        key=f"sha256:{n}",
        content_hash=str(n),
        fingerprint=None,
    ).article_id
    if story_id is not None:
        store.set_story(session=session, article_id=article_id, story_id=story_id)
    return store.get_articles(session=session, ids=[article_id])[article_id]


def _subscribe(
    session: Session, chat_id: int, thread_id: int | None, digest_hours: int | None = None
) -> Subscription:
    made = store.add_subscription(
        session=session, chat_id=chat_id, topic="dam", digest_hours=digest_hours, now=T0
    )
    if thread_id is None:
        return made
    return set_subscription_thread(
        session=session, subscription_id=made.id, chat_id=chat_id, thread_id=thread_id
    )


def _queue(
    session: Session,
    subscriptions: list[Subscription],
    article: StoredArticle,
    max_per_run: int | None = None,
) -> tuple[int, int]:
    matches = [
        AlertMatch(s.id, article.id, 0.9 - i / 10, "dam") for i, s in enumerate(subscriptions)
    ]
    return queue_matches(
        session, matches, subscriptions, {article.id: article}, now=T0, max_per_run=max_per_run
    )


def _rows(session: Session) -> list[tuple[int, int, int, int, str]]:
    d = AlertDeliveryRow
    found = session.execute(
        select(d.chat_id, d.thread_id, d.subscription_id, d.article_id, d.status)
    )
    return sorted(tuple(row) for row in found)  # type: ignore[misc]


def test_two_topics_of_one_forum_each_get_the_article(session: Session) -> None:
    dams, floods = _subscribe(session, FORUM, DAMS), _subscribe(session, FORUM, FLOODS)
    general = _subscribe(session, FORUM, None)  # the forum's General: the chat itself
    article = _article(session, 1)

    assert _queue(session, [dams, floods, general], article) == (3, 0)

    assert _rows(session) == sorted(
        [
            (FORUM, DAMS, dams.id, article.id, "pending"),
            (FORUM, FLOODS, floods.id, article.id, "pending"),
            (FORUM, 0, general.id, article.id, "pending"),
        ]
    )
    claimed = store.claim_pending(
        session=session, worker="w", limit=10, now=T0, stale_after=T0 - T0
    )
    assert sorted(d.thread_id or 0 for d in claimed) == [0, DAMS, FLOODS]


def test_one_topic_gets_a_story_once_whichever_alert_matched(session: Session) -> None:
    first, second = _subscribe(session, FORUM, DAMS), _subscribe(session, FORUM, DAMS)
    article = _article(session, 1)
    copy = _article(session, 2, story_id=article.id)  # another outlet's copy, same story

    assert _queue(session, [first, second], article) == (1, 0)
    assert _queue(session, [second], copy) == (0, 0)
    assert _rows(session) == [(FORUM, DAMS, first.id, article.id, "pending")]


def test_instant_beats_digest_within_a_destination_only(session: Session) -> None:
    digest_here = _subscribe(session, FORUM, DAMS, digest_hours=24)
    instant_here = _subscribe(session, FORUM, DAMS)
    digest_there = _subscribe(session, FORUM, FLOODS, digest_hours=24)
    article = _article(session, 1)

    assert _queue(session, [digest_here, instant_here, digest_there], article) == (2, 0)

    assert _rows(session) == sorted(
        [
            (FORUM, DAMS, instant_here.id, article.id, "pending"),
            (FORUM, FLOODS, digest_there.id, article.id, "pending"),
        ]
    )


def test_a_flood_in_one_topic_does_not_fold_another_topics_alert(session: Session) -> None:
    dams, floods = _subscribe(session, FORUM, DAMS), _subscribe(session, FORUM, FLOODS)
    first, second = _article(session, 1), _article(session, 2)
    matches = [
        AlertMatch(dams.id, first.id, 0.9, "dam"),
        AlertMatch(dams.id, second.id, 0.8, "dam"),  # over the limit: folded
        AlertMatch(floods.id, second.id, 0.5, "dam"),
    ]

    queued = queue_matches(
        session,
        matches,
        [dams, floods],
        {first.id: first, second.id: second},
        now=T0,
        max_per_run=1,
    )

    assert queued == (2, 1)
    assert _rows(session) == sorted(
        [
            (FORUM, DAMS, dams.id, first.id, "pending"),
            (FORUM, DAMS, dams.id, second.id, "folded"),
            (FORUM, FLOODS, floods.id, second.id, "pending"),
        ]
    )


@contextmanager
def _before_first_delivery_insert(session: Session, run: Any) -> Iterator[None]:
    """Run `run()` just before `session` inserts its first delivery: after any read the
    enqueue code makes first, before its write (the interleaving of two processes)."""
    connection = session.connection()
    fired: list[bool] = []

    def hook(*args: Any) -> None:
        statement = str(args[2])
        if not fired and statement.lstrip().upper().startswith("INSERT INTO ALERT_DELIVERIES"):
            fired.append(True)
            run()

    event.listen(connection, "before_cursor_execute", hook)
    try:
        yield
    finally:
        event.remove(connection, "before_cursor_execute", hook)
    assert fired


def test_a_race_to_queue_one_article_under_two_stories_queues_it_once(
    session_factory: sessionmaker[Session],
) -> None:
    # The article's story changed between two processes' runs (a teaser completed from its
    # page): the bot queues it under its old story while a CLI ingest queues it under the
    # new one. Neither sees the other's row before inserting; the unique key decides.
    with session_scope(session_factory) as setup:
        forum = _subscribe(setup, FORUM, DAMS)
        other = _subscribe(setup, OTHER, None)
        old_story = _article(setup, 1)
        article = _article(setup, 2, story_id=old_story.id)
        regrouped = replace(article, story_id=article.id)

    def other_process() -> None:
        with session_scope(session_factory) as cli:
            assert _queue(cli, [forum], regrouped) == (1, 0)

    with session_scope(session_factory) as bot:
        with _before_first_delivery_insert(bot, other_process):
            matches = [
                AlertMatch(forum.id, article.id, 0.9, "dam"),  # first: meets the race
                AlertMatch(other.id, article.id, 0.5, "dam"),
            ]
            queued = queue_matches(
                bot, matches, [forum, other], {article.id: article}, now=T0, max_per_run=None
            )
        assert queued == (1, 0)  # the other chat's alert, no error

    with session_scope(session_factory) as check:
        rows = check.execute(
            select(AlertDeliveryRow.chat_id, AlertDeliveryRow.story_id).order_by(
                AlertDeliveryRow.chat_id
            )
        ).all()
        assert sorted(tuple(r) for r in rows) == sorted(
            [(FORUM, article.id), (OTHER, old_story.id)]
        )
