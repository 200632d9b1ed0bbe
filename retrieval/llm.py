"""The language model behind answers: an OpenAI-compatible chat endpoint via `AsyncOpenAI`.

Every failure of the endpoint (timeout, rate limit, server error, dropped connection,
malformed or empty reply) leaves this module as `LLMError`, chained `from` the original.
Logs name the failure by class and HTTP status only: error bodies can echo request details,
and the API key never appears in a message, a log line or a repr.

Time: each request is bounded by `timeout_seconds` and retried up to `max_retries` times by
the client, and one question's calls together (the follow-up rewrite, the answer, their
retries and back-off waits) by one `LLMBudget` of `timeout_seconds`
(`retrieval/llm_budget.py`; importable from here too): when it runs out the call is
abandoned with LLMError and no retry starts. A streamed reply the user is already
reading (the consumer calls `LLMBudget.mark_shown()` once it shows a part) is not cut for
time while it flows (`max_tokens` bounds it), only when no piece comes for
`timeout_seconds`: cutting it would swap visible text for another answer. Text the user
never sees (an uncited reply is answered another way) counts against the budget.

A stream must finish: a reply whose stream ends without a `finish_reason` (a server killed
mid-answer that closed its socket in order) is a broken-off reply, LLMError with
CONNECTION_DROPPED like a dropped connection. A reply the endpoint stopped at `max_tokens`
(finish_reason "length") is `ReplyCut`, an LLMError that carries the text: its last sentence
is most likely unfinished, and the caller keeps what ended (`retrieval/llm_stream.py`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp
import openai

from index.errors import LLMError, cause_chain
from retrieval.llm_budget import TIMED_OUT, LLMBudget
from retrieval.llm_failure import failure_reason

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.openai.com/v1"
# Local servers (llama.cpp, vLLM, Ollama) accept any key; the client insists on one.
PLACEHOLDER_API_KEY = "not-needed"

Message = dict[str, str]


@dataclass(frozen=True)
class LLMConfig:
    """Where and how to call the model. `api_key` is a plain string here: the bot layer
    keeps it as a SecretStr and unwraps it when building this object."""

    base_url: str | None
    api_key: str | None = field(repr=False)
    model: str
    timeout_seconds: float = 30
    max_retries: int = 1
    temperature: float = 0.1
    max_tokens: int = 700

    def __post_init__(self) -> None:
        if not self.model.strip():
            raise ValueError("LLMConfig.model must not be empty")
        if self.timeout_seconds <= 0:
            raise ValueError("LLMConfig.timeout_seconds must be positive")
        if self.max_retries < 0:
            raise ValueError("LLMConfig.max_retries must not be negative")
        if self.max_tokens <= 0:
            raise ValueError("LLMConfig.max_tokens must be positive")

    @property
    def configured(self) -> bool:
        """False when neither a key nor a base URL is set: answer extractively instead."""
        return bool(self.base_url or self.api_key)


class Generator(Protocol):
    """What the answerer needs from a language model. Without a `budget` a call is bounded
    per request only (timeout and retries)."""

    def budget(self) -> LLMBudget:
        """A fresh budget for one question's calls."""
        ...

    async def complete(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int | None = None,
        budget: LLMBudget | None = None,
    ) -> str: ...

    def stream(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int | None = None,
        budget: LLMBudget | None = None,
    ) -> AsyncIterator[str]: ...


def _describe(exc: BaseException) -> str:
    """A log-safe name for a failure: its class and HTTP status, never its body."""
    status = getattr(exc, "status_code", None)
    return f"{type(exc).__name__}" + (f" (HTTP {status})" if status is not None else "")


CONNECTION_DROPPED = "The connection to the language model broke off before it finished answering."
BUSY = "The language model is busy right now. Please try again shortly."
REPLY_CUT = "The language model's answer ran past its length limit."


class ReplyCut(LLMError):
    """A whole reply that the endpoint stopped at `max_tokens` (finish_reason "length");
    `text` is what it said, streamed or not."""

    def __init__(self, text: str) -> None:
        super().__init__(REPLY_CUT)
        self.text = text


_HANG_UPS = (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError, ConnectionResetError)


def _timed_out(exc: BaseException) -> bool:
    """A real timeout somewhere in the chain. openai's aiohttp transport reports a closed
    connection as a ConnectTimeout (so APITimeoutError): only TimeoutError proves a wait."""
    return any(isinstance(cause, TimeoutError) for cause in cause_chain(exc))


def _out_of_time() -> LLMError:
    logger.warning("LLM call abandoned: the question's time for the language model ran out")
    return LLMError(TIMED_OUT)


def _to_llm_error(exc: BaseException, config: LLMConfig, *, mid_stream: bool = False) -> LLMError:
    dropped = isinstance(exc, openai.APIConnectionError) and not _timed_out(exc)
    # Mid-stream, any broken connection is a drop; before it, only a server that hung up
    # after accepting the request (a refused connection means it is not available).
    hung_up = any(isinstance(cause, _HANG_UPS) for cause in cause_chain(exc))
    if dropped and (mid_stream or hung_up):
        logger.warning("LLM connection dropped mid-answer: %s", _describe(cause_chain(exc)[-1]))
        return LLMError(CONNECTION_DROPPED)
    # Named as the start-up check names it: `newsbot ask` has no start-up check.
    reason = failure_reason(exc, config.model, config.timeout_seconds)
    logger.warning("LLM request failed: %s", reason)
    if isinstance(exc, openai.APITimeoutError) and not dropped:
        return LLMError(TIMED_OUT)
    if isinstance(exc, openai.RateLimitError):
        return LLMError(BUSY)
    return LLMError()


# What the openai client raises for a failed call: its own errors, and ValueError for a body
# that is not JSON (it surfaces json.JSONDecodeError unwrapped).
_CLIENT_FAILURES = (openai.OpenAIError, ValueError)


class LLMGenerator:
    """Holds one `AsyncOpenAI` client; call `aclose()` (or use `async with`) when done."""

    def __init__(self, config: LLMConfig) -> None:
        self._config = config
        # base_url and api_key are always passed explicitly so the client never falls back
        # to OPENAI_* environment variables behind the settings' back.
        self._client = openai.AsyncOpenAI(
            base_url=config.base_url or DEFAULT_BASE_URL,
            api_key=config.api_key or PLACEHOLDER_API_KEY,
            timeout=config.timeout_seconds,
            max_retries=config.max_retries,
            # aiohttp's connection pool: httpx's scans every pooled connection (a syscall
            # each) on every request, which costs real CPU with 100 answers streaming at once.
            http_client=openai.DefaultAioHttpClient(timeout=config.timeout_seconds),
        )

    @property
    def model(self) -> str:
        return self._config.model

    def budget(self) -> LLMBudget:
        """One question's time for all its calls: `timeout_seconds`."""
        return LLMBudget(self._config.timeout_seconds)

    def _params(self, messages: Sequence[Message], max_tokens: int | None) -> dict[str, Any]:
        return {
            "model": self._config.model,
            "messages": list(messages),
            "temperature": self._config.temperature,
            # A call may ask for less than LLM_MAX_TOKENS (the follow-up rewrite), never more.
            "max_tokens": min(max_tokens or self._config.max_tokens, self._config.max_tokens),
        }

    async def complete(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int | None = None,
        budget: LLMBudget | None = None,
    ) -> str:
        """The assistant's whole reply; LLMError when there is none or `budget` runs out,
        ReplyCut (with the text) when `max_tokens` stopped it."""
        with budget.drawn() if budget else nullcontext() as deadline:
            try:
                async with asyncio.timeout_at(deadline):  # the client's retries included
                    completion = await self._client.chat.completions.create(
                        **self._params(messages, max_tokens)
                    )
            except _CLIENT_FAILURES as exc:
                raise _to_llm_error(exc, self._config) from exc
            except TimeoutError as exc:
                raise _out_of_time() from exc
        choices = getattr(completion, "choices", None)
        if not choices:
            raise _to_llm_error(ValueError("reply without choices"), self._config)
        message = getattr(choices[0], "message", None)
        content = getattr(message, "content", None)
        if not isinstance(content, str) or not content.strip():
            raise _to_llm_error(ValueError("empty reply"), self._config)
        if getattr(choices[0], "finish_reason", None) == "length":
            raise ReplyCut(content)
        return content

    async def stream(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int | None = None,
        budget: LLMBudget | None = None,
    ) -> AsyncIterator[str]:
        """The reply as text deltas (`stream=True`); LLMError on failure, an empty reply, a
        reply that ends without a finish (CONNECTION_DROPPED), `budget` running out before
        the user sees text (`LLMBudget.mark_shown`), or, once they do, a wait of
        `timeout_seconds` for the next piece; ReplyCut after the last piece when
        `max_tokens` stopped it."""
        with budget.drawn() if budget else nullcontext() as deadline:
            try:
                async with asyncio.timeout_at(deadline):
                    chunks = await self._client.chat.completions.create(
                        **self._params(messages, max_tokens), stream=True
                    )
            except _CLIENT_FAILURES as exc:
                raise _to_llm_error(exc, self._config) from exc
            except TimeoutError as exc:
                raise _out_of_time() from exc
            produced: list[str] = []
            finish: str | None = None
            loop = asyncio.get_running_loop()
            try:
                while True:
                    # Each wait is bounded on its own: a timeout must not span a `yield`,
                    # where the consumer's code runs. Text the user reads is never cut for
                    # time (max_tokens bounds its length); a stall is.
                    stalled = loop.time() + self._config.timeout_seconds
                    reading = budget is not None and budget.shown
                    limit = stalled if reading or deadline is None else deadline
                    try:
                        async with asyncio.timeout_at(limit):
                            chunk = await anext(chunks)
                    except StopAsyncIteration:
                        break
                    if not chunk.choices:
                        continue  # usage-only chunks and the like
                    choice = chunk.choices[0]
                    if choice.finish_reason is not None:
                        finish = choice.finish_reason
                    delta = choice.delta.content if choice.delta else None
                    if delta:
                        produced.append(delta)
                        yield delta
            except _CLIENT_FAILURES as exc:
                raise _to_llm_error(exc, self._config, mid_stream=True) from exc
            except TimeoutError as exc:
                raise _out_of_time() from exc
            finally:
                await chunks.close()
        if not produced:
            raise _to_llm_error(ValueError("empty streamed reply"), self._config)
        if finish is None:
            # The body ended in order but the reply did not: the server stopped mid-answer.
            logger.warning("LLM reply broke off: its stream ended without a finish_reason")
            raise LLMError(CONNECTION_DROPPED)
        if finish == "length":
            raise ReplyCut("".join(produced))

    async def aclose(self) -> None:
        await self._client.close()

    async def __aenter__(self) -> LLMGenerator:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
