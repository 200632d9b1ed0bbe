"""Only the conversation going on is history: not turns from before a long silence, nor
from before the session's start (the offline terminal); a reply to an answer continues it
whatever its age."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli_run import build_service
from bot.news_service import StoreNewsService
from index.store_chat import conversation_tail
from index.types import ChatTurn
from tests.fakes.openai_server import FakeOpenAIServer
from tests.small_corpus import index_articles, make_runtime, make_settings, sample_articles

CHAT = 42
NOW = datetime(2024, 5, 3, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


@pytest.fixture
async def llm() -> AsyncIterator[FakeOpenAIServer]:
    async with FakeOpenAIServer(default="Nothing in the sources says so [1].") as server:
        yield server


@pytest.fixture
async def service(
    tmp_path: Path, llm: FakeOpenAIServer
) -> AsyncIterator[tuple[StoreNewsService, StoreNewsService]]:
    """The service, and a second one over the same database started at NOW + 1 minute."""
    settings = make_settings(
        f"sqlite:///{tmp_path / 'n.db'}", tmp_path, openai_base_url=llm.base_url
    )
    runtime = make_runtime(settings)
    index_articles(runtime, sample_articles(5))
    built = build_service(runtime)
    later = StoreNewsService(
        assistant=built.assistant, sessions=runtime.sessions, history_since=NOW + MINUTE
    )
    yield built, later
    built.assistant.searcher.close()
    await runtime.aclose()


async def _ask(
    service: StoreNewsService,
    question: str,
    at: datetime,
    *,
    message_id: int,
    reply_to: int | None = None,
    edited: bool = False,
    answer_message_id: int | None = None,
) -> None:
    answer = await service.ask(
        question,
        chat_id=CHAT,
        user_id=CHAT,
        now=at,
        reply_to_message_id=reply_to,
        on_partial=None,
        message_id=message_id,
        edited=edited,
    )
    if answer_message_id is not None:
        await service.record_bot_messages(CHAT, [answer_message_id], answer)


def _condensed(llm: FakeOpenAIServer) -> list[str]:
    contents = [r.messages[-1]["content"] for r in llm.requests if r.messages]
    return [c for c in contents if "Standalone query" in c]


async def test_a_question_after_a_long_silence_has_no_history(
    service: tuple[StoreNewsService, StoreNewsService], llm: FakeOpenAIServer
) -> None:
    news, _ = service
    await _ask(news, "Why did Cressida Dick resign?", NOW, message_id=1, answer_message_id=2)
    await _ask(news, "Who replaced her?", NOW + 20 * MINUTE, message_id=3)
    assert len(_condensed(llm)) == 1  # twenty minutes later: the same conversation

    an_hour_later = NOW + 20 * MINUTE + 61 * MINUTE
    await _ask(news, "How many died?", an_hour_later, message_id=5)
    assert len(_condensed(llm)) == 1  # a new conversation: asked as it is

    # A reply to the first answer, a day later, goes on from it.
    await _ask(news, "And who replaced her?", NOW + timedelta(days=1), message_id=7, reply_to=2)
    [*_, condense] = _condensed(llm)
    assert "Cressida Dick" in condense


async def test_an_edit_keeps_the_context_of_its_first_version(
    service: tuple[StoreNewsService, StoreNewsService], llm: FakeOpenAIServer
) -> None:
    news, _ = service
    await _ask(news, "Why did Cressida Dick resign?", NOW, message_id=1)
    await _ask(news, "Who replaced hr?", NOW + MINUTE, message_id=3)
    await _ask(news, "Who replaced her?", NOW + timedelta(hours=2), message_id=3, edited=True)
    [*_, condense] = _condensed(llm)
    assert "Cressida Dick" in condense
    assert "hr?" not in condense


async def test_a_new_session_starts_fresh(
    service: tuple[StoreNewsService, StoreNewsService], llm: FakeOpenAIServer
) -> None:
    news, restarted = service
    await _ask(news, "Why did Cressida Dick resign?", NOW, message_id=1)
    await _ask(restarted, "Who replaced her?", NOW + 2 * MINUTE, message_id=1)
    assert _condensed(llm) == []  # the previous run's conversation is not this one's
    await _ask(restarted, "When was that?", NOW + 3 * MINUTE, message_id=3)
    [condense] = _condensed(llm)
    assert "Who replaced her?" in condense


def _turn(n: int, at: datetime) -> ChatTurn:
    role = "user" if n % 2 else "assistant"
    return ChatTurn(
        id=n, chat_id=CHAT, role=role, text=f"t{n}", message_id=None, article_id=None, created_at=at
    )


def test_conversation_tail() -> None:
    gap = timedelta(minutes=30)
    turns = [
        _turn(1, NOW),
        _turn(2, NOW + 40 * MINUTE),  # a silence of 40 minutes before it
        _turn(3, NOW + 60 * MINUTE),
        _turn(4, NOW + 85 * MINUTE),
    ]
    tail = conversation_tail
    assert [t.id for t in tail(turns, gap=gap, now=NOW + 90 * MINUTE)] == [2, 3, 4]
    assert tail(turns, gap=gap, now=NOW + 200 * MINUTE) == []
    assert [t.id for t in tail(turns, gap=gap)] == [2, 3, 4]  # no `now`: from the last turn
    since = NOW + 50 * MINUTE
    assert [t.id for t in tail(turns, gap=gap, since=since)] == [3, 4]
    naive = NOW.replace(tzinfo=None) + 90 * MINUTE  # naive times are UTC
    assert [t.id for t in tail(turns, gap=gap, now=naive)] == [2, 3, 4]
    assert tail([], gap=gap, now=NOW) == []
