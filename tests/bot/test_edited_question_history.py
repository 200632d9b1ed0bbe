"""An edited question replaces its earlier version: neither that version nor its answer is
history for the edit, nor for the questions after it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from bot.cli_run import build_service
from bot.news_service import StoreNewsService
from index import store
from index.store_chat import current_turns, turns_before_message
from tests.fakes.openai_server import FakeOpenAIServer
from tests.small_corpus import index_articles, make_runtime, make_settings, sample_articles

CHAT = 42
NOW = datetime(2024, 5, 3, tzinfo=UTC)


@pytest.fixture
async def llm() -> AsyncIterator[FakeOpenAIServer]:
    async with FakeOpenAIServer(default="Nothing in the sources says so [1].") as server:
        yield server


@pytest.fixture
async def service(tmp_path: Path, llm: FakeOpenAIServer) -> AsyncIterator[StoreNewsService]:
    settings = make_settings(
        f"sqlite:///{tmp_path / 'n.db'}", tmp_path, openai_base_url=llm.base_url
    )
    runtime = make_runtime(settings)
    index_articles(runtime, sample_articles(5))
    built = build_service(runtime)
    yield built
    built.assistant.searcher.close()
    await runtime.aclose()


async def _ask(
    service: StoreNewsService, question: str, message_id: int, *, edited: bool = False
) -> None:
    await service.ask(
        question,
        chat_id=CHAT,
        user_id=CHAT,
        now=NOW,
        reply_to_message_id=None,
        on_partial=None,
        message_id=message_id,
        edited=edited,
    )


def _condense_requests(llm: FakeOpenAIServer) -> list[str]:
    contents = [r.messages[-1]["content"] for r in llm.requests if r.messages]
    return [c for c in contents if "Standalone query" in c]


async def test_an_edit_is_not_read_with_its_earlier_version(
    service: StoreNewsService, llm: FakeOpenAIServer
) -> None:
    await _ask(service, "Who won the election in Taiwan?", 8)
    await _ask(service, "Why did Cressida Dick resign?", 10)
    assert len(_condense_requests(llm)) == 1  # the second question had history
    await _ask(service, "Why did Steve Jobs resign?", 10, edited=True)
    [*_, condense] = _condense_requests(llm)
    assert "Taiwan" in condense  # what came before the first version stays
    assert "Cressida" not in condense

    # Later questions continue from the edited version only.
    await _ask(service, "When was that?", 12)
    [*_, condense] = _condense_requests(llm)
    assert "Steve Jobs" in condense
    assert "Cressida" not in condense


async def test_an_edit_of_the_first_question_has_no_history(
    service: StoreNewsService, llm: FakeOpenAIServer
) -> None:
    await _ask(service, "Why did Cressida Dick resign?", 3)
    await _ask(service, "Why did Steve Jobs resign?", 3, edited=True)
    await _ask(service, "Why did Steve Jobs resign?", 3, edited=True)  # edited twice
    assert _condense_requests(llm) == []


def test_turns_before_message_and_current_turns(session: Session) -> None:
    add = store.add_turn
    old = add(session=session, chat_id=CHAT, role="user", text="Q1", message_id=1, now=NOW)
    add(session=session, chat_id=CHAT, role="assistant", text="A1", message_id=2, follows_id=old.id)
    first = add(session=session, chat_id=CHAT, role="user", text="Q2", message_id=3)
    add(session=session, chat_id=CHAT, role="assistant", text="A2", follows_id=first.id)
    edit = add(session=session, chat_id=CHAT, role="user", text="Q2'", message_id=3)
    add(session=session, chat_id=CHAT, role="assistant", text="A2'", follows_id=edit.id)

    before = turns_before_message(session=session, chat_id=CHAT, message_id=3, limit=6)
    assert before is not None
    assert [t.text for t in before] == ["Q1", "A1"]
    assert turns_before_message(session=session, chat_id=CHAT, message_id=9, limit=6) is None
    # The bot's message is no question's; another chat's message 3 is not this one.
    assert turns_before_message(session=session, chat_id=CHAT, message_id=2, limit=6) is None
    assert turns_before_message(session=session, chat_id=5, message_id=3, limit=6) is None

    recent = store.recent_turns(session=session, chat_id=CHAT, limit=6)
    assert [t.text for t in current_turns(recent)] == ["Q1", "A1", "Q2'", "A2'"]
