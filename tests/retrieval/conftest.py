"""The real openai client against the fake OpenAI-compatible server, for answer-path tests.

A test module that needs another server (pieces of a set size, say) defines its own
`server` fixture; `llm` then talks to that one."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from retrieval.llm import LLMConfig, LLMGenerator
from tests.fakes.openai_server import FakeOpenAIServer


@pytest.fixture
async def server() -> AsyncIterator[FakeOpenAIServer]:
    async with FakeOpenAIServer() as fake:
        yield fake


@pytest.fixture
async def llm(server: FakeOpenAIServer) -> AsyncIterator[LLMGenerator]:
    config = LLMConfig(
        base_url=server.base_url, api_key="k", model="m", timeout_seconds=5.0, max_retries=0
    )
    async with LLMGenerator(config) as generator:
        yield generator
