"""One time budget for all of a question's LLM calls (rewrite, answer, retries): a slow or
failing model costs about LLM_TIMEOUT_SECONDS, then the extractive composer answers. The
real openai client talks to the local fake server; the tests count the requests it got."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from retrieval.answering import Answerer
from retrieval.llm import LLMBudget, LLMConfig, LLMGenerator
from retrieval.types import AnswerMode
from tests.fakes.openai_server import FakeOpenAIServer, Fault, Reply
from tests.retrieval.test_answering import PASSAGES, QUESTION, TODAY

HISTORY = [("user", "Where is Blinken?"), ("assistant", "He is in Seoul [1].")]
ANSWER = "Blinken arrived in Seoul on Thursday [1]."  # supported by PASSAGES[0]
# Supported by PASSAGES[0] and [1]; in pieces of 45 characters, the first sentence is shown
# with the first piece (a partial shows finished sentences only).
LONG_ANSWER = (
    "Blinken arrived in Seoul on Thursday [1]. He came for talks with President Yoon [1]. "
    "The visit follows a G7 meeting in Japan [1]. "
    "North Korea provided a million shells to Russia [2]."
)


@asynccontextmanager
async def generator(
    server: FakeOpenAIServer, *, budget: float, retries: int = 1
) -> AsyncIterator[LLMGenerator]:
    config = LLMConfig(
        base_url=server.base_url,
        api_key="k",
        model="m",
        timeout_seconds=budget,
        max_retries=retries,
    )
    async with LLMGenerator(config) as llm:
        yield llm


async def _nothing(_text: str) -> None:
    return None


@pytest.mark.parametrize("streaming", [False, True])
async def test_a_hung_model_costs_one_budget_for_rewrite_and_answer(streaming: bool) -> None:
    async with (
        FakeOpenAIServer(default=Reply(fault=Fault.SLOW), slow_seconds=30) as server,
        generator(server, budget=1.0) as llm,
    ):
        answerer = Answerer(llm=llm)
        budget = answerer.llm_budget()
        assert budget is not None
        query = await answerer.condense("And what did he do there?", HISTORY, budget=budget)
        answer = await answerer.answer(
            QUESTION,
            PASSAGES,
            today=TODAY,
            query=query,
            history=HISTORY,
            on_partial=_nothing if streaming else None,
            budget=budget,
        )
    assert answer.mode is AnswerMode.EXTRACTIVE
    # The rewrite waited out the whole budget, without a retry; the answer then asked
    # nothing (before: two tries of each, four requests and twice the wait of each).
    assert len(server.requests) == 1
    assert budget.left <= 0


async def test_no_retry_starts_once_the_budget_is_spent() -> None:
    # A fast 500: the client would retry after 0.375-0.5 s, more than the 0.3 s budget.
    async with (
        FakeOpenAIServer(default=Reply(fault=Fault.SERVER_ERROR)) as server,
        generator(server, budget=0.3) as llm,
    ):
        answer = await Answerer(llm=llm).answer(QUESTION, PASSAGES, today=TODAY, query="seoul")
    assert answer.mode is AnswerMode.EXTRACTIVE
    assert len(server.requests) == 1


async def test_retries_run_while_the_budget_lasts() -> None:
    async with (
        FakeOpenAIServer([Reply(fault=Fault.SERVER_ERROR), ANSWER]) as server,
        generator(server, budget=10.0) as llm,
    ):
        answer = await Answerer(llm=llm).answer(QUESTION, PASSAGES, today=TODAY, query="seoul")
    assert answer.mode is AnswerMode.LLM
    assert len(server.requests) == 2


async def test_a_streamed_answer_already_arriving_may_finish_after_the_budget() -> None:
    # Five pieces 0.4 s apart: the first sentence is shown at 0.4 s, the reply ends at 2 s,
    # past the 1 s budget, and no wait for a piece comes near a budget's length.
    async with (
        FakeOpenAIServer([Reply(LONG_ANSWER, chunk_delay=0.4)], chunk_chars=45) as server,
        generator(server, budget=1.0) as llm,
    ):
        budget = LLMBudget(1.0)
        answer = await Answerer(llm=llm, partial_min_chars=1).answer(
            QUESTION, PASSAGES, today=TODAY, query="seoul", on_partial=_nothing, budget=budget
        )
    assert answer.mode is AnswerMode.LLM
    assert answer.text == LONG_ANSWER
    assert budget.shown
    assert budget.left < 0  # it did run past the budget


async def test_a_stream_that_flows_is_not_cut_for_time() -> None:
    # A piece every 0.3 s: 1.5 s for the whole answer, past the 1 s budget; the user is
    # reading it as it comes (its first sentence is shown at 0.3 s), so it finishes.
    async with (
        FakeOpenAIServer([Reply(LONG_ANSWER, chunk_delay=0.3)], chunk_chars=45) as server,
        generator(server, budget=1.0) as llm,
    ):
        answer = await Answerer(llm=llm).answer(
            QUESTION, PASSAGES, today=TODAY, query="seoul", on_partial=_nothing
        )
    assert answer.mode is AnswerMode.LLM
    assert answer.text == LONG_ANSWER
    assert len(server.requests) == 1


async def test_text_the_user_never_sees_is_cut_at_the_budget() -> None:
    # Uncited text flows for 3 s (nothing of it is shown: an uncited reply is answered
    # another way), a cited sentence only at its end: the 1 s budget ends it, and the
    # composer answers, instead of a typing indicator for the whole reply.
    filler = "The talks covered many subjects that the news reports at length. " * 4
    unseen = Reply(filler + ANSWER, chunk_delay=0.1)
    async with (
        FakeOpenAIServer([unseen], chunk_chars=10) as server,
        generator(server, budget=1.0) as llm,
    ):
        budget = LLMBudget(1.0)
        answer = await Answerer(llm=llm, partial_min_chars=1).answer(
            QUESTION, PASSAGES, today=TODAY, query="seoul", on_partial=_nothing, budget=budget
        )
    assert answer.mode is AnswerMode.EXTRACTIVE
    assert not budget.shown
    assert len(server.requests) == 1


async def test_a_stream_that_stalls_is_cut() -> None:
    # The first piece, then nothing for 30 s: cut after one timeout of silence.
    stall = Reply(ANSWER, fault=Fault.STALL_MID_STREAM)
    async with (
        FakeOpenAIServer([stall], chunk_chars=14, slow_seconds=30) as server,
        generator(server, budget=0.3) as llm,
    ):
        answer = await Answerer(llm=llm).answer(
            QUESTION, PASSAGES, today=TODAY, query="seoul", on_partial=_nothing
        )
    assert answer.mode is AnswerMode.EXTRACTIVE
    assert len(server.requests) == 1


async def test_a_spent_budget_sends_no_request() -> None:
    budget = LLMBudget(0.05)
    with budget.drawn():  # a call that took longer than the budget
        await asyncio.sleep(0.06)
    assert budget.left < 0
    async with FakeOpenAIServer([ANSWER]) as server, generator(server, budget=5.0) as llm:
        answer = await Answerer(llm=llm).answer(
            QUESTION, PASSAGES, today=TODAY, query="seoul", budget=budget
        )
    assert answer.mode is AnswerMode.EXTRACTIVE
    assert server.requests == []


def test_a_budget_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        LLMBudget(0)
