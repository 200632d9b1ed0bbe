"""Answerer end to end: real openai client against the fake server, extractive fallback."""

from __future__ import annotations

import itertools
import threading
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime

import numpy as np
import pytest

from retrieval.answering import Answerer, PartialCallback
from retrieval.condense import heuristic_condense
from retrieval.llm import LLMConfig, LLMGenerator
from retrieval.llm_reply import partial_view
from retrieval.not_found import CLOSEST_HEADLINES, NOT_FOUND_TEXT
from retrieval.types import Answer, AnswerMode, Passage
from tests.fakes.openai_server import FakeOpenAIServer, Fault, Reply

TODAY = date(2024, 5, 2)
QUESTION = "When did Blinken arrive in Seoul?"


def passage(n: int, text: str, *, similarity: float = 0.6, story_id: int | None = None) -> Passage:
    return Passage(
        chunk_id=n,
        article_id=n,
        title=f"Headline {n}",
        source="Wire",
        published_at=datetime(2024, 5, 1, tzinfo=UTC),
        url=f"https://example.com/{n}",
        text=text,
        score=1.0 / n,
        similarity=similarity,
        story_id=story_id,
    )


SEOUL = passage(
    1,
    "Secretary of State Antony Blinken arrived in Seoul on Thursday for talks with President "
    "Yoon. The visit follows a G7 meeting in Japan.",
)
SHELLS = passage(2, "Seoul says North Korea provided a million shells to Russia for its war.")
RAIN = passage(3, "Heavy rain flooded parts of Lisbon on Tuesday.", similarity=0.1)
PASSAGES = [SEOUL, SHELLS, RAIN]


@pytest.fixture
async def server() -> AsyncIterator[FakeOpenAIServer]:
    async with FakeOpenAIServer(slow_seconds=10) as fake:
        yield fake


@pytest.fixture
async def llm(server: FakeOpenAIServer) -> AsyncIterator[LLMGenerator]:
    config = LLMConfig(
        base_url=server.base_url, api_key="k", model="m", timeout_seconds=2.0, max_retries=0
    )
    async with LLMGenerator(config) as generator:
        yield generator


async def ask(
    answerer: Answerer,
    passages: Sequence[Passage] = PASSAGES,
    *,
    on_partial: PartialCallback | None = None,
) -> Answer:
    return await answerer.answer(
        QUESTION, passages, today=TODAY, query="blinken seoul", on_partial=on_partial
    )


async def test_llm_answer_is_verified_and_renumbered(
    server: FakeOpenAIServer, llm: LLMGenerator
) -> None:
    server.push("Shells went to Russia [2]. Blinken arrived on Thursday [1][7].")
    answer = await ask(Answerer(llm=llm))
    assert answer.mode is AnswerMode.LLM
    assert answer.text == "Shells went to Russia [1]. Blinken arrived on Thursday [2]."
    assert [(c.number, c.passage.chunk_id) for c in answer.citations] == [(1, 2), (2, 1)]
    assert answer.query == "blinken seoul"
    assert answer.passages == tuple(PASSAGES)
    assert {"llm", "answer"} <= answer.timings.keys()
    # Only evidence above the relevance floor reached the model, as quoted sources.
    [request] = server.requests
    user = request.messages[-1]["content"]
    assert "[1] Headline 1 — Wire, 2024-05-01" in user
    assert "[2] Headline 2" in user
    assert "Lisbon" not in user
    assert user.endswith(f"Question: {QUESTION}")
    assert "2024-05-02" in request.messages[0]["content"]


async def test_llm_sentences_their_sources_do_not_hold_are_dropped(
    server: FakeOpenAIServer, llm: LLMGenerator
) -> None:
    # A valid marker on an invented number, and invented names with a marker out of range.
    server.push(
        "Blinken arrived in Seoul on Thursday [1]. The Seoul stock market fell 20% [2]. "
        "Macron joined Kishida in Paris [7]. North Korea sent a million shells [2]."
    )
    answer = await ask(Answerer(llm=llm))
    assert answer.mode is AnswerMode.LLM
    assert answer.text == (
        "Blinken arrived in Seoul on Thursday [1]. North Korea sent a million shells [2]."
    )


@pytest.mark.parametrize(
    "reply", ["The Seoul stock market fell 20% [2].", "Blinken came [7].", "The answer is: 3"]
)
async def test_an_llm_reply_with_nothing_supported_is_answered_extractively(
    server: FakeOpenAIServer, llm: LLMGenerator, reply: str
) -> None:
    # The checks emptied the reply: that says nothing about the sources, which do answer.
    server.push(reply)
    answer = await ask(Answerer(llm=llm))
    assert answer.mode is AnswerMode.EXTRACTIVE
    assert "Blinken arrived in Seoul on Thursday" in answer.text


@pytest.mark.parametrize("reply", ["NOT_FOUND", "I cannot tell from these sources."])
async def test_llm_sentinel_or_refusal_is_not_found(
    server: FakeOpenAIServer, llm: LLMGenerator, reply: str
) -> None:
    server.push(reply)
    answer = await ask(Answerer(llm=llm))
    assert answer.mode is AnswerMode.NOT_FOUND
    assert answer.text.startswith(NOT_FOUND_TEXT)
    assert CLOSEST_HEADLINES in answer.text
    assert [c.passage.chunk_id for c in answer.citations] == [1, 2, 3]
    assert "[1] Headline 1" in answer.text


@pytest.mark.parametrize(
    "fault",
    [Fault.RATE_LIMIT, Fault.SERVER_ERROR, Fault.SLOW, Fault.MALFORMED, Fault.CLOSE],
)
@pytest.mark.parametrize("streaming", [False, True], ids=["complete", "stream"])
async def test_llm_failures_fall_back_to_extractive(
    server: FakeOpenAIServer, llm: LLMGenerator, fault: Fault, streaming: bool
) -> None:
    server.push(Reply("Blinken arrived [1].", fault=fault, retry_after=0.01))
    partials: list[str] = []

    async def on_partial(text: str) -> None:
        partials.append(text)

    answer = await ask(Answerer(llm=llm), on_partial=on_partial if streaming else None)
    assert answer.mode is AnswerMode.EXTRACTIVE
    assert answer.text.startswith("Secretary of State Antony Blinken arrived in Seoul")
    assert answer.citations[0].passage == SEOUL
    assert {"llm", "extractive", "answer"} <= answer.timings.keys()
    assert len(server.requests) == 1


async def test_stream_dropped_midway_falls_back(
    server: FakeOpenAIServer, llm: LLMGenerator
) -> None:
    server.push(Reply("Blinken arrived in Seoul on Thursday [1].", fault=Fault.CLOSE_MID_STREAM))
    partials: list[str] = []

    async def on_partial(text: str) -> None:
        partials.append(text)

    answer = await ask(Answerer(llm=llm, partial_min_chars=1), on_partial=on_partial)
    assert answer.mode is AnswerMode.EXTRACTIVE


async def test_streaming_reports_verified_partials(
    server: FakeOpenAIServer, llm: LLMGenerator
) -> None:
    reply = (
        "Shells went to Russia [2][9]. Blinken arrived in Seoul on Thursday [1]. He met Yoon [1]."
    )
    server.push(reply)
    partials: list[str] = []

    async def on_partial(text: str) -> None:
        partials.append(text)

    answer = await ask(Answerer(llm=llm, partial_min_chars=10), on_partial=on_partial)
    assert server.requests[0].stream
    assert answer.mode is AnswerMode.LLM
    assert answer.text == (
        "Shells went to Russia [1]. Blinken arrived in Seoul on Thursday [2]. He met Yoon [2]."
    )
    # A partial per finished sentence (the last one is the final answer itself).
    assert partials == [
        "Shells went to Russia [1].",
        "Shells went to Russia [1]. Blinken arrived in Seoul on Thursday [2].",
    ]
    assert all(len(a) <= len(b) for a, b in itertools.pairwise(partials))
    assert all("[9]" not in p and "[2][" not in p for p in partials)
    assert all(answer.text.startswith(p) for p in partials)


async def test_a_streamed_claim_the_sources_lack_is_never_shown(
    server: FakeOpenAIServer, llm: LLMGenerator
) -> None:
    server.push(
        "The Seoul stock market fell 20% on Thursday [1]. Blinken arrived in Seoul [1]. "
        "Shells went to Russia [2]."
    )
    partials: list[str] = []

    async def on_partial(text: str) -> None:
        partials.append(text)

    answer = await ask(Answerer(llm=llm, partial_min_chars=1), on_partial=on_partial)
    assert answer.text == "Blinken arrived in Seoul [1]. Shells went to Russia [2]."
    assert partials  # finished sentences were shown while the reply streamed
    assert all("20%" not in p for p in partials)
    assert all(a != b for a, b in itertools.pairwise(partials))  # no repeated edits


async def test_streamed_sentinel_is_never_shown(
    server: FakeOpenAIServer, llm: LLMGenerator
) -> None:
    server.push("NOT_FOUND")
    partials: list[str] = []

    async def on_partial(text: str) -> None:
        partials.append(text)

    answer = await ask(Answerer(llm=llm, partial_min_chars=1), on_partial=on_partial)
    assert answer.mode is AnswerMode.NOT_FOUND
    assert partials == []


async def test_a_failing_partial_callback_does_not_lose_the_answer(
    server: FakeOpenAIServer, llm: LLMGenerator
) -> None:
    server.push("Blinken arrived in Seoul on Thursday, officials said [1]. He met Yoon [1].")
    calls = 0

    async def on_partial(text: str) -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("telegram said no")

    answer = await ask(Answerer(llm=llm, partial_min_chars=5), on_partial=on_partial)
    assert answer.mode is AnswerMode.LLM
    assert calls == 1


def test_partial_view_holds_back_a_possible_sentinel() -> None:
    assert partial_view("NOT_", 3) is None
    assert partial_view("**NOT_FOUND", 3) is None
    assert partial_view("No hay datos [1", 3) == "No hay datos"
    assert partial_view("A [3] and B [1", 3) == "A [1] and B"


async def test_without_llm_answers_extractively() -> None:
    answer = await ask(Answerer())
    assert answer.mode is AnswerMode.EXTRACTIVE
    assert answer.text.endswith("[1]")
    assert "Lisbon" not in answer.text
    assert "extractive" in answer.timings


async def test_extractive_runs_the_embedder_off_the_loop() -> None:
    threads: list[str] = []

    class OneHotEmbedder:
        model_name = "one-hot"
        dimension = 2

        def embed(self, texts: Sequence[str]) -> np.ndarray:
            threads.append(threading.current_thread().name)
            return np.array([[1.0, 0.0] if "Blinken" in t else [0.0, 1.0] for t in texts])

        def embed_query(self, text: str) -> np.ndarray:
            return np.array([1.0, 0.0])

    answer = await ask(Answerer(embedder=OneHotEmbedder()))
    assert answer.mode is AnswerMode.EXTRACTIVE
    assert "Blinken" in answer.text
    assert threads
    assert threads[0] != threading.current_thread().name


async def test_nothing_extractable_is_not_found() -> None:
    off_topic = passage(4, "The orchestra played Mahler to a full hall on Friday.")
    answer = await ask(Answerer(), [off_topic])
    assert answer.mode is AnswerMode.NOT_FOUND
    assert [c.passage for c in answer.citations] == [off_topic]


async def test_below_the_floor_is_not_found_without_calling_the_llm(
    server: FakeOpenAIServer, llm: LLMGenerator
) -> None:
    weak = [
        passage(1, "Unrelated one.", similarity=0.2, story_id=5),
        passage(2, "Same story, other outlet.", similarity=0.15, story_id=5),
        passage(3, "Unrelated two.", similarity=0.1),
        passage(4, "Unrelated three.", similarity=0.05),
        passage(5, "Unrelated four.", similarity=0.01),
    ]
    answer = await ask(Answerer(llm=llm), weak)
    assert answer.mode is AnswerMode.NOT_FOUND
    assert [(c.number, c.passage.chunk_id) for c in answer.citations] == [(1, 1), (2, 3), (3, 4)]
    assert server.requests == []


async def test_no_passages_is_not_found_without_citations() -> None:
    answer = await ask(Answerer(), [])
    assert answer.mode is AnswerMode.NOT_FOUND
    assert answer.text == NOT_FOUND_TEXT
    assert answer.citations == ()


async def test_min_similarity_is_configurable() -> None:
    async def rain(answerer: Answerer) -> AnswerMode:
        answer = await answerer.answer(
            "Did rain flood Lisbon?", [RAIN], today=TODAY, query="lisbon"
        )
        return answer.mode

    assert await rain(Answerer()) is AnswerMode.NOT_FOUND  # similarity 0.1 < 0.25
    assert await rain(Answerer(min_similarity=0.05)) is AnswerMode.EXTRACTIVE
    strict = Answerer(min_similarity=0.9)
    answer = await strict.answer(QUESTION, PASSAGES, today=TODAY, query="seoul")
    assert answer.mode is AnswerMode.NOT_FOUND


@pytest.mark.parametrize(
    ("query", "mode"),
    [
        ("rain lisbon", AnswerMode.EXTRACTIVE),  # both words: evidence by words
        ("rain lisbon flood", AnswerMode.EXTRACTIVE),  # "flood" stems to "flood": 3 of 3
        ("rain madrid porto", AnswerMode.NOT_FOUND),  # one word of three
        ("lisbon", AnswerMode.NOT_FOUND),  # one word is not enough
    ],
)
async def test_a_passage_below_the_floor_is_evidence_by_most_of_the_words(
    query: str, mode: AnswerMode
) -> None:
    answer = await Answerer().answer("Did rain flood Lisbon?", [RAIN], today=TODAY, query=query)
    assert answer.mode is mode


# -- condense ----------------------------------------------------------------------------------

HISTORY = [
    ("user", "What did Blinken say in Seoul?"),
    ("assistant", "He was deeply concerned [1]."),
]


async def test_condense_with_the_llm(server: FakeOpenAIServer, llm: LLMGenerator) -> None:
    server.push('"Blinken statements in Tokyo"\n')
    condensed = await Answerer(llm=llm).condense("And in Tokyo?", HISTORY)
    assert condensed == "Blinken statements in Tokyo"
    [request] = server.requests
    assert "And in Tokyo?" in request.messages[-1]["content"]
    assert request.body is not None
    assert request.body["max_tokens"] < 700


async def test_condense_without_history_keeps_the_question(
    server: FakeOpenAIServer, llm: LLMGenerator
) -> None:
    assert await Answerer(llm=llm).condense("  Who won?  ", []) == "Who won?"
    assert server.requests == []


async def test_condense_falls_back_to_the_heuristic(
    server: FakeOpenAIServer, llm: LLMGenerator
) -> None:
    server.push(Reply(fault=Fault.SERVER_ERROR))
    condensed = await Answerer(llm=llm).condense("And in Tokyo?", HISTORY)
    assert condensed == "Blinken Seoul And in Tokyo?"
    assert await Answerer().condense("And in Tokyo?", HISTORY) == condensed


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What did he say about Russia?", "Blinken Seoul What did he say about Russia?"),
        ("Why?", "Blinken Seoul Why?"),
        ("What about Tokyo?", "Blinken Seoul What about Tokyo?"),
        (
            "Which countries sent troops to the Lebanese border last month?",
            "Which countries sent troops to the Lebanese border last month?",
        ),
        ("Blinken Seoul remarks", "Blinken Seoul remarks"),
    ],
)
def test_heuristic_condense(question: str, expected: str) -> None:
    assert heuristic_condense(question, HISTORY) == expected


def test_heuristic_condense_uses_the_last_user_turn() -> None:
    history = [
        ("user", "Taiwan election results"),
        ("assistant", "x"),
        ("user", "Ukraine grain deal"),
    ]
    assert heuristic_condense("Is it still on?", history) == "Ukraine grain deal Is it still on?"
    assert heuristic_condense("Is it still on?", []) == "Is it still on?"


async def test_a_date_the_reply_writes_in_words_is_the_sources_date(
    server: FakeOpenAIServer, llm: LLMGenerator
) -> None:
    # The prompt shows 2024-05-01; the model says "May 1" and "Wednesday".
    server.push("Blinken arrived in Seoul on Wednesday, May 1 [1].")
    answer = await ask(Answerer(llm=llm))
    assert answer.text == "Blinken arrived in Seoul on Wednesday, May 1 [1]."


async def test_a_year_the_question_names_must_be_in_the_evidence() -> None:
    # SEOUL and SHELLS are from 2024: a question about 2030 is not answered from them.
    answer = await ask_about("When will Blinken return to Seoul in 2030?")
    assert answer.mode is AnswerMode.NOT_FOUND
    answer = await ask_about("When did Blinken arrive in Seoul in 2024?")
    assert answer.mode is AnswerMode.EXTRACTIVE


async def ask_about(question: str) -> Answer:
    return await Answerer().answer(question, PASSAGES, today=TODAY, query=question)


async def test_an_extractive_answer_quotes_only_passages_naming_a_name_asked_about() -> None:
    # The words fit SEOUL (arrived, Thursday, talks), but it names neither Kishida nor Tokyo;
    # a weekday is no name.
    answer = await ask_about("Did Kishida arrive in Tokyo on Thursday for talks?")
    assert answer.mode is AnswerMode.NOT_FOUND
    assert [c.passage.chunk_id for c in answer.citations][:1] == [1]  # closest headlines
    answer = await ask_about("Did Blinken's team arrive in Tokyo on Thursday for talks?")
    assert answer.mode is AnswerMode.EXTRACTIVE  # Blinken is named


async def test_the_llm_still_reads_passages_that_name_nothing_asked_about(
    server: FakeOpenAIServer, llm: LLMGenerator
) -> None:
    # A model can tell whether the passage answers; the name rule is the composer's.
    server.push("Talks were held in Seoul on Thursday [1].")
    question = "Did Kishida arrive in Tokyo on Thursday for talks?"
    answer = await Answerer(llm=llm).answer(question, PASSAGES, today=TODAY, query=question)
    assert answer.mode is AnswerMode.LLM
    assert "Seoul" in server.requests[-1].messages[-1]["content"]
