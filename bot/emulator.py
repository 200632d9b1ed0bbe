"""A local HTTP emulator of the Telegram Bot API, for tests and the offline terminal chat.

It speaks the API the way python-telegram-bot calls it (`/bot<token>/<method>`, form,
multipart, JSON or empty bodies: read and answered in `bot/emulator_http.py`) and
validates like the real server. The same object is the test-side API: create users, send
texts, press buttons, inject faults, and wait for the bot's messages.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import deque
from collections.abc import Callable
from typing import Any, Self

from aiohttp import web

from bot import emulator_updates
from bot.emulator_html import parse_html, plain_with_links
from bot.emulator_http import error_response, fault_response, read_params
from bot.emulator_messages import Json, StoredMessage
from bot.emulator_methods import METHODS
from bot.emulator_params import decode_params
from bot.emulator_polling import UpdatePoll
from bot.emulator_state import ApiError, BotApiState, Fault

logger = logging.getLogger(__name__)


# Decides, per API call (method, decoded parameters), whether it fails and how.
FaultPolicy = Callable[[str, Json], Fault | None]


class TelegramEmulator:
    """The Bot API on 127.0.0.1; `token=None` accepts any token."""

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_id: int = 7_000_000_001,
        bot_username: str = "newsbot_bot",
        bot_name: str = "Newsbot",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self._token = token
        self._host = host
        self._requested_port = port
        self._listeners: list[Callable[[], None]] = []
        self._user_ids = itertools.count(1001)
        self._fault_policy: FaultPolicy | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.state = BotApiState(
            bot_user={
                "id": bot_id,
                "is_bot": True,
                "first_name": bot_name,
                "username": bot_username,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            },
            on_change=self._changed,
        )
        self._poll = UpdatePoll(self.state)

    # ---- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._requested_port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self._poll.closing = False

    async def stop(self) -> None:
        self._poll.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """What to pass to `ApplicationBuilder.base_url` (PTB appends the token)."""
        return f"http://{self._host}:{self.port}/bot"

    @property
    def bot_user(self) -> Json:
        return self.state.bot_user

    # ---- HTTP ----------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if self._token is not None and request.match_info["token"] != self._token:
            return error_response(ApiError(401, "Unauthorized"))
        method = request.match_info["method"]
        try:
            params = decode_params(await read_params(request))
            self.state.calls.append((method, params))
            fault = self.state.take_fault(method)
            if fault is None and self._fault_policy is not None:
                fault = self._fault_policy(method, params)
            if fault is not None:
                return fault_response(fault)
            if method.lower() == "getupdates":
                result: Any = await self._poll.get_updates(params)
            else:
                handler = METHODS.get(method.lower())
                if handler is None:
                    raise ApiError(404, "Not Found")
                result = handler(self.state, params)
        except ApiError as exc:
            return error_response(exc)
        except ConnectionResetError:  # the bot gave up on the call (cancelled): nobody to answer
            raise asyncio.CancelledError from None
        return web.json_response({"ok": True, "result": result})

    def _changed(self) -> None:
        self._poll.changes.notify()
        for listener in list(self._listeners):
            listener()

    # ---- test-side API -------------------------------------------------------------------

    def create_user(
        self,
        first_name: str = "Alice",
        *,
        user_id: int | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> Json:
        """Register a user (and their private chat, whose id is the user id)."""
        user: Json = {
            "id": user_id if user_id is not None else next(self._user_ids),
            "is_bot": False,
            "first_name": first_name,
        }
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self.state.add_user(user)
        return user

    def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        user: Json,
        chat_type: str = "private",
        reply_to_message_id: int | None = None,
        chat_title: str | None = None,
        thread_id: int | None = None,
    ) -> Json:
        """A user writes `text` in a chat (in forum topic `thread_id`, if given); returns
        the queued Update as a dict."""
        self.state.ensure_chat(chat_id, chat_type, chat_title)
        return self.state.user_message(chat_id, text, user, reply_to_message_id, thread_id)

    def press_button(self, chat_id: int, message_id: int, data: str, user: Json) -> Json:
        """A user presses an inline button carrying `data`; returns the callback update."""
        return self.state.callback_query(chat_id, message_id, data, user)

    def send_update(self, payload: Json) -> Json:
        """Queue an update of any kind as it is, e.g. `{"edited_message": {...}}` or
        `{"channel_post": {...}}`; its update_id is added. Returns the queued update."""
        return self.state.queue_update(payload)

    def make_forum(self, chat_id: int, title: str = "Forum") -> Json:
        """A supergroup with topics (threads); users write in one with `send_text(thread_id=)`."""
        chat = self.state.ensure_chat(chat_id, "supergroup", title)
        chat["is_forum"] = True
        return chat

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        """From now on, messages to this forum topic fail with "message thread not found"."""
        self.state.deleted_threads.add((chat_id, thread_id))

    def migrate_group(
        self, old_chat_id: int, new_chat_id: int, user: Json, *, announce: bool = True
    ) -> list[Json]:
        """Upgrade a group to a supergroup with a new id, as Telegram does: from now on every
        call for the old id fails with 400 and `parameters.migrate_to_chat_id`. With
        `announce`, queue the two service messages too (`migrate_to_chat_id` in the old
        chat, `migrate_from_chat_id` in the new one); returns the queued updates."""
        return emulator_updates.migrate_group(
            self.state, old_chat_id, new_chat_id, user, announce=announce
        )

    def bot_membership(self, chat_id: int, by: Json, old: str, new: str) -> Json:
        """Queue the `my_chat_member` update of the bot going from status `old` to `new` in
        a chat ("member", "left", "kicked", "administrator"); returns the queued update.
        It changes nothing else: `block_bot` makes sends fail."""
        return emulator_updates.bot_membership(self.state, chat_id, by, old, new)

    def block_bot(self, chat_id: int) -> None:
        """From now on, messages to `chat_id` fail with 403 (the user blocked the bot)."""
        self.state.blocked.add(chat_id)

    def set_chat_admins(self, chat_id: int, user_ids: list[int]) -> None:
        self.state.admins[chat_id] = list(user_ids)

    def fail_next(
        self,
        method: str,
        status: int,
        retry_after: int | None = None,
        count: int = 1,
        description: str | None = None,
    ) -> None:
        """Make the next `count` calls of `method` fail with `status` (429 with retry_after)."""
        queue = self.state.faults.setdefault(method.lower(), deque())
        queue.extend(Fault(status, retry_after, description) for _ in range(count))

    def set_fault_policy(self, policy: FaultPolicy | None) -> None:
        """Let `policy(method, params)` fail any call (return a `Fault`) or pass it (None).

        Faults queued by `fail_next` go first. For randomised fault tests; None switches it off.
        """
        self._fault_policy = policy

    def messages(self, chat_id: int) -> list[StoredMessage]:
        """Every message of a chat, user and bot alike, deleted ones included, in order."""
        return list(self.state.chat_messages(chat_id))

    def bot_messages(self, chat_id: int) -> list[StoredMessage]:
        """The bot's messages in a chat that are not deleted, in order."""
        return [m for m in self.state.chat_messages(chat_id) if m.from_bot and not m.deleted]

    def calls(self, method: str | None = None) -> list[Json]:
        """Parameters of every API call received (of one method, if given)."""
        wanted = method.lower() if method else None
        return [p for m, p in self.state.calls if wanted is None or m.lower() == wanted]

    def chat_actions(self, chat_id: int) -> list[str]:
        return list(self.state.chat_actions.get(chat_id, []))

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` after every state change; returns an unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 15.0,  # noqa: ASYNC109 - the test API reads better with a plain number
    ) -> None:
        """Wait until `predicate()` holds (checked after each change); TimeoutError if not."""
        await self._poll.changes.wait_for(predicate, timeout)

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int,
        timeout: float = 15.0,  # noqa: ASYNC109
    ) -> list[StoredMessage]:
        """Wait until the bot has at least `count` messages in the chat; return them."""
        try:
            await self.wait_until(lambda: len(self.bot_messages(chat_id)) >= count, timeout)
        except TimeoutError:
            seen = [m.text for m in self.bot_messages(chat_id)]
            raise TimeoutError(f"expected {count} bot messages in {chat_id}, saw {seen}") from None
        return self.bot_messages(chat_id)

    async def wait_acknowledged(
        self,
        update_id: int,
        timeout: float = 15.0,  # noqa: ASYNC109
    ) -> None:
        """Wait until the bot confirmed `update_id` (a later getUpdates offset passed it)."""
        await self.wait_until(lambda: self.state.acknowledged_through >= update_id, timeout)


def html_to_plain(text: str) -> str:
    """Telegram HTML as readable plain text, links written as `text (url)`."""
    return plain_with_links(parse_html(text))
