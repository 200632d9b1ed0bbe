"""A scripted NewsService for the bot tests, and small answer builders."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.services import Headline, OutletCount, Overview, PartialCallback
from retrieval.types import Answer, AnswerMode, Citation, Passage

Source = tuple[str, str | None, str | None, datetime | None]  # title, url, outlet, published


def make_answer(text: str, sources: list[Source] = (), mode: AnswerMode = AnswerMode.LLM) -> Answer:  # type: ignore[assignment]
    """An Answer whose citation n is the n-th source."""
    citations = tuple(
        Citation(
            number=number,
            passage=Passage(
                chunk_id=number,
                article_id=number,
                title=title,
                source=outlet,
                published_at=published,
                url=url,
                text=f"passage of {title}",
                score=1.0 / number,
            ),
        )
        for number, (title, url, outlet, published) in enumerate(sources, start=1)
    )
    return Answer(text=text, citations=citations, mode=mode, query=text)


@dataclass(frozen=True)
class AskCall:
    question: str
    chat_id: int
    user_id: int
    reply_to_message_id: int | None
    message_id: int | None = None
    edited: bool = False


@dataclass
class FakeNewsService:
    """Answers by question text; records what it was asked and when it started/finished."""

    answers: dict[str, Answer] = field(default_factory=dict)
    default: Answer = field(default_factory=lambda: make_answer("No idea."))
    delays: dict[str, float] = field(default_factory=dict)
    # Awaited before answering a question: holds the answer until something has happened,
    # however slow the machine (a fixed delay would race it).
    waits: dict[str, Callable[[], Awaitable[None]]] = field(default_factory=dict)
    partials: dict[str, list[str]] = field(default_factory=dict)
    partial_pause: float = 0.0
    # Awaited after each partial with its index: lets a test wait until Telegram shows it.
    after_partial: Callable[[int], Awaitable[None]] | None = None
    errors: dict[str, Exception] = field(default_factory=dict)
    headlines: list[Headline] = field(default_factory=list)
    overview_value: Overview = field(
        default_factory=lambda: Overview(
            outlets=(OutletCount("Wikinews", 3), OutletCount("CNN", 1)),
            article_count=4,
            first_published=datetime(2024, 1, 2, tzinfo=UTC),
            last_published=datetime(2024, 3, 5, tzinfo=UTC),
        )
    )
    examples: list[str] = field(
        default_factory=lambda: [
            "What happened in Seoul?",
            "Who won the election?",
            "Any news on <AI> & chips?",
        ]
    )
    calls: list[AskCall] = field(default_factory=list)
    events: list[tuple[str, str]] = field(default_factory=list)  # ("start"|"end", question)
    recorded: list[tuple[int, int, Answer]] = field(default_factory=list)
    latest_calls: list[tuple[str | None, int]] = field(default_factory=list)

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
        assert now.tzinfo is not None
        self.calls.append(
            AskCall(question, chat_id, user_id, reply_to_message_id, message_id, edited)
        )
        self.events.append(("start", question))
        try:
            for index, text in enumerate(self.partials.get(question, [])):
                if on_partial is not None:
                    await on_partial(text)
                if self.after_partial is not None:
                    await self.after_partial(index)
                await asyncio.sleep(self.partial_pause)
            if question in self.waits:
                await self.waits[question]()
            await asyncio.sleep(self.delays.get(question, 0.0))
            if question in self.errors:
                raise self.errors[question]
            return self.answers.get(question, self.default)
        finally:
            self.events.append(("end", question))

    async def record_bot_messages(
        self, chat_id: int, message_ids: Sequence[int], answer: Answer
    ) -> None:
        self.recorded.extend((chat_id, message_id, answer) for message_id in message_ids)

    async def latest(self, topic: str | None, limit: int) -> list[Headline]:
        self.latest_calls.append((topic, limit))
        return self.headlines[:limit]

    async def overview(self) -> Overview:
        return self.overview_value

    async def example_questions(self, n: int) -> list[str]:
        return self.examples[:n]

    async def example_question(self, topics: Sequence[str]) -> str | None:
        return "What happened this week?"
