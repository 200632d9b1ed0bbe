"""What the LLM writes, through the whole question path as the bot asks it: links, Markdown
and HTML of the model's own never reach `Answer.text` (final or streamed), other citation
styles count, sentences citing only sources we did not give are dropped, and an answer
that forgot its citations is answered extractively instead of "not found". The real
pipeline indexes into SQLite and FAISS (hashing embedder); the real openai client talks to
a local server."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from retrieval.assistant import NewsAssistant
from retrieval.types import Answer, AnswerMode
from tests.fakes.openai_server import FakeOpenAIServer
from tests.retrieval.test_dated_questions_end_to_end import FRESH, MARKETS, NOW
from tests.small_corpus import index_articles, make_runtime, sample_articles, with_llm

QUESTION = "Why did stock markets fall on Monday?"
_SOURCE_LINE = re.compile(r"^\[(\d+)\] (.+?) — ", re.MULTILINE)

Reply = Callable[[int], str]  # the markets source's number -> the model's reply


@dataclass
class World:
    assistant: NewsAssistant
    llm: FakeOpenAIServer
    reply: list[Reply]

    async def ask(self, reply: Reply, partials: list[str] | None = None) -> Answer:
        self.reply[:] = [reply]

        async def on_partial(text: str) -> None:
            if partials is not None:
                partials.append(text)

        return await self.assistant.ask(QUESTION, now=NOW, on_partial=on_partial)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    replies: list[Reply] = []

    def respond(messages: list[dict[str, Any]]) -> str:
        quoted = {title: int(n) for n, title in _SOURCE_LINE.findall(messages[-1]["content"])}
        return replies[0](quoted[MARKETS])

    async with FakeOpenAIServer(responder=respond, chunk_chars=7) as llm:
        runtime = make_runtime(with_llm(tmp_path, llm.base_url))
        index_articles(runtime, [*sample_articles(10), *FRESH])
        assistant = runtime.assistant(runtime.searcher(runtime.open_index()))
        async with assistant.searcher:
            yield World(assistant, llm, replies)
        await runtime.aclose()


async def test_links_and_markup_of_the_model_never_reach_the_user(world: World) -> None:
    partials: list[str] = []
    answer = await world.ask(
        lambda n: (
            f"## Why\n**Stock markets** fell sharply after *oil prices* jumped 6 percent [{n}].\n"
            f"- See [the report](https://evil.example/phish) [{n}]\n"
            f"- Read more at https://evil.example/more [{n}]\n"
            f"- Traders moved into <b>bonds</b> and `gold` [{n}]."
        ),
        partials,
    )
    assert answer.mode is AnswerMode.LLM
    assert answer.text == (
        "Why\nStock markets fell sharply after oil prices jumped 6 percent [1].\n"
        "• See the report [1]\n"
        "• Traders moved into bonds and gold [1]."
    )
    assert [c.passage.title for c in answer.citations] == [MARKETS]
    assert partials
    for text in [answer.text, *partials]:
        assert not any(mark in text for mark in ("evil", "http", "*", "#", "<", "`"))


async def test_a_correct_answer_without_citations_is_answered_extractively(
    world: World,
) -> None:
    partials: list[str] = []
    answer = await world.ask(
        lambda _n: "Stock markets in Europe and Asia fell sharply after oil prices jumped.",
        partials,
    )
    assert answer.mode is AnswerMode.EXTRACTIVE
    assert answer.text.startswith("Stock markets in Europe and Asia fell sharply on Monday")
    assert [c.passage.title for c in answer.citations][:1] == [MARKETS]
    assert partials == []  # the uncited reply was never shown while it streamed


async def test_claims_citing_sources_we_do_not_have_are_dropped(world: World) -> None:
    answer = await world.ask(
        lambda n: (
            f"Stock markets fell sharply [9]. Oil prices jumped 6 percent [{n}][0][12]. "
            "Traders moved into bonds and gold [99]."
        )
    )
    assert answer.mode is AnswerMode.LLM
    assert answer.text == "Oil prices jumped 6 percent [1]."


async def test_other_citation_styles_are_citations(world: World) -> None:
    answer = await world.ask(
        lambda n: f"Stock markets fell sharply (source {n}). Oil prices jumped【{n}】."
    )
    assert answer.mode is AnswerMode.LLM
    assert answer.text == "Stock markets fell sharply [1]. Oil prices jumped [1]."
