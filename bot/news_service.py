"""The real NewsService: the assistant, the chat history and the store behind the handlers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.services import Headline, OutletCount, Overview, PartialCallback
from index import store
from index.db import session_scope
from index.types import ChatTurn, StoredArticle
from retrieval.assistant import NewsAssistant
from retrieval.query import QueryPlan
from retrieval.types import Answer

HISTORY_TURNS = 6  # last three exchanges: enough to resolve "and what did Moscow say?"
TOPIC_SIMILARITY_FLOOR = 0.3  # /latest TOPIC: cosine below this is another subject
HISTORY_MAX_AGE = timedelta(hours=6)  # an old conversation is not the context of a new one


def _headline(article: StoredArticle) -> Headline:
    return Headline(
        title=article.title,
        source=article.source,
        published_at=article.published_at,
        url=article.url,
    )


def example_question(title: str) -> str:
    """A question a reader could ask about a headline (pure)."""
    title = title.strip().rstrip(".!?")
    return f"What happened: {title}?"


class StoreNewsService:
    """Implements bot.services.NewsService over the assistant and the database."""

    def __init__(self, *, assistant: NewsAssistant, sessions: sessionmaker[Session]) -> None:
        self._assistant = assistant
        self._sessions = sessions
        self._unsent_turns: dict[tuple[int, str], int] = {}

    @property
    def assistant(self) -> NewsAssistant:
        return self._assistant

    def _history(self, chat_id: int, reply_to: int | None, now: datetime) -> list[ChatTurn]:
        with session_scope(self._sessions) as session:
            if reply_to is not None:
                turn = store.turn_by_message(session=session, chat_id=chat_id, message_id=reply_to)
                if turn is not None:
                    return store.turns_until(
                        session=session, chat_id=chat_id, turn_id=turn.id, limit=HISTORY_TURNS
                    )
            turns = store.recent_turns(session=session, chat_id=chat_id, limit=HISTORY_TURNS)
        return [t for t in turns if now - t.created_at <= HISTORY_MAX_AGE]

    def _record(
        self, chat_id: int, user_id: int, question: str, answer: Answer, now: datetime
    ) -> int:
        with session_scope(self._sessions) as session:
            store.add_turn(session=session, chat_id=chat_id, role="user", text=question, now=now)
            turn = store.add_turn(
                session=session, chat_id=chat_id, role="assistant", text=answer.text, now=now
            )
            store.log_question(
                session=session, chat_id=chat_id, user_id=user_id, mode=str(answer.mode), now=now
            )
        return turn.id

    async def ask(
        self,
        question: str,
        *,
        chat_id: int,
        user_id: int,
        now: datetime,
        reply_to_message_id: int | None,
        on_partial: PartialCallback | None,
    ) -> Answer:
        history = await asyncio.to_thread(self._history, chat_id, reply_to_message_id, now)
        answer = await self._assistant.ask(
            question, now=now, history=[(t.role, t.text) for t in history], on_partial=on_partial
        )
        turn_id = await asyncio.to_thread(self._record, chat_id, user_id, question, answer, now)
        self._unsent_turns[(chat_id, answer.text)] = turn_id
        return answer

    async def record_bot_message(self, chat_id: int, message_id: int, answer: Answer) -> None:
        turn_id = self._unsent_turns.pop((chat_id, answer.text), None)
        if turn_id is None:
            return

        def save() -> None:
            with session_scope(self._sessions) as session:
                store.set_turn_message_id(session=session, turn_id=turn_id, message_id=message_id)

        await asyncio.to_thread(save)

    async def latest(self, topic: str | None, limit: int) -> list[Headline]:
        if not topic:

            def newest() -> list[StoredArticle]:
                with session_scope(self._sessions) as session:
                    return store.latest_articles(session=session, limit=limit)

            return [_headline(a) for a in await asyncio.to_thread(newest)]
        plan = QueryPlan(text=topic, recency=True)
        passages = await self._assistant.searcher.search(plan, k=limit * 2)
        relevant = [p for p in passages if p.similarity >= TOPIC_SIMILARITY_FLOOR]
        seen: set[int] = set()
        headlines: list[Headline] = []
        for passage in sorted(
            relevant,
            key=lambda p: p.published_at or datetime.min.replace(tzinfo=UTC),
            reverse=True,
        ):
            if passage.article_id in seen:
                continue
            seen.add(passage.article_id)
            headlines.append(
                Headline(
                    title=passage.title,
                    source=passage.source,
                    published_at=passage.published_at,
                    url=passage.url,
                )
            )
        return headlines[:limit]

    async def overview(self) -> Overview:
        def stats() -> Overview:
            with session_scope(self._sessions) as session:
                corpus = store.corpus_stats(session=session)
            return Overview(
                outlets=tuple(OutletCount(name=n, articles=c) for n, c in corpus.per_source),
                article_count=corpus.articles,
                first_published=corpus.first_published,
                last_published=corpus.last_published,
            )

        return await asyncio.to_thread(stats)

    async def example_questions(self, n: int) -> list[str]:
        def titles() -> list[str]:
            with session_scope(self._sessions) as session:
                return [a.title for a in store.latest_articles(session=session, limit=n * 3)]

        picked: list[str] = []
        for title in await asyncio.to_thread(titles):
            if 3 <= len(title.split()) <= 14 and title not in picked:
                picked.append(title)
        return [example_question(t) for t in picked[:n]]
