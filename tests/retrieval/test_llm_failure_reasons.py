"""A failed LLM call's log line says what went wrong and, where it can, what to do: a prompt
too long for the model's context names the settings that shorten it; a refused connection is
an unreachable server, not a timeout. The server's message never reaches the log."""

from __future__ import annotations

import logging
import socket

import openai
import pytest

from index.errors import LLMError
from retrieval.llm import LLMConfig, LLMGenerator
from retrieval.llm_failure import failure_reason
from tests.fakes.openai_server import FakeOpenAIServer, Fault, Reply

MESSAGES = [{"role": "user", "content": "Why did Blinken visit Seoul? secret-question-text"}]
# What vLLM and OpenAI answer; the numbers echo the request's size, not its text, but a
# server's message may echo anything: only its code is logged.
CONTEXT = Reply(
    fault=Fault.SERVER_ERROR,
    status=400,
    error_code="context_length_exceeded",
    error_message=(
        "This model's maximum context length is 1024 tokens. However, you requested 2395 "
        "tokens (1995 in the messages, 400 in the completion). secret-question-text"
    ),
)


def _config(base_url: str) -> LLMConfig:
    return LLMConfig(base_url=base_url, api_key="k", model="m", timeout_seconds=5.0, max_retries=0)


async def _logged_failure(base_url: str, caplog: pytest.LogCaptureFixture) -> str:
    caplog.set_level(logging.WARNING, logger="retrieval.llm")
    async with LLMGenerator(_config(base_url)) as llm:
        with pytest.raises(LLMError):
            await llm.complete(MESSAGES)
    [record] = [r for r in caplog.records if r.name == "retrieval.llm"]
    return record.getMessage()


async def test_a_context_length_error_says_what_to_do(caplog: pytest.LogCaptureFixture) -> None:
    async with FakeOpenAIServer([CONTEXT]) as server:
        line = await _logged_failure(server.base_url, caplog)
    assert "Bad Request" not in line
    assert "context_length_exceeded" in line
    assert "ANSWER_PASSAGES" in line
    assert "longer context" in line
    assert "secret-question-text" not in line


async def test_a_context_error_in_words_only_is_recognised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # llama.cpp's wording, with a code of its own.
    words = Reply(
        fault=Fault.SERVER_ERROR,
        status=400,
        error_code="exceed_context_size_error",
        error_message="the request exceeds the available context size, try increasing it",
    )
    async with FakeOpenAIServer([words]) as server:
        line = await _logged_failure(server.base_url, caplog)
    assert "HTTP 400 (exceed_context_size_error)" in line
    assert "ANSWER_PASSAGES" in line


async def test_another_bad_request_logs_its_code_not_its_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bad = Reply(
        fault=Fault.SERVER_ERROR,
        status=400,
        error_code="invalid_request_error",
        error_message="messages[0] secret-question-text is invalid",
    )
    odd = Reply(fault=Fault.SERVER_ERROR, status=400, error_code="x y <b>", error_message="z")
    async with FakeOpenAIServer([bad, odd]) as server:
        line = await _logged_failure(server.base_url, caplog)
        caplog.clear()
        odd_line = await _logged_failure(server.base_url, caplog)
    assert line.endswith("HTTP 400: Bad Request (invalid_request_error)")
    assert odd_line.endswith("HTTP 400: Bad Request")  # no identifier: nothing of the body


async def test_a_refused_connection_is_unreachable_not_a_timeout(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    line = await _logged_failure(f"http://127.0.0.1:{port}/v1", caplog)
    assert "no answer within" not in line
    assert "unreachable" in line
    assert "connection refused" in line


async def test_a_real_timeout_is_still_a_timeout(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="retrieval.llm")
    async with FakeOpenAIServer([Reply(fault=Fault.SLOW)], slow_seconds=10) as server:
        config = LLMConfig(
            base_url=server.base_url, api_key="k", model="m", timeout_seconds=0.5, max_retries=0
        )
        async with LLMGenerator(config) as llm:
            with pytest.raises(LLMError):
                await llm.complete(MESSAGES)
    assert [r.getMessage() for r in caplog.records] == [
        "LLM request failed: no answer within 0.5 s"
    ]


def test_the_start_up_check_shows_the_server_message_only_when_asked() -> None:
    with FakeOpenAIServer([Reply(fault=Fault.SERVER_ERROR, status=503)]).in_thread() as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="k", max_retries=0)
        with pytest.raises(openai.APIStatusError) as caught:
            client.chat.completions.create(model="m", messages=MESSAGES)  # type: ignore[arg-type]
        client.close()
    shown = failure_reason(caught.value, "m", 5, server_message=True)
    assert shown == "HTTP 503: The server had an error"
    assert failure_reason(caught.value, "m", 5) == "HTTP 503: Service Unavailable"
