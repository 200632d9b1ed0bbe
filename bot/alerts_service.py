"""Topic alerts in the bot: subscriptions by command, new articles matched as they come.

`AlertService` is the bot's async face of `AlertMatcher` (bot/alerts_matcher.py) and of the
subscription store: every embedding and database call runs on one owned worker thread,
never on the event loop. `on_new_articles` is the admin service's hook (re-index, feed
polls, /ingest); `newsbot ingest` matches with an `AlertMatcher` of its own.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from bot.alerts_background import BackgroundSource
from bot.alerts_freshness import MAX_AGE
from bot.alerts_matcher import MAX_PER_RUN, AlertMatcher
from index import store
from index.db import session_scope
from index.errors import BadInputError
from index.pipeline import NewChunks
from index.protocols import Embedder
from index.store_subscriptions import numbered_subscription
from index.tokenize import tokenize
from index.types import Subscription
from retrieval.alert_defaults import DIRECT_THRESHOLD
from retrieval.topics import USAGE as TOPIC_USAGE
from retrieval.topics import TopicQuery, parse_topic

log = logging.getLogger(__name__)
T = TypeVar("T")


def _utcnow() -> datetime:
    return datetime.now(UTC)


def same_topic(held: Subscription, topic: TopicQuery) -> bool:
    """The same alert asked for twice: phrase equal up to case and spacing, same filters."""
    return (
        " ".join(held.topic.lower().split()) == " ".join(topic.phrase.lower().split())
        and set(held.must_words) == set(topic.must_words)
        and set(held.exclude_words) == set(topic.exclude_words)
    )


_ACRONYM = re.compile(r"\b[^\W\d_]{2,}\b")


def has_topic_words(phrase: str) -> bool:
    """A content word, or an acronym written in capitals: "WHO" and "IT" are topics even
    though "who" and "it" are stop words."""
    if tokenize(phrase):
        return True
    return any(word.isupper() for word in _ACRONYM.findall(phrase))


@dataclass(frozen=True)
class AlertsConfig:
    threshold: float = DIRECT_THRESHOLD  # ALERT_THRESHOLD
    corpus_route: bool = True  # ALERT_CORPUS_ROUTE: off = direct route only
    max_per_chat: int = 20  # MAX_SUBSCRIPTIONS_PER_CHAT
    delivery_seconds: float = 3.0  # how often queued alerts are sent
    batch: int = 20  # alerts claimed per delivery round
    digest_batch: int = 30  # matches gathered into one digest at most
    stale_after: timedelta = timedelta(minutes=5)  # a claim this old is claimable again
    max_age: timedelta | None = MAX_AGE  # ALERT_MAX_AGE_HOURS (None: 0, no limit)
    max_per_run: int = MAX_PER_RUN  # ALERT_MAX_PER_RUN


class AlertService:
    """The bot's subscriptions and matching, on one owned worker thread."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        embedder: Embedder,
        config: AlertsConfig | None = None,
        background: BackgroundSource | None = None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._config = config or AlertsConfig()
        self._sessions = sessions
        self._clock = clock
        self._matcher = AlertMatcher(
            sessions=sessions,
            embedder=embedder,
            threshold=self._config.threshold,
            corpus_route=self._config.corpus_route,
            background=background,
            clock=clock,
            max_age=self._config.max_age,
            max_per_run=self._config.max_per_run,
        )
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsbot-alerts")

    @property
    def config(self) -> AlertsConfig:
        return self._config

    @property
    def sessions(self) -> sessionmaker[Session]:
        return self._sessions

    def now(self) -> datetime:
        return self._clock()

    async def run(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run `fn` on the alerts thread (database and embedding work) and wait for it."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    def warm(self) -> Future[int]:
        """Start embedding the active topics (on start); matching waits behind it."""
        return self._executor.submit(self._matcher.safe_warm)

    async def on_new_articles(self, chunks: NewChunks) -> int:
        """The admin service's hook: match newly indexed articles, queue the alerts."""
        return await self.run(self._matcher.match_new, chunks)

    # -- subscriptions ----------------------------------------------------------------------

    async def subscribe(
        self, chat_id: int, text: str, thread_id: int | None = None
    ) -> Subscription:
        """Parse the topic, refuse one without content words or already held in this
        destination (the chat, or its forum topic `thread_id`), check the chat's limit,
        embed the phrase, store it with its topic."""
        topic = parse_topic(text)
        if not has_topic_words(" ".join((topic.phrase, *topic.must_words))):
            # "a", "the", "🚀": only stop words or symbols, nothing to match articles on.
            raise BadInputError(f"That topic has no words I can follow. {TOPIC_USAGE}")
        return await self.run(self._subscribe, chat_id, topic, thread_id)

    def _subscribe(
        self, chat_id: int, topic: TopicQuery, thread_id: int | None = None
    ) -> Subscription:
        limit = self._config.max_per_chat
        with session_scope(self._sessions) as session:
            for held in store.list_subscriptions(session=session, chat_id=chat_id):
                # Each forum topic follows what it likes: one phrase may post in several.
                if held.thread_id == thread_id and same_topic(held, topic):
                    raise BadInputError(f"You already have this alert: #{held.number}.")
            if store.count_subscriptions(session=session, chat_id=chat_id) >= limit:
                raise BadInputError(
                    f"This chat already has {limit} alerts, the most I keep. "
                    "Remove one first (/alerts)."
                )
        vectors = self._matcher.embed(topic.phrase)
        with session_scope(self._sessions) as session:
            # Made with its topic: a match run meanwhile must not send it to the chat itself.
            subscription = store.add_subscription(
                session=session,
                chat_id=chat_id,
                topic=topic.phrase,
                must_words=topic.must_words,
                exclude_words=topic.exclude_words,
                now=self._clock(),
                thread_id=thread_id,
            )
        self._matcher.remember(subscription, vectors)
        return subscription

    async def subscriptions(self, chat_id: int) -> list[Subscription]:
        return await self.run(self._in_session, store.list_subscriptions, chat_id=chat_id)

    async def numbered(self, chat_id: int, number: int) -> Subscription:
        """The chat's alert `number` as /alerts shows it (its own in the chat: stable); a
        number the chat does not hold, another chat's included, is a BadInputError."""
        return await self.run(
            self._in_session, numbered_subscription, chat_id=chat_id, number=number
        )

    async def set_active(self, chat_id: int, subscription_id: int, active: bool) -> Subscription:
        return await self.run(
            self._in_session,
            store.set_subscription_active,
            subscription_id=subscription_id,
            chat_id=chat_id,
            active=active,
        )

    async def remove(self, chat_id: int, subscription_id: int) -> Subscription:
        removed = await self.run(
            self._in_session,
            store.remove_subscription,
            subscription_id=subscription_id,
            chat_id=chat_id,
        )
        await self.run(self._matcher.forget, subscription_id)
        return removed

    async def set_digest(
        self, chat_id: int, subscription_id: int, hours: int | None
    ) -> Subscription:
        return await self.run(
            self._in_session,
            store.set_digest,
            subscription_id=subscription_id,
            chat_id=chat_id,
            hours=hours,
        )

    def _in_session(self, fn: Callable[..., T], /, **kwargs: Any) -> T:
        with session_scope(self._sessions) as session:
            return fn(session=session, **kwargs)

    async def aclose(self) -> None:
        await asyncio.to_thread(self._executor.shutdown, wait=True, cancel_futures=True)
