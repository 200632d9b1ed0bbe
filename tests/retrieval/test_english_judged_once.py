"""Whether a question reads as English is judged once per question
(`Answerer.reads_english`: `looks_english` with the corpus's statistics) and that one
judgment rules the composer's names, the LLM reply check's names and the language hint.
Before, the reply check judged by its cue words, which miss "Was ...?" and "Will ...?",
and the statistics were read again for the hint."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

import pytest

from index.embedding import HashingEmbedder
from retrieval.answering import Answerer
from retrieval.assistant import NewsAssistant
from retrieval.async_search import AsyncSearcher
from retrieval.coverage import TermStats
from retrieval.llm import LLMGenerator
from retrieval.types import AnswerMode, Passage
from tests.fakes.openai_server import FakeOpenAIServer
from tests.retrieval.search_world import Doc, build_world

TODAY = date(2022, 6, 23)
FOUND = "Poliovirus was found in London sewage samples [1]."
GLASGOW = "Poliovirus was also found in Glasgow sewage [1]."
WILL = "Will polio spread beyond London?"


class RecordingStats:
    """Statistics of an English corpus where every asked word is common, recording what is
    asked (each look-up takes the keyword index's lock in the bot); or those of `inner`."""

    def __init__(self, inner: TermStats | None = None) -> None:
        self.inner = inner
        self.calls: list[tuple[str, ...]] = []

    def document_frequencies(self, terms: Sequence[str]) -> tuple[list[int], int]:
        self.calls.append(tuple(terms))
        if self.inner is not None:
            return self.inner.document_frequencies(terms)
        return [500] * len(terms), 2000


def passage(text: str, *, similarity: float = 0.6) -> Passage:
    return Passage(
        chunk_id=1,
        article_id=1,
        title="Poliovirus identified in London sewage",
        source="Wire",
        published_at=datetime(2022, 6, 22, tzinfo=UTC),
        url=None,
        text=text,
        score=1.0,
        similarity=similarity,
    )


LONDON = passage(
    "UK health officials are urging people to get vaccinated after poliovirus was found "
    "during routine surveillance of London sewage samples. Officials fear polio could spread "
    "beyond London."
)


@pytest.mark.parametrize(
    "question",
    [
        "Was polio found in London sewage?",
        WILL,
        "Has polio been found in London sewage?",  # the cue words read these two already
        "Did polio spread beyond London?",
    ],
)
async def test_a_reply_naming_a_place_its_source_does_not_loses_that_sentence(
    server: FakeOpenAIServer, llm: LLMGenerator, question: str
) -> None:
    server.push(f"{FOUND} {GLASGOW}")
    answerer = Answerer(llm=llm, term_stats=RecordingStats())
    answer = await answerer.answer(question, [LONDON], today=TODAY, query=question)
    assert answer.mode is AnswerMode.LLM
    # Before, "Was ...?" and "Will ...?" kept the Glasgow sentence: no cue word, no check.
    assert answer.text == FOUND


async def test_a_german_question_has_no_names_checked(
    server: FakeOpenAIServer, llm: LLMGenerator
) -> None:
    # German capitalises its nouns: "Kanzler" and "Montag" are no names the source lacks.
    reply = "Der Kanzler Scholz trat am Montag zurück [1]."
    server.push(reply)
    source = passage("German Chancellor Olaf Scholz resigned on Monday.")
    question = "Was ist mit Olaf Scholz passiert?"
    answerer = Answerer(llm=llm, term_stats=RecordingStats())
    assert not await answerer.reads_english(question)
    answer = await answerer.answer(question, [source], today=TODAY, query="Olaf Scholz")
    assert (answer.mode, answer.text) == (AnswerMode.LLM, reply)


async def test_the_statistics_are_read_once_for_the_names_and_the_hint() -> None:
    stats = RecordingStats()
    weak = passage(LONDON.text, similarity=0.39)  # weak evidence: the hint is considered
    answer = await Answerer(term_stats=stats).answer(WILL, [weak], today=TODAY, query=WILL)
    assert answer.mode is AnswerMode.EXTRACTIVE
    assert "I read questions in English" not in answer.text
    judged = ("polio", "spread", "beyond")  # the words `looks_english` asks the corpus
    # Before: read by the composer's name rule, then again by the language hint.
    assert stats.calls.count(judged) == 1


async def test_the_assistant_judges_a_question_once_for_all_its_answers() -> None:
    embedder = HashingEmbedder(dimension=64)
    world = build_world(
        [Doc("Harvest", ("The rice harvest in Gimpo reached a record.",), published_at=None)],
        embedder,
    )
    stats = RecordingStats(world.searcher)
    async with AsyncSearcher(world.searcher) as searcher:
        assistant = NewsAssistant(
            searcher=searcher, answerer=Answerer(embedder=embedder, term_stats=stats)
        )
        # A pinned article that does not answer, then the search: two answers, one judgment.
        pinned = passage("Dock workers went on strike.", similarity=0.0)
        answer = await assistant.ask(WILL, now=datetime(2022, 6, 23, tzinfo=UTC), pinned=[pinned])
    assert answer.mode is AnswerMode.NOT_FOUND
    assert stats.calls.count(("polio", "spread", "beyond")) == 1
