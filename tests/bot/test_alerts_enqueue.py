"""Queueing matches: one alert per article and per story for a chat, instant before digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.alerts_enqueue import queue_matches
from index import store
from index.schema import AlertDeliveryRow
from index.types import Article, StoredArticle
from retrieval.alert_types import AlertMatch

T0 = datetime(2024, 10, 1, 12, 0, tzinfo=UTC)
CHAT = 4242


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


def _queued(session: Session) -> list[tuple[int, int, int]]:
    rows = session.execute(
        select(
            AlertDeliveryRow.subscription_id, AlertDeliveryRow.article_id, AlertDeliveryRow.story_id
        )
    ).all()
    return sorted((s, a, st) for s, a, st in rows)


def test_an_article_that_leaves_its_story_is_not_alerted_again(session: Session) -> None:
    # A teaser grouped into another article's story is alerted; when its page completes it,
    # it becomes a story of its own and is matched again: the chat had this article already.
    sub = store.add_subscription(session=session, chat_id=CHAT, topic="dam", now=T0)
    other = _article(session, 1)
    teaser = _article(session, 2, story_id=other.id)
    match = AlertMatch(sub.id, teaser.id, 0.7, "The dam report.")
    assert queue_matches(
        session, [match], [sub], {teaser.id: teaser}, now=T0, max_per_run=None
    ) == (1, 0)

    store.set_story(session=session, article_id=teaser.id, story_id=teaser.id)
    completed = store.get_articles(session=session, ids=[teaser.id])[teaser.id]
    later = T0 + timedelta(minutes=10)
    again = queue_matches(
        session, [match], [sub], {teaser.id: completed}, now=later, max_per_run=None
    )

    assert again == (0, 0)
    assert _queued(session) == [(sub.id, teaser.id, other.id)]


def test_an_article_matching_an_instant_and_a_digest_alert_goes_to_the_instant_one(
    session: Session,
) -> None:
    digest = store.add_subscription(session=session, chat_id=CHAT, topic="dam", digest_hours=24)
    instant = store.add_subscription(session=session, chat_id=CHAT, topic="dams", now=T0)
    article = _article(session, 1)
    matches = [
        AlertMatch(digest.id, article.id, 0.9, "The dam report."),  # the digest scores higher
        AlertMatch(instant.id, article.id, 0.6, "The dam report."),
    ]

    queued = queue_matches(
        session, matches, [digest, instant], {article.id: article}, now=T0, max_per_run=None
    )

    assert queued == (1, 0)
    assert _queued(session) == [(instant.id, article.id, article.id)]


def test_of_two_instant_alerts_the_better_match_is_queued(session: Session) -> None:
    first = store.add_subscription(session=session, chat_id=CHAT, topic="dam", now=T0)
    second = store.add_subscription(session=session, chat_id=CHAT, topic="dams", now=T0)
    article = _article(session, 1)
    matches = [
        AlertMatch(first.id, article.id, 0.5, "The dam report."),
        AlertMatch(second.id, article.id, 0.8, "The dam report."),
    ]

    queue_matches(
        session, matches, [first, second], {article.id: article}, now=T0, max_per_run=None
    )

    assert _queued(session) == [(second.id, article.id, article.id)]


def test_a_flooded_instant_alert_leaves_an_article_to_the_digest_that_matches_it(
    session: Session,
) -> None:
    # Instant first must not mean "folded first": a match the flooded instant alert would
    # only count in its summary goes to the chat's digest, where it is read.
    instant = store.add_subscription(session=session, chat_id=CHAT, topic="dam", now=T0)
    digest = store.add_subscription(session=session, chat_id=CHAT, topic="dams", digest_hours=24)
    first, second = _article(session, 1), _article(session, 2)
    matches = [
        AlertMatch(instant.id, first.id, 0.9, "The dam report."),
        AlertMatch(instant.id, second.id, 0.8, "The dam report."),
        AlertMatch(digest.id, second.id, 0.5, "The dam report."),
    ]

    queued = queue_matches(
        session,
        matches,
        [instant, digest],
        {first.id: first, second.id: second},
        now=T0,
        max_per_run=1,
    )

    assert queued == (2, 0)
    assert _queued(session) == sorted(
        [(instant.id, first.id, first.id), (digest.id, second.id, second.id)]
    )
