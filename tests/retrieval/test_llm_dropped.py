"""A connection that breaks off is reported as such, not as a timeout."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from index.errors import LLMError
from retrieval.llm import CONNECTION_DROPPED, TIMED_OUT, LLMConfig, LLMGenerator
from tests.fakes.openai_server import FakeOpenAIServer, Fault, Reply

MESSAGES = [{"role": "user", "content": "Where were the talks?"}]
_CHUNK = {
    "id": "c1",
    "object": "chat.completion.chunk",
    "created": 0,
    "model": "m",
    "choices": [
        {"index": 0, "delta": {"role": "assistant", "content": "In "}, "finish_reason": None}
    ],
}

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _hang_up_at_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.close()  # accepted the request, then closed: no answer at all


async def _hang_up_mid_stream(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    event = f"data: {json.dumps(_CHUNK)}\n\n".encode()
    writer.write(
        b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
        b"transfer-encoding: chunked\r\n\r\n" + f"{len(event):x}\r\n".encode() + event + b"\r\n"
    )
    await writer.drain()
    writer.close()  # the first words went out; the rest never comes


async def _llm(handler: Handler) -> AsyncIterator[LLMGenerator]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    config = LLMConfig(
        base_url=f"http://127.0.0.1:{port}/v1",
        api_key="x",
        model="m",
        timeout_seconds=10.0,
        max_retries=0,
    )
    try:
        async with LLMGenerator(config) as llm:
            yield llm
    finally:
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize("handler", [_hang_up_mid_stream, _hang_up_at_once])
async def test_stream_cut_off_has_its_own_message(handler: Handler) -> None:
    async for llm in _llm(handler):
        with pytest.raises(LLMError) as info:
            _ = [delta async for delta in llm.stream(MESSAGES)]
        assert info.value.user_message == CONNECTION_DROPPED


async def test_server_hanging_up_is_not_a_timeout() -> None:
    async for llm in _llm(_hang_up_at_once):
        with pytest.raises(LLMError) as info:
            await llm.complete(MESSAGES)
        assert info.value.user_message == CONNECTION_DROPPED


async def test_fake_server_drop_and_real_timeout_keep_apart() -> None:
    async with FakeOpenAIServer(slow_seconds=10, chunk_chars=4) as server:
        config = LLMConfig(
            base_url=server.base_url, api_key="x", model="m", timeout_seconds=1.0, max_retries=0
        )
        async with LLMGenerator(config) as llm:
            server.push(Reply("Seoul hosted the talks.", fault=Fault.CLOSE_MID_STREAM))
            with pytest.raises(LLMError, match="broke off"):
                _ = [delta async for delta in llm.stream(MESSAGES)]
            server.push(Reply(fault=Fault.SLOW))
            with pytest.raises(LLMError) as info:
                _ = [delta async for delta in llm.stream(MESSAGES)]
            assert info.value.user_message == TIMED_OUT
