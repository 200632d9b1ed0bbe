"""Same-event folding at enqueue time: which matches repeat an event a subscription had.

An article reporting the same event as one a subscription was alerted to (or is being
alerted to in this run) within `retrieval/same_event.SAME_EVENT_WINDOW` is recorded with
status `SAME_EVENT` instead of being sent: the chat "had" the event. Not FOLDED: folded
rows make their run a flood, sent as one "N new articles" message (`folded_counts`); a
second write-up must not turn three separate alerts into a flood message.

Article vectors are the mean of their chunk vectors, as the index holds them (nothing is
embedded again): on the labelled pairs they tell events apart better than title and lead
(`bench/same_event_pairs.py`). A new batch may not be in the index yet, so its own chunk
vectors (`NewChunks`) come first. This runs where the matcher runs (its worker thread, or
the command line).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime

import numpy as np
from sqlalchemy.orm import Session

from index.indexing_types import NewChunks
from index.protocols import FloatMatrix, VectorIndex
from index.store_chunks import chunk_owners
from index.store_common import as_utc
from index.store_deliveries import alerted_articles
from index.types import StoredArticle
from retrieval.alert_background import article_vectors
from retrieval.same_event import EventMemory, EventSettings

log = logging.getLogger(__name__)

SAME_EVENT = "same_event"  # a delivery status: never sent, counted nowhere, holds the keys
# (session, article ids) -> unit vector of each article found
ArticleVectors = Callable[[Session, Sequence[int]], dict[int, FloatMatrix]]


def indexed_vectors(
    index: Callable[[], VectorIndex | None], fresh: NewChunks | None = None
) -> ArticleVectors:
    """Article vectors: the mean of each article's chunk vectors, from `fresh` (a batch
    being matched) when it holds the article, else from `index()` (read once per call)."""

    def read(session: Session, article_ids: Sequence[int]) -> dict[int, FloatMatrix]:
        wanted = set(article_ids)
        found: dict[int, FloatMatrix] = {}
        if fresh is not None and len(fresh.chunk_ids):
            owners = np.asarray(fresh.chunk_article_ids, dtype=np.int64)
            keep = np.isin(owners, list(wanted))
            if keep.any():
                ids, rows = article_vectors(np.asarray(fresh.vectors)[keep], owners[keep])
                found.update(zip(ids.tolist(), rows, strict=True))
        rest = sorted(wanted - set(found))
        vectors = index() if rest else None
        if vectors is not None:
            chunk_ids, owners = chunk_owners(session=session, article_ids=rest)
            held, rows = vectors.vectors_of(chunk_ids)  # sorted by id, as chunk_ids
            if len(held):
                owner_of = dict(zip(chunk_ids.tolist(), owners.tolist(), strict=True))
                of = np.asarray([owner_of[int(c)] for c in held], dtype=np.int64)
                ids, means = article_vectors(rows, of)
                found.update(zip(ids.tolist(), means, strict=True))
        return found

    return read


def published(article: StoredArticle, fallback: datetime) -> datetime:
    return as_utc(article.published_at) if article.published_at is not None else fallback


class RunEvents:
    """For one queueing run: each subscription's alerted articles (from the store, then
    those queued in this run), and whether a new article repeats one of their events."""

    def __init__(
        self,
        session: Session,
        vectors: ArticleVectors,
        pairs: Sequence[tuple[int, int]],
        articles: dict[int, StoredArticle],
        *,
        now: datetime,
        settings: EventSettings | None = None,
    ) -> None:
        """`pairs`: the run's (subscription id, article id) matches; `articles` holds them."""
        self._settings = settings or EventSettings()
        self._now = as_utc(now)
        self._articles = articles
        self._memories: dict[int, EventMemory] = {}
        times = [published(articles[a], self._now) for _, a in pairs]
        since = (min(times) if times else self._now) - self._settings.window
        held = alerted_articles(
            session=session,
            subscription_ids={s for s, _ in pairs},
            published_since=since,
        )
        # Only a subscription with an alert already, or two matches now, can repeat one.
        count = Counter(s for s, _ in pairs)
        new = {a for s, a in pairs if s in held or count[s] > 1}
        old = {a for rows in held.values() for a, _ in rows}
        self._vectors = vectors(session, sorted(new | old)) if new else {}
        for subscription_id, rows in held.items():
            memory = self._memory(subscription_id)
            for article_id, when in rows:
                if article_id in self._vectors:
                    memory.hold(article_id, self._vectors[article_id], when)
        if missing := new - self._vectors.keys():
            log.debug("%d matched articles without vectors: alerted as they are", len(missing))

    def _memory(self, subscription_id: int) -> EventMemory:
        return self._memories.setdefault(subscription_id, EventMemory(self._settings))

    def repeats(self, subscription_id: int, article_id: int) -> int | None:
        """The article of an event this subscription had that this one reports too."""
        memory = self._memories.get(subscription_id)
        if memory is None or article_id not in self._vectors:
            return None
        when = published(self._articles[article_id], self._now)
        return memory.same_event(self._vectors[article_id], when)

    def hold(self, subscription_id: int, article_id: int) -> None:
        """This run queued the article for the subscription: later ones repeat it."""
        if article_id in self._vectors:
            when = published(self._articles[article_id], self._now)
            self._memory(subscription_id).hold(article_id, self._vectors[article_id], when)
