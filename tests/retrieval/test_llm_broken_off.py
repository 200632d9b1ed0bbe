"""A reply that breaks off mid-stream (the server killed: its connection dropped, or its
stream ended in order but without a finish) is never taken whole: its finished, cited
sentences stay, its cut-off last one goes; without a cited one the composer answers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest

from index.errors import LLMError
from retrieval.answering import Answerer
from retrieval.llm import CONNECTION_DROPPED, LLMGenerator
from retrieval.llm_stream import finished_sentences
from retrieval.types import Answer, AnswerMode, Passage
from tests.fakes.openai_server import FakeOpenAIServer, Fault, Reply

QUESTION = "How many jobs will Ford cut?"
FORD = Passage(
    chunk_id=1,
    article_id=1,
    title="Ford Motor Company cutting 30,000 jobs",
    source="Wikinews",
    published_at=datetime(2006, 1, 23, tzinfo=UTC),
    url="https://example.com/ford",
    text=(
        "The Ford Motor Company will cut 30,000 jobs and close 14 plants as part of a "
        "restructuring plan after a US$1.6 billion loss last year in North American sales."
    ),
    score=1.0,
    similarity=0.7,
)
FULL = (
    "Ford will cut 30,000 jobs [1]. The cuts follow a loss in North American sales last year [1]."
)
CUT_AT = FULL.index(" year")  # "...North American sales last"


@pytest.fixture
async def server() -> AsyncIterator[FakeOpenAIServer]:
    async with FakeOpenAIServer(chunk_chars=CUT_AT) as fake:
        yield fake


async def _ask(llm: LLMGenerator, shown: list[str]) -> Answer:
    async def on_partial(text: str) -> None:
        shown.append(text)

    return await Answerer(llm=llm, partial_min_chars=1).answer(
        QUESTION, [FORD], today=date(2006, 1, 24), query=QUESTION, on_partial=on_partial
    )


async def test_a_stream_ending_without_a_finish_is_a_broken_off_reply(
    server: FakeOpenAIServer, llm: LLMGenerator, caplog: pytest.LogCaptureFixture
) -> None:
    server.push(Reply(FULL, fault=Fault.END_MID_STREAM))
    caplog.set_level(logging.WARNING)
    with pytest.raises(LLMError) as info:
        _ = [delta async for delta in llm.stream([{"role": "user", "content": QUESTION}])]
    assert info.value.user_message == CONNECTION_DROPPED
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    # The same reply, finished, is whole.
    server.push(FULL)
    assert "".join([d async for d in llm.stream([{"role": "user", "content": QUESTION}])]) == FULL


@pytest.mark.parametrize("fault", [Fault.END_MID_STREAM, Fault.CLOSE_MID_STREAM])
async def test_a_broken_off_answer_keeps_its_finished_cited_sentences(
    server: FakeOpenAIServer, llm: LLMGenerator, fault: Fault, caplog: pytest.LogCaptureFixture
) -> None:
    server.push(Reply(FULL, fault=fault))
    caplog.set_level(logging.WARNING)
    shown: list[str] = []
    answer = await _ask(llm, shown)
    assert answer.mode is AnswerMode.LLM
    assert answer.text == "Ford will cut 30,000 jobs [1]."
    assert "last" not in answer.text
    assert [c.passage for c in answer.citations] == [FORD]
    assert sum(r.levelno == logging.WARNING for r in caplog.records) == 1


async def test_a_broken_off_answer_without_a_cited_sentence_is_answered_extractively(
    server: FakeOpenAIServer, llm: LLMGenerator
) -> None:
    uncited = "Ford said that it will cut many of its jobs in North American sales last year."
    server.push(Reply(uncited, fault=Fault.END_MID_STREAM))
    answer = await _ask(llm, [])
    assert answer.mode is AnswerMode.EXTRACTIVE
    assert "30,000 jobs" in answer.text


@pytest.mark.parametrize(
    ("text", "finished"),
    [
        ("Ford cuts jobs [1]. The cuts follow a loss last", "Ford cuts jobs [1]."),
        ("Ford cuts jobs [1]. Plants close [1", "Ford cuts jobs [1]."),
        ("Ford cuts jobs [1]. Plants close.", "Ford cuts jobs [1]. Plants close."),
        ("Ford cuts jobs. [1]", "Ford cuts jobs. [1]"),
        ("• Ford cuts jobs [1].\n• Plants", "• Ford cuts jobs [1]."),
        ("Ford cuts", ""),
    ],
)
def test_finished_sentences_drop_only_an_unfinished_last_one(text: str, finished: str) -> None:
    assert finished_sentences(text) == finished
