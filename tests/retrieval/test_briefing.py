"""Questions with no topic ("What happened yesterday?") when an LLM is configured: the model
summarises the period's articles, cited, under the period heading; when it fails or finds
nothing, the bot lists the articles as it does without an LLM. The real pipeline indexes into
SQLite and FAISS (hashing embedder) and the real openai client talks to a local server."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from retrieval.assistant import NewsAssistant
from retrieval.citations import NOT_FOUND_SENTINEL
from retrieval.types import AnswerMode
from tests.fakes.openai_server import FakeOpenAIServer, Fault, Reply
from tests.retrieval.test_dated_questions_end_to_end import (
    FRESH,
    MARKETS,
    NO_DATE,
    NOW,
    STORM,
    STORM_COPY,
    TRAM,
)
from tests.small_corpus import index_articles, make_runtime, sample_articles, with_llm

HEADING = "News from 9 Mar 2026:"
# "[n] Title — outlet, date" lines of the quoted sources.
_SOURCE_LINE = re.compile(r"^\[(\d+)\] (.+?) — ", re.MULTILINE)


def one_line_per_source(messages: list[dict[str, Any]]) -> str:
    """A briefing that states each source's headline, cited: grounded by construction."""
    sources = _SOURCE_LINE.findall(messages[-1]["content"])
    return " ".join(f"{title} [{number}]." for number, title in sources)


@dataclass
class World:
    assistant: NewsAssistant
    llm: FakeOpenAIServer


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with FakeOpenAIServer(responder=one_line_per_source, chunk_chars=16) as llm:
        runtime = make_runtime(with_llm(tmp_path, llm.base_url))
        index_articles(runtime, [*sample_articles(20), *FRESH, NO_DATE])
        assistant = runtime.assistant(runtime.searcher(runtime.open_index()))
        async with assistant.searcher:
            yield World(assistant, llm)
        await runtime.aclose()


async def test_the_llm_briefs_on_the_periods_articles(world: World) -> None:
    answer = await world.assistant.ask("What happened yesterday?", now=NOW)
    assert answer.mode is AnswerMode.LLM
    assert answer.text.startswith(f"{HEADING}\n")
    # The model saw yesterday's stories, once each, and nothing older, with no similarity
    # floor in the way (the question shares no word with any of them).
    quoted = world.llm.requests[-1].messages[-1]["content"]
    titles = {title for _, title in _SOURCE_LINE.findall(quoted)}
    assert {TRAM, MARKETS} <= titles
    assert len(titles & {STORM, STORM_COPY}) == 1
    assert len(titles) == 3
    cited = [c.passage.title for c in answer.citations]
    assert len(cited) == 3
    for citation in answer.citations:
        assert f"{citation.passage.title} [{citation.number}]" in answer.text


async def test_streamed_partials_carry_the_heading(world: World) -> None:
    partials: list[str] = []

    async def on_partial(text: str) -> None:
        partials.append(text)

    answer = await world.assistant.ask("What happened yesterday?", now=NOW, on_partial=on_partial)
    assert answer.mode is AnswerMode.LLM
    assert partials
    assert all(p.startswith(f"{HEADING}\n") for p in partials)


@pytest.mark.parametrize(
    "reply",
    [NOT_FOUND_SENTINEL, Reply(fault=Fault.SERVER_ERROR), "Nothing much happened."],
    ids=["not-found", "server-error", "uncited"],
)
async def test_without_a_briefing_the_articles_are_listed(world: World, reply: str | Reply) -> None:
    world.llm.push(reply)
    answer = await world.assistant.ask("What happened yesterday?", now=NOW)
    assert answer.mode is AnswerMode.EXTRACTIVE
    assert answer.text.startswith(f"{HEADING}\n• ")
    assert len(answer.citations) == 3


async def test_a_topic_question_still_answers_from_matching_passages(world: World) -> None:
    answer = await world.assistant.ask("Why did stock markets fall?", now=NOW)
    assert answer.mode is AnswerMode.LLM
    assert not answer.text.startswith("News")
    assert MARKETS in answer.text
