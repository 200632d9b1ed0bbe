"""A follow-up's rewrite by the model is searched for only when it is a query: it shares a
content word with the question or the conversation and is not much longer than the question.
A small model's answer or filler ("The answer to this question is:") gives way to the
heuristic rewrite."""

from __future__ import annotations

import pytest

from retrieval.answering import Answerer
from retrieval.condense import fits_as_query
from retrieval.condense_llm import condense_question
from retrieval.llm import LLMConfig, LLMGenerator
from tests.fakes.openai_server import FakeOpenAIServer, Reply

HISTORY = [
    ("user", "What did Apple announce?"),
    ("assistant", "Apple unveiled the iPhone, a phone and music player [1]."),
]
QUESTION = "How much does it cost?"
HEURISTIC = "Apple announce How much does it cost?"


@pytest.mark.parametrize(
    "reply",
    [
        # SmolLM2's replies in QA: filler, and an answer copied as the "query".
        "The answer to this question is: \nThe cost of the iPhone is $189.99.",
        "Sure! Here you go:",
        "The Apple iPhone, the phone and music player unveiled by Steve Jobs on Tuesday at "
        "the Macworld conference in San Francisco, will cost 499 dollars for the four "
        "gigabyte model and 599 dollars for the eight gigabyte model in June.",
    ],
)
async def test_a_rewrite_that_is_no_query_gives_way_to_the_heuristic(
    server: FakeOpenAIServer, llm: LLMGenerator, reply: str
) -> None:
    server.push(reply)
    assert await Answerer(llm=llm).condense(QUESTION, HISTORY) == HEURISTIC
    assert len(server.requests) == 1  # the model was asked, its rewrite dropped


@pytest.mark.parametrize(
    "reply",
    [
        "How much does the Apple iPhone cost?",
        "iPhone price",  # the conversation's word alone is a query
        "Wie viel kostet das iPhone?",  # another language, the conversation's name
    ],
)
async def test_a_real_rewrite_is_used(
    server: FakeOpenAIServer, llm: LLMGenerator, reply: str
) -> None:
    server.push(reply)
    assert await Answerer(llm=llm).condense(QUESTION, HISTORY) == reply


def test_fits_as_query_measures_against_the_question() -> None:
    question = "And what did the ministers of Germany, France and Italy say about the new rules?"
    longer = f"{question} on migration quotas agreed in Brussels by the European Union on Monday"
    assert fits_as_query(longer, question, ())
    assert not fits_as_query(f"{longer} after long talks that lasted into the night", question, ())
    assert not fits_as_query("The answer to this question is:", question, HISTORY)


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        # The query, then talk until max_tokens: the finished first line is the query.
        ("Apple iPhone price\nThe answer to this question is that the", "Apple iPhone price"),
        # Cut inside its first line: nothing finished to search for.
        ("Apple iPhone price and the", HEURISTIC),
    ],
)
async def test_a_rewrite_cut_at_max_tokens_keeps_a_finished_first_line(
    server: FakeOpenAIServer, llm: LLMGenerator, reply: str, expected: str
) -> None:
    server.push(Reply(reply, finish_reason="length"))
    assert await condense_question(QUESTION, HISTORY, llm=llm) == expected


@pytest.mark.parametrize(("configured", "asked"), [(700, 96), (40, 40)])
async def test_the_rewrite_asks_for_at_most_the_configured_tokens(
    server: FakeOpenAIServer, configured: int, asked: int
) -> None:
    # LLM_MAX_TOKENS bounds every call: a small local model told 40 is not given 96.
    config = LLMConfig(
        base_url=server.base_url, api_key="k", model="m", max_retries=0, max_tokens=configured
    )
    server.push("Apple iPhone price")
    async with LLMGenerator(config) as llm:
        await condense_question(QUESTION, HISTORY, llm=llm)
    [request] = server.requests
    assert request.body is not None
    assert request.body["max_tokens"] == asked
