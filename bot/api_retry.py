"""Bot API calls that survive a bad moment: PTB's rate limiter (it waits out 429 replies
and keeps to a global rate) extended to retry timeouts and network failures, with backoff.

Only calls that cannot show a user anything twice are repeated after a timeout (a message
that timed out may still have been sent); any call is repeated after a refused connection.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

logger = logging.getLogger(__name__)

# Repeating these after a timeout cannot duplicate anything a user sees.
_SAFE_TO_REPEAT = frozenset(
    {
        "sendChatAction",
        "editMessageText",
        "editMessageReplyMarkup",
        "deleteMessage",
        "answerCallbackQuery",
        "getMe",
        "getChat",
        "getChatMember",
        "getChatAdministrators",
        "setMyCommands",
        "getMyCommands",
        "deleteWebhook",
        "setWebhook",
    }
)


class RetryingRateLimiter(AIORateLimiter):
    """PTB's rate limiter (waits out 429s) that also retries transient network failures."""

    def __init__(
        self,
        *,
        max_retries: int,
        network_retries: int,
        network_delay: float,
        overall_max_rate: float = 30.0,
    ) -> None:
        super().__init__(max_retries=max_retries, overall_max_rate=overall_max_rate)
        self._network_retries = network_retries
        self._network_delay = network_delay

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        attempt = 0
        while True:
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:
                raise
            except TimedOut:
                if endpoint not in _SAFE_TO_REPEAT or attempt >= self._network_retries:
                    raise
            except NetworkError:
                # getUpdates has its own retry loop in the updater.
                if endpoint == "getUpdates" or attempt >= self._network_retries:
                    raise
            delay = self._network_delay * 2**attempt
            attempt += 1
            logger.info("%s failed; retry %d in %.1fs", endpoint, attempt, delay)
            await asyncio.sleep(delay)
