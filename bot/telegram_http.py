"""HTTP to the Bot API on aiohttp, for python-telegram-bot (its `BaseRequest`).

PTB's default transport (httpx) checks every pooled connection for a dropped socket, a
system call each, on every request it starts or finishes; with a hundred chats answered at
once that was a sixth of the bot's CPU per question. aiohttp's pool hands out a connection
without scanning. PTB still does everything above the transport: it encodes the
parameters, parses replies, and turns 429/5xx replies into its own exceptions.

Timeouts keep PTB's meaning: `connect` for opening a connection, `read` for waiting on the
reply, `pool` for waiting on a free connection; aiohttp has no write timeout, so a stalled
upload is caught by the read timeout instead. Only a read timeout is PTB's `TimedOut` (the
request may have arrived, so only harmless calls are repeated); running out of time before
sending is a `NetworkError`, which every call may retry.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


@dataclass(frozen=True)
class HttpLimits:
    """Connection pool size and default timeouts, in seconds."""

    pool_size: int = 16
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    pool_timeout: float = 5.0


class AiohttpRequest(BaseRequest):
    """One aiohttp session for the Bot API; PTB calls `initialize` and `shutdown`."""

    def __init__(self, limits: HttpLimits | None = None) -> None:
        self._limits = limits or HttpLimits()
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._limits.read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._limits.pool_size)
            # No cookies; proxies from HTTP(S)_PROXY honoured, as httpx does.
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                trust_env=True,
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

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
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        limits = self._limits
        connect = _chosen(connect_timeout, limits.connect_timeout)
        pool = _chosen(pool_timeout, limits.pool_timeout)
        timeout = aiohttp.ClientTimeout(
            total=None,
            # aiohttp's `connect` covers waiting for a pooled connection and opening one.
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=_chosen(read_timeout, limits.read_timeout),
        )
        try:
            async with self._session.request(
                method,
                url,
                data=_body(request_data),
                headers={"User-Agent": self.USER_AGENT},
                timeout=timeout,
            ) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError:
            # No connection (none free in the pool, or none opened in time): nothing was
            # sent, so this is a network failure that any call may retry, not a TimedOut.
            # (aiohttp's own message quotes the URL, token included: not chained.)
            raise NetworkError("timed out before the request was sent") from None
        except TimeoutError as exc:  # waiting for the reply: the request may have arrived
            raise TimedOut from exc
        except aiohttp.ClientConnectorError as exc:  # names host and port, never the path
            raise NetworkError(f"cannot connect: {exc.os_error}") from exc
        except aiohttp.ClientError as exc:
            # The URL holds the bot token and some of these quote it: name the failure only.
            raise NetworkError(f"aiohttp: {type(exc).__name__}") from None


def _chosen(value: ODVInput[float], default: float) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """Form fields, or multipart with the files when there are any (as PTB sends them)."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    if not request_data.contains_files:
        return fields
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mime) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime)
    return form
