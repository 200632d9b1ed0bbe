"""In-memory state of the Bot API emulator: users, chats, messages, pending updates.

Everything here is synchronous and single-threaded (it lives on the event loop of the
emulator); the HTTP layer in `bot/emulator.py` hands each call to its method in
`bot/emulator_methods.py`. The messages themselves are `bot/emulator_messages.py`.
"""

from __future__ import annotations

import itertools
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.emulator_html import (
    EntityParseError,
    ParsedText,
    parse_html,
    to_api_entities,
    utf16_offset,
)
from bot.emulator_links import with_links
from bot.emulator_messages import Json, MessageVersion, StoredMessage

MAX_TEXT = 4096
_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION = re.compile(r"(?<![A-Za-z0-9_])@[A-Za-z0-9_]{5,32}")
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


class ApiError(Exception):
    """A Bot API error answer: HTTP status, Telegram's description, optional retry_after, or
    the new id of a group upgraded to a supergroup (`migrate_to_chat_id`)."""

    def __init__(
        self,
        code: int,
        description: str,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id


@dataclass
class Fault:
    status: int
    retry_after: int | None
    description: str | None


@dataclass
class BotApiState:
    """The emulated server's world. `on_change` is called after every mutation."""

    bot_user: Json
    on_change: Callable[[], None] = lambda: None
    clock: Callable[[], float] = time.time
    users: dict[int, Json] = field(default_factory=dict)
    chats: dict[int, Json] = field(default_factory=dict)
    messages: dict[int, list[StoredMessage]] = field(default_factory=dict)
    updates: list[Json] = field(default_factory=list)
    acknowledged_through: int = 0
    blocked: set[int] = field(default_factory=set)
    admins: dict[int, list[int]] = field(default_factory=dict)
    faults: dict[str, deque[Fault]] = field(default_factory=dict)
    calls: list[tuple[str, Json]] = field(default_factory=list)
    chat_actions: dict[int, list[str]] = field(default_factory=dict)
    commands: list[Json] = field(default_factory=list)
    webhook: Json = field(default_factory=lambda: {"url": ""})
    answered_callbacks: list[Json] = field(default_factory=list)
    migrated: dict[int, int] = field(default_factory=dict)  # group id -> its supergroup's
    deleted_threads: set[tuple[int, int]] = field(default_factory=set)  # (chat, thread)
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _callback_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _message_ids: dict[int, itertools.count[int]] = field(default_factory=dict)

    # ---- test-side mutations -------------------------------------------------------------

    def add_user(self, user: Json) -> None:
        self.users[user["id"]] = user
        private = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        if user.get("username"):
            private["username"] = user["username"]
        self.chats.setdefault(user["id"], private)

    def ensure_chat(self, chat_id: int, chat_type: str, title: str | None = None) -> Json:
        if chat_id not in self.chats:
            if chat_type == "private":
                raise ValueError("create the user first: private chat ids are user ids")
            self.chats[chat_id] = {"id": chat_id, "type": chat_type, "title": title or "Group"}
        return self.chats[chat_id]

    def user_message(
        self,
        chat_id: int,
        text: str,
        user: Json,
        reply_to_message_id: int | None,
        thread_id: int | None = None,
    ) -> Json:
        """Store a user's message (in forum topic `thread_id`, if given) and queue its update."""
        entities = _auto_entities(text)
        parsed = ParsedText(text, ())
        message = self._store(chat_id, user, False, parsed, None, None, reply_to_message_id)
        message.thread_id = thread_id
        payload = self.message_json(message)
        if entities:
            payload["entities"] = entities
        return self._queue({"message": payload})

    def callback_query(self, chat_id: int, message_id: int, data: str, user: Json) -> Json:
        message = self.find(chat_id, message_id)
        query = {
            "id": str(next(self._callback_ids)),
            "from": user,
            "chat_instance": str(chat_id),
            "data": data,
            "message": self.message_json(message),
        }
        return self._queue({"callback_query": query})

    def queue_update(self, body: Json) -> Json:
        """Queue an update of any kind, as given (the test API's raw door)."""
        return self._queue(dict(body))

    def _queue(self, body: Json) -> Json:
        update = {"update_id": next(self._update_ids), **body}
        self.updates.append(update)
        self.on_change()
        return update

    # ---- lookups -------------------------------------------------------------------------

    def chat_messages(self, chat_id: int) -> list[StoredMessage]:
        return self.messages.get(chat_id, [])

    def find(self, chat_id: int, message_id: int) -> StoredMessage:
        for message in self.chat_messages(chat_id):
            if message.message_id == message_id and not message.deleted:
                return message
        raise KeyError(message_id)

    def message_json(self, message: StoredMessage) -> Json:
        version = message.versions[-1]
        payload: Json = {
            "message_id": message.message_id,
            "date": message.versions[0].date,
            "chat": self.chats[message.chat_id],
            "from": message.sender,
            "text": version.parsed.text,
        }
        entities = to_api_entities(version.parsed)
        if entities:
            payload["entities"] = entities
        if len(message.versions) > 1:
            payload["edit_date"] = version.date
        if message.thread_id is not None:
            payload["message_thread_id"] = message.thread_id
            payload["is_topic_message"] = True
        if version.reply_markup:
            payload["reply_markup"] = version.reply_markup
        if message.reply_to_message_id is not None:
            try:
                replied = self.find(message.chat_id, message.reply_to_message_id)
            except KeyError:
                pass
            else:
                payload["reply_to_message"] = self.message_json(replied)
        return payload

    # ---- storage -------------------------------------------------------------------------

    def _store(
        self,
        chat_id: int,
        sender: Json,
        from_bot: bool,
        parsed: ParsedText,
        html: str | None,
        reply_markup: Json | None,
        reply_to: int | None,
    ) -> StoredMessage:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        message = StoredMessage(
            chat_id=chat_id,
            message_id=next(counter),
            from_bot=from_bot,
            sender=sender,
            reply_to_message_id=reply_to,
            versions=[MessageVersion(parsed, html, reply_markup, int(self.clock()))],
        )
        self.messages.setdefault(chat_id, []).append(message)
        return message

    def store_bot_message(
        self,
        chat_id: int,
        parsed: ParsedText,
        html: str | None,
        markup: Json | None,
        reply_to: int | None,
        thread_id: int | None = None,
    ) -> StoredMessage:
        message = self._store(chat_id, self.bot_user, True, parsed, html, markup, reply_to)
        message.thread_id = thread_id
        self.on_change()
        return message

    def edit_bot_message(
        self, message: StoredMessage, parsed: ParsedText, html: str | None, markup: Json | None
    ) -> None:
        current = message.versions[-1]
        if current.parsed == parsed and current.reply_markup == markup:
            raise ApiError(400, NOT_MODIFIED)
        message.versions.append(MessageVersion(parsed, html, markup, int(self.clock())))
        self.on_change()

    def take_fault(self, method: str) -> Fault | None:
        queue = self.faults.get(method.lower())
        if not queue:
            return None
        return queue.popleft()


def parse_text(text: object, parse_mode: object, entities: object) -> ParsedText:
    """Validate message text like Telegram; returns visible text and entities."""
    if not isinstance(text, str):
        raise ApiError(400, "Bad Request: message text is empty")
    if isinstance(parse_mode, str) and parse_mode.lower() == "html":
        try:
            parsed = parse_html(text)
        except EntityParseError as exc:
            raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from exc
    elif parse_mode:
        raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode!s}")
    else:
        del entities  # explicit entities are accepted but not interpreted
        parsed = ParsedText(text.strip(), ())
    if not parsed.text:
        raise ApiError(400, "Bad Request: message text is empty")
    if utf16_offset(parsed.text, len(parsed.text)) > MAX_TEXT:
        raise ApiError(400, "Bad Request: message is too long")
    return with_links(parsed)  # the links the server finds by itself, as it returns them


def _auto_entities(text: str) -> list[Json]:
    """Entities Telegram would attach to a user's text: a leading /command, @mentions."""
    found: list[Json] = []
    command = _COMMAND.match(text)
    if command:
        found.append({"type": "bot_command", "offset": 0, "length": command.end()})
    for mention in _MENTION.finditer(text):
        offset = utf16_offset(text, mention.start())
        found.append(
            {
                "type": "mention",
                "offset": offset,
                "length": utf16_offset(text, mention.end()) - offset,
            }
        )
    return found
