"""A local OpenAI-compatible chat server with scripted replies and injected faults.

It speaks just enough of the API for the real `openai` client: `POST /v1/chat/completions`
(plain JSON, or server-sent events when the request has `"stream": true`) and
`GET /v1/models`. It listens on 127.0.0.1 on a free port and records every request.

Async tests::

    async with FakeOpenAIServer(["Seoul hosted the talks [1]."]) as server:
        client = AsyncOpenAI(base_url=server.base_url, api_key="test-key")
        ...
        assert "Seoul" in server.requests[0].messages[-1]["content"]

Sync or subprocess tests (the server runs its own event loop on a thread)::

    with FakeOpenAIServer(responder=lambda messages: "NOT_FOUND").in_thread() as server:
        subprocess.run([..., "--llm-base-url", server.base_url], check=True)

Replies, taken in order for each chat request:

- `replies` (constructor) and `push(*replies)` fill a queue; each item is a `str` (the
  assistant's text) or a `Reply` (text plus fault, delay and so on).
- When the queue is empty, `responder(messages)` is called with the request's messages and
  returns a `str` or `Reply`; without a responder, `default` is used; without a default the
  server answers 500 "no scripted reply left" (so a test that runs out of replies fails loudly).

Faults (`Reply(fault=Fault.X)`):

- `RATE_LIMIT`: 429 with a `retry-after` header of `Reply.retry_after` seconds.
- `SERVER_ERROR`: `Reply.status` (default 500) with an OpenAI-style error body whose `code`
  and `message` are `Reply.error_code` and `Reply.error_message`.
- `SLOW`: waits `slow_seconds` (constructor, default 30) before answering; set the client's
  timeout below it. The wait ends early when the server stops, so shutdown stays quick.
- `MALFORMED`: a 200 whose body is not JSON (streaming: a `data:` line that is not JSON).
- `EMPTY_CHOICES`: a well-formed reply with `"choices": []`.
- `CLOSE`: the connection is dropped before any response.
- `CLOSE_MID_STREAM`: streaming only: the role chunk and the first piece of text are sent,
  then the connection is dropped (without streaming it behaves like `CLOSE`).
- `STALL_MID_STREAM`: streaming only: the first piece of text is sent, then nothing for
  `slow_seconds`, then the rest.
- `END_MID_STREAM`: streaming only: the first `Reply.pieces` pieces of text are sent, then
  the response ends cleanly without a `finish_reason` or `data: [DONE]` (a server killed
  mid-answer that closed its socket in order).

`Reply.finish_reason` is the reply's finish ("stop"; "length" for one `max_tokens` cut).
`Reply.delay` waits before answering (any reply); `Reply.chunk_delay` waits between streamed
chunks; streamed text is cut into pieces of `chunk_chars` characters. The constructor's
`delay` and `chunk_delay` are the defaults for replies given as plain strings.

`server.requests` lists `RecordedRequest(path, body, headers)` in arrival order; `.messages`
and `.stream` read the chat fields. `server.base_url` is `http://127.0.0.1:PORT/v1`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from aiohttp import web


class Fault(StrEnum):
    RATE_LIMIT = "rate_limit"
    SERVER_ERROR = "server_error"
    SLOW = "slow"
    MALFORMED = "malformed"
    EMPTY_CHOICES = "empty_choices"
    CLOSE = "close"
    CLOSE_MID_STREAM = "close_mid_stream"
    STALL_MID_STREAM = "stall_mid_stream"
    END_MID_STREAM = "end_mid_stream"


@dataclass(frozen=True)
class Reply:
    """One scripted answer: the assistant's text, or a fault instead of it."""

    content: str = ""
    fault: Fault | None = None
    delay: float = 0.0  # seconds before answering
    chunk_delay: float = 0.0  # seconds between streamed chunks
    retry_after: float = 1.0  # RATE_LIMIT: value of the retry-after header, in seconds
    status: int = 500  # SERVER_ERROR: the HTTP status
    error_code: str = "server_error"  # SERVER_ERROR: the error body's code
    error_message: str = "The server had an error"  # SERVER_ERROR: the body's message
    pieces: int = 1  # END_MID_STREAM: the pieces of text sent before the end
    finish_reason: str = "stop"  # "length": the reply was cut at max_tokens


@dataclass(frozen=True)
class RecordedRequest:
    """A request the server received, as parsed JSON (None when the body was not JSON)."""

    path: str
    body: dict[str, Any] | None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list((self.body or {}).get("messages", []))

    @property
    def stream(self) -> bool:
        return bool((self.body or {}).get("stream"))


Responder = Callable[[list[dict[str, Any]]], "str | Reply"]


class FakeOpenAIServer:
    """The server; see the module docstring for the API."""

    def __init__(
        self,
        replies: Iterable[str | Reply] = (),
        *,
        responder: Responder | None = None,
        default: str | Reply | None = None,
        delay: float = 0.0,
        chunk_delay: float = 0.0,
        slow_seconds: float = 30.0,
        chunk_chars: int = 8,
        model: str = "fake-model",
    ) -> None:
        if chunk_chars <= 0:
            raise ValueError("chunk_chars must be positive")
        self.requests: list[RecordedRequest] = []
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._responder = responder
        self._default = default
        self._delay = delay
        self._chunk_delay = chunk_delay
        self._slow_seconds = slow_seconds
        self._chunk_chars = chunk_chars
        self._model = model
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._stopping: asyncio.Event | None = None
        self._port: int | None = None
        self._thread: threading.Thread | None = None
        self._thread_loop: asyncio.AbstractEventLoop | None = None
        self.push(*replies)

    # -- scripting -------------------------------------------------------------------------

    def push(self, *replies: str | Reply) -> None:
        """Queue replies for the next chat requests, in order."""
        with self._lock:
            self._queue.extend(self._as_reply(reply) for reply in replies)

    def _as_reply(self, reply: str | Reply) -> Reply:
        if isinstance(reply, Reply):
            return reply
        return Reply(content=reply, delay=self._delay, chunk_delay=self._chunk_delay)

    def _next_reply(self, messages: list[dict[str, Any]]) -> Reply | None:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        if self._responder is not None:
            return self._as_reply(self._responder(messages))
        if self._default is not None:
            return self._as_reply(self._default)
        return None

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the server is not running")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_get("/v1/models", self._models)
        self._stopping = asyncio.Event()
        # handler_cancellation: a handler stops when its client goes away (timeouts in tests).
        self._runner = web.AppRunner(
            app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server  # aiohttp exposes the bound port only through the server
        assert server is not None
        self._port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._stopping is not None:
            self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self._port = None

    async def __aenter__(self) -> FakeOpenAIServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def start_in_thread(self) -> FakeOpenAIServer:
        """Run the server on its own event loop in a daemon thread; returns when it listens."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._thread_loop = loop
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:  # report start-up failures to the caller
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.stop())
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-openai-server", daemon=True)
        self._thread.start()
        if not ready.wait(timeout=10):
            raise RuntimeError("the fake OpenAI server did not start")
        if failure:
            raise RuntimeError("the fake OpenAI server did not start") from failure[0]
        return self

    def stop_in_thread(self) -> None:
        loop, thread = self._thread_loop, self._thread
        if loop is None or thread is None:
            return
        if self._stopping is not None:
            loop.call_soon_threadsafe(self._stopping.set)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        self._thread = self._thread_loop = None

    @contextlib.contextmanager
    def in_thread(self) -> Iterator[FakeOpenAIServer]:
        self.start_in_thread()
        try:
            yield self
        finally:
            self.stop_in_thread()

    # -- handlers ----------------------------------------------------------------------------

    async def _models(self, request: web.Request) -> web.Response:
        self.requests.append(RecordedRequest(request.path, None, dict(request.headers)))
        return web.json_response(
            {"object": "list", "data": [{"id": self._model, "object": "model", "owned_by": "x"}]}
        )

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        self.requests.append(RecordedRequest(request.path, body, dict(request.headers)))
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            return _error(400, "invalid_request_error", "expected a JSON body with messages")
        reply = self._next_reply(body["messages"])
        if reply is None:
            return _error(500, "server_error", "fake server: no scripted reply left")
        if reply.delay > 0:
            await self._sleep(reply.delay)
        if reply.fault is Fault.SLOW:
            await self._sleep(self._slow_seconds)
        elif reply.fault is Fault.RATE_LIMIT:
            return _error(
                429,
                "rate_limit_exceeded",
                "Rate limit reached",
                {"retry-after": f"{reply.retry_after}"},
            )
        elif reply.fault is Fault.SERVER_ERROR:
            return _error(reply.status, reply.error_code, reply.error_message)
        elif reply.fault is Fault.CLOSE or (
            reply.fault is Fault.CLOSE_MID_STREAM and not body.get("stream")
        ):
            return _drop_connection(request)
        if body.get("stream"):
            try:
                return await self._stream(request, reply, str(body.get("model") or self._model))
            except ConnectionError:  # the client hung up mid-stream (its timeout): nothing to do
                raise asyncio.CancelledError from None
        return self._complete(reply, str(body.get("model") or self._model))

    def _complete(self, reply: Reply, model: str) -> web.Response:
        if reply.fault is Fault.MALFORMED:
            return web.Response(
                status=200,
                text='{"id": "chatcmpl-broken", "choices": [',
                content_type="application/json",
            )
        choices = (
            []
            if reply.fault is Fault.EMPTY_CHOICES
            else [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.content},
                    "finish_reason": reply.finish_reason,
                }
            ]
        )
        words = len(reply.content.split())
        return web.json_response(
            {
                "id": f"chatcmpl-fake-{next(self._ids)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": choices,
                "usage": {
                    "prompt_tokens": 1,
                    "completion_tokens": words,
                    "total_tokens": words + 1,
                },
            }
        )

    async def _stream(self, request: web.Request, reply: Reply, model: str) -> web.StreamResponse:
        response = web.StreamResponse(
            status=200, headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        chunk_id = f"chatcmpl-fake-{next(self._ids)}"
        created = int(time.time())

        async def send(delta: dict[str, Any], finish: str | None = None) -> None:
            choices = (
                []
                if reply.fault is Fault.EMPTY_CHOICES
                else [{"index": 0, "delta": delta, "finish_reason": finish}]
            )
            chunk = {
                "id": chunk_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": choices,
            }
            await response.write(f"data: {json.dumps(chunk)}\n\n".encode())

        await send({"role": "assistant", "content": ""})
        if reply.fault is Fault.MALFORMED:
            await response.write(b'data: {"id": "chatcmpl-broken", "choices": [\n\n')
        pieces = [
            reply.content[i : i + self._chunk_chars]
            for i in range(0, len(reply.content), self._chunk_chars)
        ]
        for index, piece in enumerate(pieces):
            if reply.chunk_delay > 0:
                await self._sleep(reply.chunk_delay)
            await send({"content": piece})
            if reply.fault is Fault.CLOSE_MID_STREAM and index == 0:
                return _drop_connection(request)
            if reply.fault is Fault.STALL_MID_STREAM and index == 0:
                await self._sleep(self._slow_seconds)
            if reply.fault is Fault.END_MID_STREAM and index + 1 >= reply.pieces:
                await response.write_eof()  # no finish_reason, no [DONE]
                return response
        if reply.fault is Fault.CLOSE_MID_STREAM:  # no text at all: drop after the role
            return _drop_connection(request)
        await send({}, finish=reply.finish_reason)
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake up when the server stops so shutdown never waits on a fault."""
        assert self._stopping is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)


def _error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    body = {"error": {"message": message, "type": code, "param": None, "code": code}}
    return web.json_response(body, status=status, headers=headers)


def _drop_connection(request: web.Request) -> web.StreamResponse:
    """Close the socket under the request; aiohttp then has nothing to write to."""
    transport = request.transport
    if transport is not None:
        transport.abort()
    raise asyncio.CancelledError
