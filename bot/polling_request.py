"""The long poll's HTTP (`getUpdates` only): a rate-limit reply said in one WARNING line.

PTB's polling loop waits out a 429 that carries `retry_after` (a `RetryAfter`) with a
debug line only, so an operator never learns the bot is being slowed down; and a 429
without `retry_after` (a proxy's, not Telegram's) becomes a plain `NetworkError`, which
the loop logs as an ERROR with a traceback. The loop's `error_callback`
(`Updater.start_polling`) cannot help: it never sees `RetryAfter`. So the getUpdates
request itself says it, once per refusal, and turns a bare 429 into a `RetryAfter` the
loop waits out. Other failures reach PTB's loop unchanged and are logged as before.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus

from telegram._utils.types import ODVInput
from telegram.error import RetryAfter
from telegram.request import BaseRequest, RequestData

from bot.telegram_http import AiohttpRequest

logger = logging.getLogger(__name__)

# A 429 that says no wait: wait this long, as a flood-control pause usually is a few seconds.
FALLBACK_RETRY_AFTER = 5


class PollingRequest(AiohttpRequest):
    """`AiohttpRequest` for `getUpdates`: a 429 is one WARNING line and a `RetryAfter`."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        code, payload = await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        if code != HTTPStatus.TOO_MANY_REQUESTS:
            return code, payload
        wait = retry_after(payload)
        logger.warning(
            "Telegram is rate-limiting the bot's polling (HTTP 429); polling again in %s s",
            FALLBACK_RETRY_AFTER if wait is None else wait,
        )
        if wait is None:
            raise RetryAfter(FALLBACK_RETRY_AFTER)
        return code, payload  # PTB raises its RetryAfter, which the polling loop waits out


def retry_after(payload: bytes) -> int | None:
    """The `parameters.retry_after` of a Bot API error reply, if it has a usable one (pure)."""
    try:
        body = json.loads(payload.decode("utf-8", "replace"))
    except ValueError:
        return None
    parameters = body.get("parameters") if isinstance(body, dict) else None
    wait = parameters.get("retry_after") if isinstance(parameters, dict) else None
    return wait if isinstance(wait, int) and not isinstance(wait, bool) and wait > 0 else None
