"""Why the bot could not start on Telegram, said in one line (`bot/app.py` raises these
as `NewsbotError` around start-up; the CLI prints them): a rejected token, an address that
is no Bot API, a Bot API out of reach. Never the token itself, which PTB's errors quote."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from urllib.parse import urlsplit

from telegram.error import InvalidToken, NetworkError

from index.errors import NewsbotError

TOKEN_REJECTED = "Telegram rejected the bot token: check TELEGRAM_BOT_TOKEN (from @BotFather)."

# How PTB's message about an HTTP error goes on when the body was no JSON.
_NOT_JSON = ". Parsing the server response"


@contextlib.contextmanager
def rejected_token(api_base_url: str | None = None) -> Iterator[None]:
    """PTB's InvalidToken quotes the whole token; say what is wrong without it. PTB also
    takes any 404 for a rejected token: one whose body is no Bot API reply (JSON) comes
    from a server that is no Bot API, the address is wrong, not the token."""
    try:
        yield
    except InvalidToken as exc:
        # The HTTP error is the cause of the "token rejected" initialize() raises.
        answer = next((str(e) for e in _causes(exc) if _NOT_JSON in str(e)), None)
        if api_base_url is not None and answer is not None:
            raise NewsbotError(
                f"The server at {_host(api_base_url)} is no Telegram Bot API (it answered "
                f"{_status(answer)} without a Bot API reply): check TELEGRAM_API_BASE_URL."
            ) from None
        raise NewsbotError(TOKEN_REJECTED) from None


@contextlib.contextmanager
def unreachable(api_base_url: str) -> Iterator[None]:
    """A network failure that ends start-up (PTB retries while running) said plainly."""
    try:
        yield
    except NetworkError as exc:
        raise NewsbotError(
            f"Could not reach the Telegram Bot API at {_host(api_base_url)} "
            f"({_status(exc.message)}): check the network connection, or TELEGRAM_API_BASE_URL."
        ) from None


def _causes(error: BaseException) -> Iterator[BaseException]:
    current: BaseException | None = error
    while current is not None:
        yield current
        current = current.__cause__


def _host(api_base_url: str) -> str:
    return urlsplit(api_base_url).netloc or api_base_url


def _status(message: str) -> str:
    """PTB's error message without the body it could not parse ("Bad Gateway (502)")."""
    return message.split(_NOT_JSON, 1)[0]
