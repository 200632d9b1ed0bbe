"""LLM_MAX_TOKENS: the longest answer the LLM may write, read like every other setting (one
line when it is bad) and sent with each answer request."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.runtime import Runtime
from bot.settings import Settings
from bot.settings_errors import setting_errors
from retrieval.llm import LLMGenerator
from tests.fakes.openai_server import FakeOpenAIServer


def _settings(**values: str) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["many", "0", "8", "100000", "1.5"])
def test_a_bad_llm_max_tokens_is_one_line(value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _settings(LLM_MAX_TOKENS=value)
    assert setting_errors(caught.value) == [
        f"LLM_MAX_TOKENS={value!r} is not valid: expected a whole number from 16 to 32768"
    ]


async def test_llm_max_tokens_bounds_each_answer_request() -> None:
    async with FakeOpenAIServer(["Seoul hosted the talks [1]."]) as server:
        settings = _settings(OPENAI_BASE_URL=server.base_url, LLM_MAX_TOKENS="256")
        config = Runtime(settings).llm_config()
        assert config is not None
        assert config.max_tokens == 256
        async with LLMGenerator(config) as llm:
            await llm.complete([{"role": "user", "content": "Where were the talks?"}])
    assert server.requests[0].body is not None
    assert server.requests[0].body["max_tokens"] == 256
    assert _settings().llm_max_tokens == 700
