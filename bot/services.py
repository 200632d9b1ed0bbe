"""What the Telegram handlers need from the rest of newsbot: one narrow protocol.

The real implementation (wired by the application's entry point) sits on top of
`retrieval/` and `index/`; tests use a scripted fake. Handlers reach these through the
typed context (`bot/context.py`), never through globals.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Protocol

from bot.ratelimit import QuestionLimiter
from retrieval.types import Answer

if TYPE_CHECKING:
    from bot.admin_service import AdminService
    from bot.alerts_service import AlertService

PartialCallback = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class Headline:
    """One recent article for /latest."""

    title: str
    source: str | None
    published_at: datetime | None
    url: str | None


@dataclass(frozen=True)
class OutletCount:
    """How many indexed articles one outlet contributed."""

    name: str
    articles: int


@dataclass(frozen=True)
class Overview:
    """What is indexed, for /sources: outlets, article count, publication date range."""

    outlets: tuple[OutletCount, ...]
    article_count: int
    first_published: datetime | None
    last_published: datetime | None


class NewsService(Protocol):
    """The bot's view of newsbot: questions, recent headlines, what is indexed."""

    async def ask(
        self,
        question: str,
        *,
        chat_id: int,
        user_id: int,
        now: datetime,
        reply_to_message_id: int | None,
        on_partial: PartialCallback | None,
        message_id: int | None = None,
        edited: bool = False,
    ) -> Answer:
        """Answer a question with cited sources.

        `reply_to_message_id` is the bot message the user replied to (continue that thread),
        `on_partial` receives the growing answer text while an LLM streams (may be None).
        `message_id` is the user's message carrying the question; `edited` says it is a new
        version of that message, which replaces the earlier one (neither the earlier version
        nor its answer is history for it).
        Raises `NewsbotError` subclasses for expected failures.
        """
        ...

    async def record_bot_messages(
        self, chat_id: int, message_ids: Sequence[int], answer: Answer
    ) -> None:
        """Remember which answer the bot's messages carried (all the pieces of a long one, in
        order), so a reply to any of them continues there."""
        ...

    async def latest(self, topic: str | None, limit: int) -> list[Headline]:
        """The newest indexed articles, optionally about a topic, newest first."""
        ...

    async def overview(self) -> Overview:
        """Outlets, article count and date range of the index."""
        ...

    async def example_questions(self, n: int) -> list[str]:
        """Up to `n` questions a user could ask, drawn from indexed headlines."""
        ...

    async def example_question(self, topics: Sequence[str]) -> str | None:
        """A whole question to show as an example: about this week when the index has news
        from it, else about the first of `topics`; None when there is neither."""
        ...


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class BotServices:
    """Everything a handler may use, built once by `build_application`."""

    news: NewsService
    limiter: QuestionLimiter
    timezone: tzinfo = UTC
    admin_user_ids: frozenset[int] = frozenset()
    admin_chat_id: int | None = None
    stream_edit_interval: float = 1.5
    typing_interval: float = 4.0
    latest_limit: int = 8
    clock: Callable[[], datetime] = field(default=_utcnow)
    admin: AdminService | None = None  # sources and re-indexing (bot/admin_service.py)
    alerts: AlertService | None = None  # topic alerts (bot/alerts_service.py)
    secrets: tuple[str, ...] = field(default=(), repr=False)  # kept out of chat messages

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admin_user_ids
