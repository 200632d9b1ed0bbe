"""New articles against every active subscription, and the matches queued (sync core).

Shared by the bot (on its alerts thread) and `newsbot ingest` / `newsbot reindex`. Each
subscription's topic vectors are embedded once from its phrase (`embed_topic`) and kept in
memory by subscription id; a fresh process embeds them again on start. The database is the
source of truth: the active subscriptions are read at every match, so one made by another
bot process is embedded on first sight. The matcher of `retrieval/alerts.py` scores all
new articles against all of them at once; the matches become queued deliveries (one per
chat and story).

Corpus profiles (the corpus route, ALERT_CORPUS_ROUTE) are fitted once per subscription and
background: a subscription added, changed or resumed has its own profile fitted, the others
keep theirs. The background is rebuilt from the newest articles once a day
(`BACKGROUND_MAX_AGE`); when its content changed, every profile is refitted in that one
match (9-13 s at 10,000 subscriptions, on the alerts thread), since a profile is made
of scores of the background's articles.

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
from bot.alerts_unmatched import IndexSource, last_chunks, new_articles, unmatched_chunks
from index import store
from index.db import session_scope
from index.pipeline import NewChunks
from index.protocols import Embedder, FloatMatrix
from index.store_unmatched import clear_unmatched
from index.types import StoredArticle, Subscription
from index.vectors import FaissVectorIndex
from retrieval.alert_background import Background
from retrieval.alert_defaults import MIN_BACKGROUND
from retrieval.alerts import (
    AlertMatch,
    AlertTopic,
    MatchSettings,
    TopicSet,
    build_topic_set,
    match_articles,
)
from retrieval.topic_embedding import embed_topic

if TYPE_CHECKING:  # bot.runtime opens the index with `match_pending`: no import cycle
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

BACKGROUND_MAX_AGE = timedelta(hours=24)  # the corpus moves on; refit the topics daily
# ...and sooner when the index grows: once the articles matched since the last build reach
# half of what it holds. A background learnt from the first few hundred articles of a big
# ingest took "Ukraine war" to royals and Oscars (1,304 alerts of 3,767 articles, against
# 42 when learnt from the news being matched). A rebuild refits every profile, so not per batch.
BACKGROUND_REBUILD_GROWTH = 0.5
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
        self._vectors: dict[int, tuple[str, FloatMatrix]] = {}  # id -> (phrase, parts x d)
        self._background: Background | None = None
        self._background_at: datetime | None = None
        self._matched_since_background = 0  # new articles matched since it was built
        self._topic_set: TopicSet | None = None
        self._topic_key: tuple[object, ...] = ()

    def embed(self, phrase: str) -> FloatMatrix:
        """The topic vectors of a phrase (one unit row per part)."""
        return embed_topic(phrase, self._embedder)

    def remember(self, subscription: Subscription, vectors: FloatMatrix) -> None:
        self._vectors[subscription.id] = (subscription.topic, vectors)

    def forget(self, subscription_id: int) -> None:
        self._vectors.pop(subscription_id, None)

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
        """The matcher's view of these subscriptions, rebuilt only when they (or the
        background) changed; topics not seen yet are embedded first, and only profiles of
        new or changed topics are fitted."""
        for subscription in subscriptions:
            known = self._vectors.get(subscription.id)
            if known is None or known[0] != subscription.topic:
                self.remember(subscription, self.embed(subscription.topic))
        live = {s.id for s in subscriptions}
        for stale in [key for key in self._vectors if key not in live]:
            del self._vectors[stale]  # removed or paused: embedded again if resumed
        background = self._current_background()
        key = (
            id(background),
            tuple((s.id, s.topic, s.must_words, s.exclude_words) for s in subscriptions),
        )
        if self._topic_set is None or key != self._topic_key:
            topics = [
                AlertTopic(
                    subscription_id=s.id,
                    vectors=self._vectors[s.id][1],
                    phrase=s.topic,
                    must_words=s.must_words,
                    exclude_words=s.exclude_words,
                )
                for s in subscriptions
            ]
            self._topic_set = build_topic_set(topics, background, previous=self._topic_set)
            self._topic_key = key
            log.debug(
                "%d subscriptions: %d corpus profiles fitted, the others kept",
                len(topics),
                self._topic_set.fitted.fitted,
            )
        return self._topic_set

    def _current_background(self) -> Background | None:
        if self._background_source is None or not self._settings.corpus_route:
            return None  # direct route only: no background to read or fit against
        now = self._clock()
        held = len(self._background) if self._background is not None else 0
        grown = self._matched_since_background >= BACKGROUND_REBUILD_GROWTH * max(
            held, MIN_BACKGROUND
        )
        if self._background_at is None or now - self._background_at >= BACKGROUND_MAX_AGE or grown:
            # A failed build is retried the next day, or when the index has grown.
            self._background_at = now
            self._matched_since_background = 0
            try:
                self._background = self._background_source()
            except Exception:
                log.exception("building the alert background failed: direct matching only")
                self._background = None
        return self._background

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
            self._matched_since_background += len(set(chunks.article_ids))

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
