"""New articles against every active subscription, and the matches queued (sync core).

Shared by the bot (on its alerts thread) and `newsbot ingest` / `newsbot reindex`. The
database is the source of truth: the active subscriptions are read at every match. Their
topic vectors, and the corpus profiles fitted against a background rebuilt daily, are kept
in memory by `bot/alerts_topics.py`. The matcher of `retrieval/alerts.py` scores all new
articles against all of them at once; the matches become queued deliveries (one per chat
and story).

Only news alerts: an article published more than `max_age` before the match (an undated
one: indexed) is matched against nothing (`bot/alerts_freshness.py`), so backfilling an
archive alerts nothing old. A flood is one message (`bot/alerts_enqueue.py`).

Matching is at least once per new or updated article: an ingest that matches records its
articles as unmatched when it stores them (`index/store_unmatched.py`), and `match_new`
marks them matched in the transaction that queues their alerts. Articles a crash (or a
failed match) left unmatched are matched by `match_pending`, a batch at a time, with the
vectors the index already holds; the unique (chat, story) deliveries make a second match
of an article harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from bot.alerts_background import (
    BackgroundSource,
    IndexBackground,
    background_from,
    snapshot_index,
)
from bot.alerts_enqueue import queue_matches
from bot.alerts_freshness import MAX_AGE, fresh_only, max_age
from bot.alerts_topics import SubscriptionTopics
from bot.alerts_unmatched import IndexSource, last_chunks, new_articles, unmatched_chunks
from index import store
from index.db import session_scope
from index.pipeline import NewChunks
from index.protocols import Embedder, FloatMatrix
from index.store_unmatched import clear_unmatched
from index.types import StoredArticle, Subscription
from index.vectors import FaissVectorIndex
from retrieval.alerts import AlertMatch, MatchSettings, TopicSet, match_articles

if TYPE_CHECKING:  # bot.runtime opens the index with `match_pending`: no import cycle
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

MAX_PER_RUN = 10  # ALERT_MAX_PER_RUN


def _utcnow() -> datetime:
    return datetime.now(UTC)


class AlertMatcher:
    """Topic vectors of the subscriptions, and new articles matched and queued."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        embedder: Embedder,
        threshold: float,
        corpus_route: bool = True,
        background: BackgroundSource | None = None,
        clock: Callable[[], datetime] = _utcnow,
        max_age: timedelta | None = MAX_AGE,
        max_per_run: int | None = MAX_PER_RUN,
    ) -> None:
        """`max_age`: None alerts articles of any age; `max_per_run`: None never folds."""
        self._sessions = sessions
        self._max_age = max_age
        self._max_per_run = max_per_run
        self._embedder = embedder
        self._settings = MatchSettings(direct_threshold=threshold, corpus_route=corpus_route)
        self._background_source = background
        self._clock = clock
        self._topics = SubscriptionTopics(
            embedder=embedder, corpus_route=corpus_route, background=background, clock=clock
        )

    def embed(self, phrase: str) -> FloatMatrix:
        """The topic vectors of a phrase (one unit row per part)."""
        return self._topics.embed(phrase)

    def remember(self, subscription: Subscription, vectors: FloatMatrix) -> None:
        self._topics.remember(subscription, vectors)

    def forget(self, subscription_id: int) -> None:
        self._topics.forget(subscription_id)

    def warm(self) -> int:
        """Embed the topics of every active subscription (on start); returns how many."""
        with session_scope(self._sessions) as session:
            subscriptions = store.active_subscriptions(session=session)
        self.topic_set(subscriptions)
        return len(subscriptions)

    def safe_warm(self) -> int:
        try:
            return self.warm()
        except Exception:
            log.exception("preparing the subscription topics failed (retried when matching)")
            return 0

    def topic_set(self, subscriptions: Sequence[Subscription]) -> TopicSet:
        """The matcher's view of these subscriptions (`SubscriptionTopics.topic_set`)."""
        return self._topics.topic_set(subscriptions)

    def match_new(self, chunks: NewChunks) -> int:
        """Score new articles against every active subscription; queue the matches and
        mark the articles matched, in one transaction.

        Returns how many alerts were queued (a story a chat already had is not queued).
        """
        if not chunks.article_ids:
            return 0
        try:
            return self._match(chunks)
        finally:  # counted after matching: the index may not hold this batch yet
            self._topics.matched(len(set(chunks.article_ids)))

    def _match(self, chunks: NewChunks) -> int:
        seen = last_chunks(chunks)
        with session_scope(self._sessions) as session:
            subscriptions = store.active_subscriptions(session=session)
            if not subscriptions:  # matched against none: nothing to queue, now or later
                clear_unmatched(session=session, last_chunk=seen)
                return 0
            articles = fresh_only(
                session,
                store.get_articles(session=session, ids=chunks.article_ids),
                now=self._clock(),
                max_age=self._max_age,
            )
            if not articles:  # old news only (a backfill): stored and searchable, not alerted
                clear_unmatched(session=session, last_chunk=seen)
                return 0
            texts = store.get_chunks(session=session, ids=chunks.chunk_ids.tolist())
        matches = match_articles(
            self.topic_set(subscriptions),
            new_articles(chunks, articles, {i: c.text for i, c in texts.items()}),
            settings=self._settings,
            reason_embedder=self._embedder,
        )
        return self._enqueue(matches, subscriptions, articles, seen, chunks)

    def safe_match_new(self, chunks: NewChunks) -> int:
        """`match_new` for an ingest that must go on when matching fails (logged)."""
        try:
            return self.match_new(chunks)
        except Exception:
            log.exception("matching new articles against subscriptions failed")
            return 0

    def match_pending(self, index: IndexSource) -> int:
        """Match the articles left unmatched (a crash between storing and matching, a
        failed match), a batch at a time, with their vectors from `index()`; returns how
        many alerts were queued."""
        queued = matched = 0
        for chunks in unmatched_chunks(self._sessions, index):
            queued += self.match_new(chunks)
            matched += len(chunks.article_ids)
        if matched:
            log.info("%d articles left unmatched matched: %d alerts queued", matched, queued)
        return queued

    def safe_match_pending(self, index: IndexSource) -> int:
        """`match_pending` for a start-up or an ingest that must go on when it fails."""
        try:
            return self.match_pending(index)
        except Exception:
            log.exception("matching the articles left unmatched failed (retried next run)")
            return 0

    def _enqueue(
        self,
        matches: Sequence[AlertMatch],
        subscriptions: Sequence[Subscription],
        articles: dict[int, StoredArticle],
        seen: dict[int, int],
        chunks: NewChunks,
    ) -> int:
        source = self._background_source
        # Article vectors tell a write-up of an event the destination had (`bot/alerts_events`).
        events = source.events(chunks) if isinstance(source, IndexBackground) else None
        with session_scope(self._sessions) as session:
            queued, folded = queue_matches(
                session,
                matches,
                subscriptions,
                articles,
                now=self._clock(),
                max_per_run=self._max_per_run,
                events=events,
            )
            # With the alerts: a crash before this commit only makes them matched again.
            clear_unmatched(session=session, last_chunk=seen)
        if matches:
            log.info("%d matches: %d alerts queued, %d folded", len(matches), queued, folded)
        return queued


def matcher_for_runtime(
    runtime: Runtime, index: Callable[[], FaissVectorIndex | None] | None = None
) -> AlertMatcher:
    """The matcher of a command-line ingest or re-index (alerts are queued, a bot sends
    them). `index` gives the vectors of the background; default: the live snapshot."""
    embedder = runtime.embedder
    settings = runtime.settings
    source = index or snapshot_index(runtime.index_dir, embedder)
    return AlertMatcher(
        sessions=runtime.sessions,
        embedder=embedder,
        threshold=settings.alert_threshold,
        corpus_route=settings.alert_corpus_route,
        background=background_from(runtime.sessions, source),
        max_age=max_age(settings.alert_max_age_hours),
        max_per_run=settings.alert_max_per_run,
    )
