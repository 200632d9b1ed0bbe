"""A slow LLM through the whole question path as the bot asks it (`NewsAssistant.ask`, built
by the runtime from settings): a follow-up's rewrite and its answer share one budget of
LLM_TIMEOUT_SECONDS, retries included, then the extractive composer answers. The real
pipeline indexes into SQLite and FAISS (hashing embedder); the real openai client talks to
a local server that never answers the calls it is told to hang."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from retrieval.assistant import NewsAssistant
from retrieval.types import Answer, AnswerMode
from tests.fakes.openai_server import FakeOpenAIServer, Fault, Reply
from tests.retrieval.test_dated_questions_end_to_end import FRESH, MARKETS, NOW
from tests.small_corpus import index_articles, make_runtime, make_settings, sample_articles

HISTORY = [("user", "What happened in Europe?"), ("assistant", "Markets fell [1].")]
FOLLOW_UP = "Why did stock markets fall on Monday?"

Responder = Callable[[list[dict[str, Any]]], "str | Reply"]


def is_answer_call(messages: list[dict[str, Any]]) -> bool:
    return "<sources>" in messages[-1]["content"]


@dataclass
class World:
    assistant: NewsAssistant
    llm: FakeOpenAIServer
    respond: list[Responder]

    async def ask(self, respond: Responder) -> Answer:
        self.respond[:] = [respond]

        async def on_partial(_text: str) -> None:
            return None

        return await self.assistant.ask(FOLLOW_UP, now=NOW, history=HISTORY, on_partial=on_partial)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    responders: list[Responder] = []
    async with FakeOpenAIServer(
        responder=lambda messages: responders[0](messages), slow_seconds=30
    ) as llm:
        settings = make_settings(
            f"sqlite:///{tmp_path / 'newsbot.db'}",
            tmp_path / "data",
            openai_base_url=llm.base_url,
            openai_api_key="test-key",
            llm_timeout_seconds=1.0,
            llm_max_retries=1,
        )
        runtime = make_runtime(settings)
        index_articles(runtime, [*sample_articles(10), *FRESH])
        assistant = runtime.assistant(runtime.searcher(runtime.open_index()))
        async with assistant.searcher:
            yield World(assistant, llm, responders)
        await runtime.aclose()


def chat_requests(server: FakeOpenAIServer) -> int:
    return sum(1 for r in server.requests if r.path.endswith("/chat/completions"))


async def test_a_hung_answer_call_is_not_retried_past_the_budget(world: World) -> None:
    started = time.monotonic()
    answer = await world.ask(
        lambda messages: (
            Reply(fault=Fault.SLOW) if is_answer_call(messages) else "stock markets Monday"
        )
    )
    assert answer.mode is AnswerMode.EXTRACTIVE
    assert [c.passage.title for c in answer.citations][:1] == [MARKETS]
    # The rewrite, then one try of the answer: its retry would have started after the
    # budget was spent.
    assert chat_requests(world.llm) == 2
    assert time.monotonic() - started < 20  # a guard only: the server would wait 30 s


async def test_a_hung_model_is_asked_once_per_question(world: World) -> None:
    answer = await world.ask(lambda _messages: Reply(fault=Fault.SLOW))
    assert answer.mode is AnswerMode.EXTRACTIVE
    # The rewrite spent the whole budget (the heuristic rewrite took over); the answer
    # was composed without asking the model again.
    assert chat_requests(world.llm) == 1
