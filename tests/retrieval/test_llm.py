"""LLMGenerator with the real openai client against the local fake server."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import openai
import pytest

from index.errors import LLMError
from retrieval.llm import LLMConfig, LLMGenerator
from tests.fakes.openai_server import FakeOpenAIServer, Fault, Reply

SECRET = "sk-test-0123456789-very-secret"
MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi?"}]


@pytest.fixture
async def server() -> AsyncIterator[FakeOpenAIServer]:
    async with FakeOpenAIServer(slow_seconds=10, chunk_chars=4) as fake:
        yield fake


def _config(server: FakeOpenAIServer, **overrides: object) -> LLMConfig:
    values: dict[str, object] = {
        "base_url": server.base_url,
        "api_key": SECRET,
        "model": "test-model",
        "timeout_seconds": 2.0,  # generous: a loaded CI machine is slow to connect
        "max_retries": 0,
    }
    values.update(overrides)
    return LLMConfig(**values)  # type: ignore[arg-type]


@pytest.fixture
async def llm(server: FakeOpenAIServer) -> AsyncIterator[LLMGenerator]:
    async with LLMGenerator(_config(server)) as generator:
        yield generator


async def test_complete_sends_the_configured_request(
    server: FakeOpenAIServer, llm: LLMGenerator
) -> None:
    server.push("Hello [1].")
    assert await llm.complete(MESSAGES) == "Hello [1]."
    [request] = server.requests
    assert request.body is not None
    assert request.body["model"] == "test-model"
    assert request.body["max_tokens"] == 700
    assert request.body["temperature"] == pytest.approx(0.1)
    assert request.messages == MESSAGES
    assert not request.stream
    assert request.headers["Authorization"] == f"Bearer {SECRET}"


async def test_complete_max_tokens_override(server: FakeOpenAIServer, llm: LLMGenerator) -> None:
    server.push("ok")
    await llm.complete(MESSAGES, max_tokens=50)
    assert server.requests[0].body is not None
    assert server.requests[0].body["max_tokens"] == 50


async def test_stream_yields_the_deltas(server: FakeOpenAIServer, llm: LLMGenerator) -> None:
    server.push("Seoul hosted the talks [1].")
    deltas = [delta async for delta in llm.stream(MESSAGES)]
    assert len(deltas) > 1
    assert "".join(deltas) == "Seoul hosted the talks [1]."
    assert server.requests[0].stream


FAULTS = [
    Reply(fault=Fault.RATE_LIMIT, retry_after=0.01),
    Reply(fault=Fault.SERVER_ERROR),
    Reply(fault=Fault.SERVER_ERROR, status=503),
    Reply("late", fault=Fault.SLOW),
    Reply(fault=Fault.MALFORMED),
    Reply("x", fault=Fault.EMPTY_CHOICES),
    Reply(fault=Fault.CLOSE),
    Reply(""),  # an empty answer is no answer
]


@pytest.mark.parametrize("reply", FAULTS, ids=lambda r: f"{r.fault}-{r.status}")
async def test_complete_failures_become_llm_error(
    server: FakeOpenAIServer, llm: LLMGenerator, reply: Reply
) -> None:
    server.push(reply)
    with pytest.raises(LLMError):
        await llm.complete(MESSAGES)
    assert len(server.requests) == 1  # no retries with max_retries=0


@pytest.mark.parametrize(
    "reply",
    [*FAULTS, Reply("Seoul hosted the talks.", fault=Fault.CLOSE_MID_STREAM)],
    ids=lambda r: f"{r.fault}-{r.status}",
)
async def test_stream_failures_become_llm_error(
    server: FakeOpenAIServer, llm: LLMGenerator, reply: Reply
) -> None:
    server.push(reply)
    with pytest.raises(LLMError):
        _ = [delta async for delta in llm.stream(MESSAGES)]


async def test_timeout_and_rate_limit_have_specific_user_messages(
    server: FakeOpenAIServer, llm: LLMGenerator
) -> None:
    server.push(Reply(fault=Fault.SLOW), Reply(fault=Fault.RATE_LIMIT, retry_after=0.01))
    with pytest.raises(LLMError, match="too long"):
        await llm.complete(MESSAGES)
    with pytest.raises(LLMError, match="busy"):
        await llm.complete(MESSAGES)


async def test_retries_a_rate_limit_when_configured(server: FakeOpenAIServer) -> None:
    server.push(Reply(fault=Fault.RATE_LIMIT, retry_after=0.01), "Second time lucky.")
    async with LLMGenerator(_config(server, max_retries=1)) as llm:
        assert await llm.complete(MESSAGES) == "Second time lucky."
    assert len(server.requests) == 2


async def test_the_api_key_never_leaks(
    server: FakeOpenAIServer, caplog: pytest.LogCaptureFixture
) -> None:
    config = _config(server)
    assert SECRET not in repr(config)
    server.push(Reply(fault=Fault.SERVER_ERROR), Reply(fault=Fault.RATE_LIMIT, retry_after=0.01))
    caplog.set_level(logging.DEBUG, logger="retrieval")
    async with LLMGenerator(config) as llm:
        for _ in range(2):
            with pytest.raises(LLMError) as caught:
                await llm.complete(MESSAGES)
            assert SECRET not in caught.value.user_message
            assert SECRET not in str(caught.value)
    assert caplog.records, "failures are logged"
    assert all(SECRET not in record.getMessage() for record in caplog.records)


def test_config_validation_and_configured() -> None:
    with pytest.raises(ValueError, match="model"):
        LLMConfig(base_url=None, api_key="k", model=" ")
    with pytest.raises(ValueError, match="timeout"):
        LLMConfig(base_url=None, api_key="k", model="m", timeout_seconds=0)
    with pytest.raises(ValueError, match="retries"):
        LLMConfig(base_url=None, api_key="k", model="m", max_retries=-1)
    assert not LLMConfig(base_url=None, api_key=None, model="m").configured
    assert LLMConfig(base_url="http://127.0.0.1:1/v1", api_key=None, model="m").configured
    assert LLMConfig(base_url=None, api_key="k", model="m").configured


async def test_works_without_an_api_key(server: FakeOpenAIServer) -> None:
    server.push("fine")
    async with LLMGenerator(_config(server, api_key=None)) as llm:
        assert await llm.complete(MESSAGES) == "fine"


def test_fake_server_serves_sync_callers_from_a_thread() -> None:
    """The same fake, for sync and subprocess tests: its own loop on a thread."""
    fake = FakeOpenAIServer(responder=lambda messages: f"echo: {messages[-1]['content']}")
    with (
        fake.in_thread() as server,
        openai.OpenAI(base_url=server.base_url, api_key="k", max_retries=0) as client,
    ):
        reply = client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}]
        )
        assert reply.choices[0].message.content == "echo: hi"
    assert len(fake.requests) == 1
    with pytest.raises(RuntimeError, match="not running"):
        _ = fake.base_url
