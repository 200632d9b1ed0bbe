"""The real NewsService: the assistant, the chat history and the store behind the handlers."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from bot.services import Headline, OutletCount, Overview, PartialCallback
from bot.start_examples import example_question, example_topic
from index import store
from index.db import session_scope
from index.store_chat import conversation_tail, current_turns, turns_before_message
from index.types import ChatTurn, StoredArticle, StoredChunk
from retrieval.assistant import NewsAssistant
from retrieval.outlet_names import same_site_outlets
from retrieval.query import QueryPlan
from retrieval.types import Answer, Passage

HISTORY_TURNS = 6  # last three exchanges: enough to resolve "and what did Moscow say?"
TOPIC_SIMILARITY_FLOOR = 0.3  # /latest TOPIC: cosine below this is another subject
# Silence that ends a conversation: follow-ups come within minutes of their answer; after it,
# a message is mostly a new topic (replying to an answer still continues it, at any age).
CONVERSATION_GAP = timedelta(minutes=30)
ALERT_REPLY_PASSAGES = 2  # chunks of the alerted article put before the search results


def _headline(article: StoredArticle | Passage) -> Headline:
    return Headline(
        title=article.title,
        source=article.source,
        published_at=article.published_at,
        url=article.url,
    )


def is_group_chat(chat_id: int) -> bool:
    """Telegram gives users (so private chats) positive ids, groups and channels negative
    ones (supergroups -100...): the chat type without asking Telegram."""
    return chat_id < 0


class StoreNewsService:
    """Implements bot.services.NewsService over the assistant and the database."""

    def __init__(
        self,
        *,
        assistant: NewsAssistant,
        sessions: sessionmaker[Session],
        history_since: datetime | None = None,
    ) -> None:
        self._assistant = assistant
        self._sessions = sessions
        self._history_since = history_since  # no conversation before it (a terminal's start)
        self._unsent_turns: dict[tuple[int, str], int] = {}

    @property
    def assistant(self) -> NewsAssistant:
        return self._assistant

    def _history(
        self, chat_id: int, reply_to: int | None, now: datetime, edit_of: int | None = None
    ) -> tuple[list[ChatTurn], ChatTurn | None]:
        """The turns to continue from, and the turn replied to (an answer, or an alert with
        its article), if one.

        In a group a reply continues its reply chain only (whoever replies): several
        conversations run there at once, and one member's question is never read in the
        light of another's. Anything else in a group starts fresh. A private chat continues
        from its turns up to the message replied to; an edit (`edit_of`, the user's message)
        from the turns before its first version, however old; else from the conversation
        going on (`conversation_tail`), none after a long silence.
        """
        group = is_group_chat(chat_id)
        with session_scope(self._sessions) as session:
            if reply_to is not None:
                turn = store.turn_by_message(session=session, chat_id=chat_id, message_id=reply_to)
                if turn is not None:
                    fetch = store.turn_chain if group else store.turns_until
                    turns = fetch(
                        session=session, chat_id=chat_id, turn_id=turn.id, limit=HISTORY_TURNS
                    )
                    return current_turns(turns), turn
            if group:
                return [], None
            turns = None
            if edit_of is not None:  # None too when its first version was never answered
                turns = turns_before_message(
                    session=session, chat_id=chat_id, message_id=edit_of, limit=HISTORY_TURNS
                )
            anchor = None if turns is not None else now  # an edit: as when first asked
            if turns is None:
                turns = store.recent_turns(session=session, chat_id=chat_id, limit=HISTORY_TURNS)
        tail = conversation_tail(turns, gap=CONVERSATION_GAP, now=anchor, since=self._history_since)
        return current_turns(tail), None

    async def _article_passages(self, article_id: int, question: str) -> list[Passage]:
        """The article's chunks that best fit the question, in reading order (a reply to an
        alert asks about its article first). Similarity is to "title: question"."""

        def load() -> tuple[StoredArticle | None, list[StoredChunk]]:
            with session_scope(self._sessions) as session:
                article = store.get_articles(session=session, ids=[article_id]).get(article_id)
                chunks = store.chunks_for_articles(session=session, article_ids=[article_id])
            return article, chunks

        article, chunks = await asyncio.to_thread(load)
        if article is None or not chunks:
            return []
        searcher = self._assistant.searcher
        texts = [f"{article.title}: {question}", *(c.embed_text for c in chunks)]
        vectors = await searcher.run(searcher.searcher.encode, texts)
        similarity = vectors[1:] @ vectors[0]
        best = sorted(np.argsort(-similarity)[:ALERT_REPLY_PASSAGES].tolist())
        return [
            Passage(
                chunk_id=chunks[i].id,
                article_id=article.id,
                title=article.title,
                source=article.source,
                published_at=article.published_at,
                url=article.url,
                text=chunks[i].text,
                score=1.0,
                similarity=float(similarity[i]),
                story_id=article.story_id,
            )
            for i in best
        ]

    def _record(
        self,
        chat_id: int,
        user_id: int,
        question: str,
        answer: Answer,
        now: datetime,
        follows: ChatTurn | None,
        message_id: int | None,
    ) -> int:
        """Store the exchange as a link of its reply chain: the question follows the turn it
        replied to, the answer its question. The question keeps the user's message id, so an
        edit of that message can tell its earlier version."""
        with session_scope(self._sessions) as session:
            asked = store.add_turn(
                session=session,
                chat_id=chat_id,
                role="user",
                text=question,
                message_id=message_id,
                now=now,
                follows_id=follows.id if follows else None,
            )
            turn = store.add_turn(
                session=session,
                chat_id=chat_id,
                role="assistant",
                text=answer.text,
                now=now,
                follows_id=asked.id,
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
        message_id: int | None = None,
        edited: bool = False,
    ) -> Answer:
        edit_of = message_id if edited else None
        history, replied = await asyncio.to_thread(
            self._history, chat_id, reply_to_message_id, now, edit_of
        )
        article_id = replied.article_id if replied else None
        pinned = [] if article_id is None else await self._article_passages(article_id, question)
        answer = await self._assistant.ask(
            question,
            now=now,
            history=[(t.role, t.text) for t in history],
            on_partial=on_partial,
            pinned=pinned,
        )
        turn_id = await asyncio.to_thread(
            self._record, chat_id, user_id, question, answer, now, replied, message_id
        )
        self._unsent_turns[(chat_id, answer.text)] = turn_id
        return answer

    async def record_bot_messages(
        self, chat_id: int, message_ids: Sequence[int], answer: Answer
    ) -> None:
        turn_id = self._unsent_turns.pop((chat_id, answer.text), None)
        if turn_id is None:
            return

        def save() -> None:
            with session_scope(self._sessions) as session:
                for message_id in message_ids:
                    store.set_turn_message_id(
                        session=session, turn_id=turn_id, message_id=message_id
                    )

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
        newest: dict[int, Passage] = {}  # an article's first passage, newest article first
        for passage in sorted(
            relevant,
            key=lambda p: p.published_at or datetime.min.replace(tzinfo=UTC),
            reverse=True,
        ):
            newest.setdefault(passage.article_id, passage)
        return [_headline(p) for p in newest.values()][:limit]

    async def overview(self) -> Overview:
        def stats() -> Overview:
            with session_scope(self._sessions) as session:
                corpus = store.corpus_stats(session=session)
            return Overview(
                outlets=tuple(
                    OutletCount(name=n, articles=c) for n, c in same_site_outlets(corpus.per_source)
                ),
                article_count=corpus.articles,
                first_published=corpus.first_published,
                last_published=corpus.last_published,
            )

        return await asyncio.to_thread(stats)

    async def example_questions(self, n: int) -> list[str]:
        def titles() -> list[str]:
            with session_scope(self._sessions) as session:
                return [a.title for a in store.latest_articles(session=session, limit=n * 3)]

        # Topics rather than made-up questions: a headline pasted into a question template
        # rarely reads as one ("What happened: Reports: ...?"). /start shows them as
        # "Try asking about:".
        picked: list[str] = []
        for title in await asyncio.to_thread(titles):
            topic = example_topic(title)
            if 3 <= len(topic.split()) <= 14 and topic not in picked:
                picked.append(topic)
        return picked[:n]

    async def example_question(self, topics: Sequence[str]) -> str | None:
        """`example_question` for the index as it is now (`topics` from
        `example_questions`)."""
        overview = await self.overview()
        return example_question(topics, overview.last_published, now=datetime.now(UTC))
