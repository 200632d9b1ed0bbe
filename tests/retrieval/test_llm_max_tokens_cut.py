"""A reply the endpoint stopped at `max_tokens` (finish_reason "length") ends on an
unfinished sentence: it is trimmed to its finished sentences as a broken-off reply is,
streamed or not, and kept only when a cited, supported sentence is left."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import date

import pytest

from retrieval.answering import Answerer
from retrieval.llm import REPLY_CUT, LLMGenerator, ReplyCut
from retrieval.types import Answer, AnswerMode
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.retrieval.test_llm_broken_off import FORD, QUESTION

CUT = "Ford will cut 30,000 jobs [1]. The cuts follow a loss in North American sales last"
MESSAGES = [{"role": "user", "content": QUESTION}]


@pytest.fixture
async def server() -> AsyncIterator[FakeOpenAIServer]:
    async with FakeOpenAIServer(chunk_chars=16) as fake:
        yield fake


async def _ask(llm: LLMGenerator, *, streamed: bool) -> Answer:
    async def on_partial(text: str) -> None:
        pass

    return await Answerer(llm=llm, partial_min_chars=1).answer(
        QUESTION,
        [FORD],
        today=date(2006, 1, 24),
        query=QUESTION,
        on_partial=on_partial if streamed else None,
    )


def _own_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("retrieval")]


async def test_the_generator_says_a_reply_was_cut(
    server: FakeOpenAIServer, llm: LLMGenerator
) -> None:
    server.push(Reply(CUT, finish_reason="length"))
    with pytest.raises(ReplyCut) as info:
        await llm.complete(MESSAGES)
    assert (info.value.text, info.value.user_message) == (CUT, REPLY_CUT)
    server.push(Reply(CUT, finish_reason="length"))
    deltas: list[str] = []

    async def read() -> None:
        async for delta in llm.stream(MESSAGES):
            deltas.append(delta)

    with pytest.raises(ReplyCut) as info:
        await read()
    assert "".join(deltas) == info.value.text == CUT


@pytest.mark.parametrize("streamed", [True, False])
async def test_a_cut_answer_keeps_its_finished_cited_sentences(
    server: FakeOpenAIServer,
    llm: LLMGenerator,
    streamed: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server.push(Reply(CUT, finish_reason="length"))
    caplog.set_level(logging.INFO)
    answer = await _ask(llm, streamed=streamed)
    # Before, the reply was taken whole: "... North American sales last" ended the answer.
    assert answer.mode is AnswerMode.LLM
    assert answer.text == "Ford will cut 30,000 jobs [1]."
    assert [c.passage for c in answer.citations] == [FORD]
    [record] = _own_records(caplog)
    assert record.levelno == logging.INFO
    assert "max_tokens" in record.getMessage()


@pytest.mark.parametrize("streamed", [True, False])
async def test_a_cut_answer_without_a_finished_cited_sentence_is_composed(
    server: FakeOpenAIServer,
    llm: LLMGenerator,
    streamed: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server.push(
        Reply("Ford will cut 30,000 jobs [1] as its North American sales", finish_reason="length")
    )
    caplog.set_level(logging.INFO)
    answer = await _ask(llm, streamed=streamed)
    assert answer.mode is AnswerMode.EXTRACTIVE
    assert "30,000 jobs" in answer.text
    [record] = _own_records(caplog)
    assert record.levelno == logging.INFO
    assert REPLY_CUT in record.getMessage()


async def test_a_finished_reply_is_taken_whole(server: FakeOpenAIServer, llm: LLMGenerator) -> None:
    whole = "Ford will cut 30,000 jobs [1]. It will close 14 plants [1]."
    server.push(whole)
    answer = await _ask(llm, streamed=False)
    assert answer.text == whole
