"""With an LLM, a rewrite that is no query (the not-found sentinel, nothing, a page of text)
is never searched for: the question is used as without an LLM."""

from __future__ import annotations

import pytest

from retrieval.answering import Answerer
from retrieval.condense import clean_condensed
from retrieval.llm import LLMGenerator
from tests.fakes.openai_server import FakeOpenAIServer

HISTORY = [
    ("user", "Why did Cressida Dick resign?"),
    ("assistant", "She lost the mayor's confidence [1]."),
]


@pytest.mark.parametrize(
    "reply",
    [
        "NOT_FOUND",
        "NOT_FOUND\n",
        '"NOT_FOUND"',
        "Standalone query: NOT_FOUND",
        "**NOT_FOUND**",
        "not_found.",
        "",
        "   \n ",
        "munich " * 200,
    ],
)
async def test_a_rewrite_that_is_no_query_falls_back_on_the_question(
    server: FakeOpenAIServer, llm: LLMGenerator, reply: str
) -> None:
    question = "What happened in Munich?"
    server.push(reply)
    assert await Answerer(llm=llm).condense(question, HISTORY) == question
    assert len(server.requests) == 1  # the model was asked, its rewrite dropped


async def test_a_follow_up_falls_back_on_the_heuristic_rewrite(
    server: FakeOpenAIServer, llm: LLMGenerator
) -> None:
    server.push("NOT_FOUND")
    condensed = await Answerer(llm=llm).condense("Who replaced her?", HISTORY)
    assert condensed == "Cressida Dick resign Who replaced her?"


def test_clean_condensed_keeps_a_real_rewrite() -> None:
    assert clean_condensed('Standalone query: "Cressida Dick successor"\n') == (
        "Cressida Dick successor"
    )
    assert clean_condensed("NOT_FOUND") == ""
    assert clean_condensed("Items not found in the Munich archive") == (
        "Items not found in the Munich archive"
    )
