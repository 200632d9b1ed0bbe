"""A question that asks only for a period's news ("What happened yesterday?") stands alone in
a conversation, as it does in a fresh chat: it was taken for a follow-up (short, no subject of
its own), got the previous question's words put in front and became a topic search. One that
refers back ("What happened to them yesterday?") is still a follow-up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from retrieval.assistant import NewsAssistant, asks_for_a_period
from retrieval.query import understand
from tests.fakes.openai_server import FakeOpenAIServer
from tests.retrieval.test_briefing import HEADING, one_line_per_source
from tests.retrieval.test_dated_questions_end_to_end import FRESH, NO_DATE, NOW
from tests.small_corpus import (
    index_articles,
    make_runtime,
    make_settings,
    sample_articles,
    with_llm,
)

HISTORY = [
    ("user", "Why did stock markets fall?"),
    ("assistant", "Stock markets fell on rate fears [1]."),
]


async def _assistant(runtime) -> AsyncIterator[NewsAssistant]:  # type: ignore[no-untyped-def]
    index_articles(runtime, [*sample_articles(20), *FRESH, NO_DATE])
    assistant = runtime.assistant(runtime.searcher(runtime.open_index()))
    async with assistant.searcher:
        yield assistant
    await runtime.aclose()


@pytest.fixture
async def plain(tmp_path: Path) -> AsyncIterator[NewsAssistant]:
    settings = make_settings(f"sqlite:///{tmp_path / 'newsbot.db'}", tmp_path / "data")
    async for assistant in _assistant(make_runtime(settings)):
        yield assistant


async def test_a_period_question_after_a_topic_lists_the_period(plain: NewsAssistant) -> None:
    fresh = await plain.ask("What happened yesterday?", now=NOW)
    followed = await plain.ask("What happened yesterday?", now=NOW, history=HISTORY)
    assert fresh.text.startswith(f"{HEADING}\n• ")
    assert followed.text == fresh.text


async def test_the_llm_is_not_asked_to_rewrite_a_period_question(tmp_path: Path) -> None:
    async with FakeOpenAIServer(responder=one_line_per_source, chunk_chars=16) as llm:
        async for assistant in _assistant(make_runtime(with_llm(tmp_path, llm.base_url))):
            answer = await assistant.ask("What happened yesterday?", now=NOW, history=HISTORY)
            assert answer.text.startswith(HEADING)
            assert len(llm.requests) == 1  # the briefing; no rewrite of the question


@pytest.mark.parametrize(
    ("question", "alone"),
    [
        ("What happened in 2008?", True),
        ("What happened yesterday?", True),
        ("Any news from last week?", True),
        ("What happened to them yesterday?", False),  # refers back
        ("And yesterday?", False),
        ("What happened then?", False),  # names no period of its own
        ("Why did stocks fall yesterday?", False),  # a topic
    ],
)
def test_which_questions_ask_for_a_period_only(question: str, alone: bool) -> None:
    assert asks_for_a_period(understand(question, now=NOW), question) is alone
