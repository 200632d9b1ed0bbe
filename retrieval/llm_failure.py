"""Why a call to the language model failed, in a few words: the one wording of the bot's
start-up check (`bot/cli_run.py`) and of a failed question's log line (`retrieval/llm.py`),
so `newsbot ask` names a missing model as `newsbot run` does."""

from __future__ import annotations

import re

import openai

from index.errors import cause_chain

# An error body's `code` or `type` is shown only when it is a short identifier: a body may
# echo the request, and an identifier cannot carry any of it.
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,63}")
# How servers say the prompt and the answer do not fit the model's context window (OpenAI
# and vLLM: context_length_exceeded; llama.cpp: exceed_context_size_error; others in words).
_CONTEXT = re.compile(
    r"context[_ ]length|context[_ ](?:size|window)|maximum context|exceeds? (?:the )?context",
    re.IGNORECASE,
)
CONTEXT_ADVICE = (
    "the sources and the answer do not fit the model's context: lower ANSWER_PASSAGES or "
    "LLM_MAX_TOKENS, or use a model with a longer context"
)


def failure_reason(
    exc: BaseException, model: str, timeout: float, *, server_message: bool = False
) -> str:
    """Why a call to `model` failed, in a few words ("HTTP 404: model 'gpt-typo' not
    found"): the one wording of the start-up check (`bot/cli_run.py`) and of a failed
    question. Never the request or the key; the server's own message only when asked
    (`server_message`: the start-up check's request holds nothing private), else, for a
    4xx, its error code when that is a short identifier ("HTTP 400: Bad Request
    (invalid_request_error)")."""
    if isinstance(exc, openai.NotFoundError):
        return f"HTTP 404: model {model!r} not found"
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return f"HTTP {exc.status_code}: the API key was refused"
    if isinstance(exc, openai.APIStatusError):
        return _status_reason(exc, server_message=server_message)
    timed_out = any(isinstance(cause, TimeoutError) for cause in cause_chain(exc))
    # openai's aiohttp transport reports a connection it could not open as a timeout too
    # (ConnectTimeout): only a TimeoutError in the chain proves a wait.
    if isinstance(exc, openai.APITimeoutError) and timed_out:
        return f"no answer within {timeout:g} s"
    if isinstance(exc, openai.APIConnectionError):
        if any(isinstance(cause, ConnectionRefusedError) for cause in cause_chain(exc)):
            return "cannot connect: the server is unreachable (connection refused)"
        cause = exc.__cause__
        return f"cannot connect: {cause}"[:160] if cause else "cannot connect"
    return f"unreadable reply ({type(exc).__name__})"


def _status_reason(exc: openai.APIStatusError, *, server_message: bool) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    message = body.get("message")
    message = message if isinstance(message, str) else ""
    codes = [value for value in (exc.code, exc.type) if isinstance(value, str)]
    shown = next((code for code in codes if _IDENTIFIER.fullmatch(code)), None)
    if any(_CONTEXT.search(text) for text in (*codes, message)):
        return f"HTTP {exc.status_code}" + (f" ({shown})" if shown else "") + f": {CONTEXT_ADVICE}"
    reason = exc.response.reason_phrase
    if server_message and message:
        reason = message
    elif shown and exc.status_code < 500:  # what was wrong with the request; a 5xx's is generic
        reason = f"{reason} ({shown})"
    return f"HTTP {exc.status_code}: {reason[:120]}"
