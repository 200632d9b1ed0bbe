"""One event, one alert: write-ups of one event by several outlets are alerted once.

Real SQLite, a real FAISS index of chunk vectors, a deterministic hashing embedder: two
write-ups share most of their words, two events on one topic share only the topic's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.alerts_background import background_from
from bot.alerts_enqueue import queue_matches
from bot.alerts_events import SAME_EVENT, ArticleVectors, indexed_vectors
from index import store
from index.embedding import HashingEmbedder
from index.indexing_types import NewChunks
from index.schema import AlertDeliveryRow
from index.store_chunks import replace_chunks
from index.store_deliveries import FOLDED, folded_counts
from index.types import Article, ChunkText, StoredArticle, Subscription
from index.vectors import FaissVectorIndex
from retrieval.alert_types import AlertMatch

T0 = datetime(2022, 10, 4, 6, 0, tzinfo=UTC)
CHAT = 202
EMBEDDER = HashingEmbedder(dimension=512)

LAUNCH = (
    "North Korea fired a ballistic missile over Japan on Tuesday without warning, the first "
    "such launch in five years. Japan issued a rare emergency alert urging residents in "
    "Hokkaido and Aomori to take shelter. The intermediate range missile flew about 4,600 "
    "kilometres before falling into the Pacific Ocean east of Japan."
)
LAUNCH_AGAIN = (  # another outlet's write-up: a few words apart
    "North Korea fired a ballistic missile over Japan on Tuesday without warning, the first "
    "such launch in five years. Japan sent a rare emergency alert urging residents in "
    "Hokkaido and Aomori to take shelter. The intermediate range missile flew about 4,600 "
    "kilometres before it fell into the Pacific Ocean east of Japan."
)
CRUISE = (
    "North Korea tested two long range cruise missiles on Wednesday, state media said. "
    "Leader Kim Jong Un watched the drill near the western port of Nampo, where the "
    "missiles circled for more than two hours over the Yellow Sea. Analysts said the "
    "tests showed progress on tactical nuclear weapons meant for the battlefield."
)


def _article(session: Session, key: str, body: str, published: datetime | None) -> StoredArticle:
    article = Article(title=body.split(".")[0], body=body, source="CNN", published_at=published)
    article_id = store.upsert_article(
        session=session, article=article, key=key, content_hash=key, fingerprint=None
    ).article_id
    store.set_story(session=session, article_id=article_id, story_id=article_id)
    replace_chunks(
        session=session,
        article_id=article_id,
        chunks=[ChunkText(ordinal=0, text=body, embed_text=f"{article.title}\n{body}")],
    )
    return store.get_articles(session=session, ids=[article_id])[article_id]


def _indexed(session: Session, articles: Sequence[StoredArticle]) -> FaissVectorIndex:
    index = FaissVectorIndex(EMBEDDER.dimension, threads=1)
    chunks = store.chunks_for_articles(session=session, article_ids=[a.id for a in articles])
    index.add(
        np.asarray([c.id for c in chunks], dtype=np.int64),
        EMBEDDER.embed([c.text for c in chunks]),
    )
    return index


def _queue(
    session: Session,
    sub: Subscription,
    articles: Sequence[StoredArticle],
    events: ArticleVectors | None,
    *,
    now: datetime = T0,
    max_per_run: int | None = None,
) -> tuple[int, int]:
    matches = [AlertMatch(sub.id, a.id, 0.6 - i / 100, "") for i, a in enumerate(articles)]
    by_id = {a.id: a for a in articles}
    return queue_matches(
        session, matches, [sub], by_id, now=now, max_per_run=max_per_run, events=events
    )


def _statuses(session: Session) -> dict[int, str]:
    rows = session.execute(select(AlertDeliveryRow.article_id, AlertDeliveryRow.status))
    return {int(row[0]): str(row[1]) for row in rows}


def _sub(session: Session, chat_id: int = CHAT, digest_hours: int | None = None) -> Subscription:
    return store.add_subscription(
        session=session,
        chat_id=chat_id,
        topic="North Korea missiles",
        now=T0 - timedelta(days=30),
        digest_hours=digest_hours,
    )


def test_two_write_ups_of_one_event_are_one_alert(session: Session) -> None:
    sub = _sub(session)
    cnn = _article(session, "cnn", LAUNCH, T0)
    usa = _article(session, "usa", LAUNCH_AGAIN, T0 + timedelta(hours=3))
    index = _indexed(session, [cnn, usa])

    assert _queue(session, sub, [cnn, usa], indexed_vectors(lambda: index)) == (1, 1)

    assert _statuses(session) == {cnn.id: "pending", usa.id: SAME_EVENT}
    # Not a flood: the run's single alert is sent as an alert, not as "2 new articles".
    assert folded_counts(session=session, runs=[(sub.id, T0)]) == {}


def test_a_write_up_in_a_later_run_repeats_the_alert_already_sent(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    sub = _sub(session)
    cnn = _article(session, "cnn", LAUNCH, T0)
    index = _indexed(session, [cnn])
    assert _queue(session, sub, [cnn], indexed_vectors(lambda: index)) == (1, 0)
    (delivery,) = session.scalars(select(AlertDeliveryRow.id)).all()
    store.mark_sent(session=session, delivery_ids=[delivery], now=T0)

    later = T0 + timedelta(hours=20)
    usa = _article(session, "usa", LAUNCH_AGAIN, later)
    # The new batch is not in the index yet: its vectors come with it.
    [chunk] = store.chunks_for_articles(session=session, article_ids=[usa.id])
    fresh = NewChunks(
        article_ids=(usa.id,),
        chunk_ids=np.asarray([chunk.id], dtype=np.int64),
        chunk_article_ids=np.asarray([usa.id], dtype=np.int64),
        vectors=EMBEDDER.embed([chunk.text]),
    )

    events = background_from(session_factory, lambda: index).events(fresh)
    assert _queue(session, sub, [usa], events, now=later) == (0, 1)
    assert _statuses(session)[usa.id] == SAME_EVENT


def test_two_events_on_one_topic_the_same_day_are_two_alerts(session: Session) -> None:
    sub = _sub(session)
    launch = _article(session, "launch", LAUNCH, T0)
    cruise = _article(session, "cruise", CRUISE, T0 + timedelta(hours=5))
    index = _indexed(session, [launch, cruise])

    assert _queue(session, sub, [launch, cruise], indexed_vectors(lambda: index)) == (2, 0)


def test_the_same_event_five_days_later_is_news_again(session: Session) -> None:
    sub = _sub(session)
    first = _article(session, "first", LAUNCH, T0)
    again = _article(session, "again", LAUNCH_AGAIN, T0 + timedelta(days=5))
    index = _indexed(session, [first, again])

    assert _queue(session, sub, [first, again], indexed_vectors(lambda: index)) == (2, 0)


def test_another_chat_gets_the_write_up_it_matched(session: Session) -> None:
    # Only what the subscription itself had counts: chat B matched just the second one.
    mine, theirs = _sub(session), _sub(session, chat_id=303)
    cnn = _article(session, "cnn", LAUNCH, T0)
    usa = _article(session, "usa", LAUNCH_AGAIN, T0 + timedelta(hours=3))
    index = _indexed(session, [cnn, usa])
    matches = [AlertMatch(mine.id, cnn.id, 0.7, ""), AlertMatch(theirs.id, usa.id, 0.6, "")]
    events = indexed_vectors(lambda: index)

    queued = queue_matches(
        session,
        matches,
        [mine, theirs],
        {cnn.id: cnn, usa.id: usa},
        now=T0,
        max_per_run=None,
        events=events,
    )

    assert queued == (2, 0)


def test_a_digest_lists_one_event_once(session: Session) -> None:
    sub = _sub(session, digest_hours=24)
    cnn = _article(session, "cnn", LAUNCH, T0)
    usa = _article(session, "usa", LAUNCH_AGAIN, T0 + timedelta(hours=3))
    cruise = _article(session, "cruise", CRUISE, T0 + timedelta(hours=5))
    index = _indexed(session, [cnn, usa, cruise])

    _queue(session, sub, [cnn, usa, cruise], indexed_vectors(lambda: index))

    assert _statuses(session) == {cnn.id: "pending", usa.id: SAME_EVENT, cruise.id: "pending"}


def test_a_repeat_does_not_count_against_a_flood(session: Session) -> None:
    # Two alerts per run: the repeat is not one of them, so both events are sent.
    sub = _sub(session)
    cnn = _article(session, "cnn", LAUNCH, T0)
    usa = _article(session, "usa", LAUNCH_AGAIN, T0 + timedelta(hours=3))
    cruise = _article(session, "cruise", CRUISE, T0 + timedelta(hours=5))
    index = _indexed(session, [cnn, usa, cruise])

    queued = _queue(session, sub, [cnn, usa, cruise], indexed_vectors(lambda: index), max_per_run=2)

    assert queued == (2, 1)
    assert _statuses(session) == {cnn.id: "pending", usa.id: SAME_EVENT, cruise.id: "pending"}
    assert FOLDED not in _statuses(session).values()


def test_without_vectors_every_write_up_is_alerted(session: Session) -> None:
    sub = _sub(session)
    cnn = _article(session, "cnn", LAUNCH, T0)
    usa = _article(session, "usa", LAUNCH_AGAIN, T0 + timedelta(hours=3))

    assert _queue(session, sub, [cnn, usa], indexed_vectors(lambda: None)) == (2, 0)
    assert _queue(session, sub, [cnn, usa], None) == (0, 0)  # had both already


def test_undated_write_ups_are_placed_by_when_they_were_indexed(session: Session) -> None:
    sub = _sub(session)
    cnn = _article(session, "cnn", LAUNCH, None)
    index = _indexed(session, [cnn])
    now = datetime.now(UTC)  # an undated article counts as published when indexed
    assert _queue(session, sub, [cnn], indexed_vectors(lambda: index), now=now) == (1, 0)
    usa = _article(session, "usa", LAUNCH_AGAIN, None)
    index = _indexed(session, [cnn, usa])

    assert _queue(session, sub, [usa], indexed_vectors(lambda: index), now=now) == (0, 1)


def _fresh(session: Session, article: StoredArticle) -> NewChunks:
    [chunk] = store.chunks_for_articles(session=session, article_ids=[article.id])
    return NewChunks(
        article_ids=(article.id,),
        chunk_ids=np.asarray([chunk.id], dtype=np.int64),
        chunk_article_ids=np.asarray([article.id], dtype=np.int64),
        vectors=EMBEDDER.embed([chunk.text]),
    )


def test_the_matcher_of_the_bot_and_the_cli_holds_a_write_up_back(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    # The whole path: the matcher reads article vectors through its background source.
    from bot.alerts_matcher import AlertMatcher

    _sub(session)
    cnn = _article(session, "cnn", LAUNCH, T0)
    session.commit()
    index = _indexed(session, [cnn])
    matcher = AlertMatcher(
        sessions=session_factory,
        embedder=EMBEDDER,
        threshold=0.05,
        corpus_route=False,
        background=background_from(session_factory, lambda: index),
        clock=lambda: T0 + timedelta(hours=4),
        max_age=None,
    )
    assert matcher.match_new(_fresh(session, cnn)) == 1

    usa = _article(session, "usa", LAUNCH_AGAIN, T0 + timedelta(hours=3))
    session.commit()
    assert matcher.match_new(_fresh(session, usa)) == 0
    session.expire_all()
    assert _statuses(session) == {cnn.id: "pending", usa.id: SAME_EVENT}
