"""Matches queued as deliveries, one per destination and story (one transaction's work).

A destination is a chat, or one forum topic of it (the subscription's `thread_id`): two
topics of one forum each get a story their alerts match. Within one destination, instant
alerts first, then best match first: an article matching an instant alert and a
digest of one chat is sent now rather than hours later in the digest; of two copies of
one story a chat gets the better match (of the same kind); and a flooded
instant subscription keeps its best `max_per_run` matches as alerts while the rest are
recorded as folded (`index/store_deliveries.FOLDED`: the chat "had" them, so they are never
sent later; the sender sends the run as one message that counts them all). Folded matches
are queued after all others: a digest of the chat that matches one gets it, to be read.

With `events`, a match reporting the same event as an article the subscription was
alerted to (or is alerted to in this run, a better match first) within two days is
recorded as `SAME_EVENT`, never sent (`bot/alerts_events.py`): one event, one alert, and
one entry in a digest. Those rows are queued last: only what a subscription itself had
counts, so another alert of the same destination that never had the event still gets the
article, whichever of the two scored higher.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from bot.alerts_events import SAME_EVENT, ArticleVectors, RunEvents
from index import store
from index.store_deliveries import FOLDED
from index.types import StoredArticle, Subscription
from retrieval.alerts import AlertMatch


def queue_matches(
    session: Session,
    matches: Sequence[AlertMatch],
    subscriptions: Sequence[Subscription],
    articles: dict[int, StoredArticle],
    *,
    now: datetime,
    max_per_run: int | None,
    events: ArticleVectors | None = None,
) -> tuple[int, int]:
    """Queue `matches` in `session`; (alerts queued, matches folded, same events included).
    A story or an article the destination already had (or another process queued
    meanwhile) is neither."""
    place_of = {s.id: (s.chat_id, s.thread_id) for s in subscriptions}
    run = None
    if events is not None and matches:
        run = RunEvents(
            session, events, [(m.subscription_id, m.article_id) for m in matches], articles, now=now
        )
    instant = {s.id for s in subscriptions if s.digest_hours is None}
    per_run: dict[int, int] = {}  # subscription id -> alerts queued in this run
    overflow: list[AlertMatch] = []  # folded last: only counted, so a digest match wins
    repeated: list[AlertMatch] = []  # after those: never sent, so any other match wins
    queued = folded = 0
    for match in sorted(matches, key=lambda m: (m.subscription_id not in instant, -m.score)):
        held = per_run.get(match.subscription_id, 0)
        if run is not None and run.repeats(match.subscription_id, match.article_id):
            repeated.append(match)
        elif max_per_run is not None and match.subscription_id in instant and held >= max_per_run:
            overflow.append(match)
        elif _enqueue(session, match, place_of, articles, now, "pending"):
            queued += 1
            per_run[match.subscription_id] = held + 1
            if run is not None:
                run.hold(match.subscription_id, match.article_id)
    for match in overflow:
        folded += _enqueue(session, match, place_of, articles, now, FOLDED)
    for match in repeated:
        folded += _enqueue(session, match, place_of, articles, now, SAME_EVENT)
    return queued, folded


def _enqueue(
    session: Session,
    match: AlertMatch,
    place_of: dict[int, tuple[int, int | None]],
    articles: dict[int, StoredArticle],
    now: datetime,
    status: str,
) -> bool:
    article = articles[match.article_id]
    chat_id, thread_id = place_of[match.subscription_id]
    return store.enqueue_delivery(
        session=session,
        subscription_id=match.subscription_id,
        chat_id=chat_id,
        thread_id=thread_id,
        article_id=match.article_id,
        story_id=article.story_id if article.story_id is not None else article.id,
        score=match.score,
        reason=match.reason,
        now=now,
        status=status,
    )
