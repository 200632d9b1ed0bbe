"""Why a call to the language model failed, in a few words: the one wording of the bot's
start-up check (`bot/cli_run.py`) and of a failed question's log line (`retrieval/llm.py`),
so `newsbot ask` names a missing model as `newsbot run` does."""

from __future__ import annotations

import openai


def failure_reason(
    exc: BaseException, model: str, timeout: float, *, server_message: bool = False
) -> str:
    """Why a call to `model` failed, in a few words ("HTTP 404: model 'gpt-typo' not
    found"): the one wording of the start-up check (`bot/cli_run.py`) and of a failed
    question. Never the request or the key; the server's own message only when asked
    (`server_message`: the start-up check's request holds nothing private)."""
    if isinstance(exc, openai.NotFoundError):
        return f"HTTP 404: model {model!r} not found"
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return f"HTTP {exc.status_code}: the API key was refused"
    if isinstance(exc, openai.APIStatusError):
        body = exc.body.get("message") if isinstance(exc.body, dict) else None
        reason = exc.response.reason_phrase
        if server_message and isinstance(body, str) and body:
            reason = body
        return f"HTTP {exc.status_code}: {reason[:120]}"
    if isinstance(exc, openai.APITimeoutError):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__
        return f"cannot connect: {cause}"[:160] if cause else "cannot connect"
    return f"unreadable reply ({type(exc).__name__})"
