"""A question whose LLM model does not exist logs the model's name, worded as the bot's
start-up check words it (`newsbot ask` has no start-up check)."""

from __future__ import annotations

import logging

import pytest

from bot.cli_run import llm_problem
from index.errors import LLMError
from retrieval.llm import LLMConfig, LLMGenerator
from tests.fakes.openai_server import FakeOpenAIServer, Fault, Reply

MISSING = Reply(fault=Fault.SERVER_ERROR, status=404)
QUESTION = [{"role": "user", "content": "What happened in Seoul?"}]


def _config(server: FakeOpenAIServer, model: str) -> LLMConfig:
    return LLMConfig(
        base_url=server.base_url, api_key="sk-test", model=model, timeout_seconds=5, max_retries=0
    )


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_missing_model_is_named_in_the_warning(
    caplog: pytest.LogCaptureFixture, streamed: bool
) -> None:
    caplog.set_level(logging.WARNING, logger="retrieval.llm")

    async def ask(llm: LLMGenerator) -> None:
        if streamed:
            _ = [delta async for delta in llm.stream(QUESTION)]
        else:
            await llm.complete(QUESTION)

    async with (
        FakeOpenAIServer(default=MISSING) as server,
        LLMGenerator(_config(server, "gpt-nonexistent")) as llm,
    ):
        with pytest.raises(LLMError):
            await ask(llm)
    assert [r.getMessage() for r in caplog.records] == [
        "LLM request failed: HTTP 404: model 'gpt-nonexistent' not found"
    ]


async def test_the_question_and_the_start_up_check_say_it_alike(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="retrieval.llm")
    with FakeOpenAIServer(default=MISSING).in_thread() as server:
        config = _config(server, "gpt-typo")
        problem = llm_problem(config)
        async with LLMGenerator(config) as llm:
            with pytest.raises(LLMError):
                await llm.complete(QUESTION)
    assert problem == "HTTP 404: model 'gpt-typo' not found"
    assert caplog.records[-1].getMessage() == f"LLM request failed: {problem}"


async def test_server_error_bodies_stay_out_of_question_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="retrieval.llm")
    failing = Reply(fault=Fault.SERVER_ERROR, status=503)
    async with (
        FakeOpenAIServer(default=failing) as server,
        LLMGenerator(_config(server, "m")) as llm,
    ):
        with pytest.raises(LLMError):
            await llm.complete(QUESTION)
    # The body ("The server had an error") may echo a request: only the status line.
    assert [r.getMessage() for r in caplog.records] == [
        "LLM request failed: HTTP 503: Service Unavailable"
    ]
