"""The subscriptions' topic vectors, and the corpus profiles fitted against a background
(sync core of `bot/alerts_matcher.py`).

Each subscription's topic vectors are embedded once from its phrase (`embed_topic`) and kept
in memory by subscription id; a fresh process embeds them again on start, and a subscription
made by another bot process is embedded on first sight.

Corpus profiles (the corpus route, ALERT_CORPUS_ROUTE) are fitted once per subscription and
background: a subscription added, changed or resumed has its own profile fitted, the others
keep theirs. The background is rebuilt from the newest articles once a day
(`BACKGROUND_MAX_AGE`); when its content changed, every profile is refitted in that one
match (9-13 s at 10,000 subscriptions, on the alerts thread), since a profile is made
of scores of the background's articles.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from bot.alerts_background import BackgroundSource
from index.protocols import Embedder, FloatMatrix
from index.types import Subscription
from retrieval.alert_background import Background
from retrieval.alert_defaults import MIN_BACKGROUND
from retrieval.alerts import AlertTopic, TopicSet, build_topic_set
from retrieval.topic_embedding import embed_topic

log = logging.getLogger(__name__)

BACKGROUND_MAX_AGE = timedelta(hours=24)  # the corpus moves on; refit the topics daily
# ...and sooner when the index grows: once the articles matched since the last build reach
# half of what it holds. A background learnt from the first few hundred articles of a big
# ingest took "Ukraine war" to royals and Oscars (1,304 alerts of 3,767 articles, against
# 42 when learnt from the news being matched). A rebuild refits every profile, so not per batch.
BACKGROUND_REBUILD_GROWTH = 0.5


class SubscriptionTopics:
    """Topic vectors by subscription id, the background, and the topic set built of them."""

    def __init__(
        self,
        *,
        embedder: Embedder,
        corpus_route: bool,
        background: BackgroundSource | None,
        clock: Callable[[], datetime],
    ) -> None:
        self._embedder = embedder
        self._corpus_route = corpus_route
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

    def matched(self, articles: int) -> None:
        """Count new articles matched: the background is rebuilt when the index has grown."""
        self._matched_since_background += articles

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
        if self._background_source is None or not self._corpus_route:
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
