"""Showing work in progress: the 'typing…' indicator and a streamed, edited answer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Self

from telegram import Bot, Message, ReplyParameters
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.render import render_partial

logger = logging.getLogger(__name__)

_TYPING_GRACE = 2.0  # seconds a chat action in flight may take to finish after the work


def topic_thread(message: Message) -> int | None:
    """The forum topic a message was written in, for the answer to go to; None outside
    topics (a reply chain in an ordinary group has a thread id too, but is no place to send)."""
    return message.message_thread_id if message.is_topic_message else None


@contextlib.asynccontextmanager
async def typing_indicator(
    bot: Bot, chat_id: int, interval: float, *, thread_id: int | None = None
) -> AsyncIterator[None]:
    """Show 'typing…' now and every `interval` seconds until the block ends (in forum topic
    `thread_id`, where the question was asked, if given).

    A request already on its way gets a moment to finish rather than being cancelled at
    once: cancelling drops its pooled connection, and on a quick answer the first one would
    never show. One held up longer (a 429 waited out) is cancelled, so the chat's next
    update does not wait on it."""
    done = asyncio.Event()
    where = {} if thread_id is None else {"message_thread_id": thread_id}  # only in a topic

    async def keep_typing() -> None:
        while not done.is_set():
            try:
                await bot.send_chat_action(chat_id, ChatAction.TYPING, **where)
            except Forbidden:
                return
            except TelegramError as exc:
                logger.debug("chat action failed in %s: %s", chat_id, exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), interval)

    task = asyncio.create_task(keep_typing(), name=f"typing:{chat_id}")
    try:
        yield
    finally:
        done.set()
        try:
            await asyncio.wait({task}, timeout=_TYPING_GRACE)
        finally:  # also when the handler itself is being cancelled
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


class AnswerStream:
    """One answer on its way to a chat: the first partial sends a message, later ones edit it.

    Partials never make the answering side wait for Telegram: the newest text is handed to
    one background worker that sends it, then edits at most once per `interval` seconds,
    skipping texts overtaken by newer ones. Use it as an async context manager so the
    worker never outlives the answer. In a forum, `thread_id` is the question's topic: every
    message of the answer goes there (a quote alone would not take the later pieces there).
    """

    def __init__(
        self,
        bot: Bot,
        chat_id: int,
        reply_to: int | None,
        interval: float,
        clock: Callable[[], float] = time.monotonic,
        *,
        thread_id: int | None = None,
    ) -> None:
        self._bot = bot
        self._thread_id = thread_id
        self._chat_id = chat_id
        self._reply_to = reply_to
        self._interval = interval
        self._clock = clock
        self._message_id: int | None = None
        self._shown: str | None = None
        self._shown_at = 0.0
        self._pending: str | None = None
        self._worker: asyncio.Task[None] | None = None
        self._sleeping = False

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._stop()

    async def partial(self, text: str) -> None:
        """Show the answer so far, as soon as the interval and Telegram allow."""
        html = render_partial(text)
        if html is None:
            return
        self._pending = html
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._drain(), name=f"stream:{self._chat_id}")

    async def _drain(self) -> None:
        while self._pending is not None:
            if self._message_id is not None:
                wait = self._shown_at + self._interval - self._clock()
                if wait > 0:
                    self._sleeping = True
                    try:
                        await asyncio.sleep(wait)
                    finally:
                        self._sleeping = False
            html, self._pending = self._pending, None
            if html is None or html == self._shown:
                continue
            try:
                if self._message_id is None:
                    self._message_id = (await self._send(html)).message_id
                else:
                    await self._edit(html)
            except Forbidden:
                return
            except TelegramError as exc:  # the final edit repairs a missed partial
                logger.debug("partial update failed in %s: %s", self._chat_id, exc)
                continue
            self._shown, self._shown_at = html, self._clock()

    async def _stop(self) -> None:
        """Drop waiting partials; let a request in flight finish so its message id is known."""
        self._pending = None
        worker = self._worker
        if worker is None or worker.done():
            return
        if self._sleeping:
            worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker

    async def finish(self, pieces: list[str]) -> list[int]:
        """Put the final pieces in place (the first replaces the partial); return their ids."""
        await self._stop()
        ids: list[int] = []
        rest = pieces
        if self._message_id is not None and pieces:
            if pieces[0] != self._shown:
                await self._edit(pieces[0])
            ids.append(self._message_id)
            rest = pieces[1:]
        for piece in rest:
            sent = await self._send(piece, quote=not ids)
            ids.append(sent.message_id)
        return ids

    async def _send(self, html: str, *, quote: bool = True) -> Message:
        reply = (
            ReplyParameters(self._reply_to, allow_sending_without_reply=True)
            if quote and self._reply_to is not None
            else None
        )
        return await self._bot.send_message(
            self._chat_id, html, reply_parameters=reply, message_thread_id=self._thread_id
        )

    async def _edit(self, html: str) -> None:
        assert self._message_id is not None
        try:
            await self._bot.edit_message_text(
                html, chat_id=self._chat_id, message_id=self._message_id
            )
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise
