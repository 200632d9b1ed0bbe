"""A chat message as the Bot API emulator keeps it: every version of its content, and the
views tests read (visible text, HTML sent, plain text with links, edit history, links).

An edit appends a version instead of replacing the text, so tests can check what a user
saw at each step; deleting only marks the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.emulator_html import ParsedText, plain_with_links

Json = dict[str, Any]  # a Bot API object, as decoded JSON


@dataclass(frozen=True)
class MessageVersion:
    """One version of a message's content (the first one, then one per edit)."""

    parsed: ParsedText
    html: str | None
    reply_markup: Json | None
    date: int


@dataclass
class StoredMessage:
    """A message in a chat, sent by a user (through the test API) or by the bot."""

    chat_id: int
    message_id: int
    from_bot: bool
    sender: Json
    reply_to_message_id: int | None
    versions: list[MessageVersion]
    deleted: bool = False
    thread_id: int | None = None  # the forum topic it is in (None: the chat itself)

    @property
    def text(self) -> str:
        """Visible text of the current version."""
        return self.versions[-1].parsed.text

    @property
    def html(self) -> str | None:
        return self.versions[-1].html

    @property
    def plain(self) -> str:
        """Visible text with links written as `text (url)`."""
        return plain_with_links(self.versions[-1].parsed)

    @property
    def reply_markup(self) -> Json | None:
        return self.versions[-1].reply_markup

    @property
    def history(self) -> list[str]:
        """Visible text of every version, oldest first (edits append)."""
        return [version.parsed.text for version in self.versions]

    @property
    def links(self) -> list[tuple[str, str]]:
        """(visible text, url) of every link in the current version."""
        parsed = self.versions[-1].parsed
        return [
            (parsed.text[e.start : e.end], e.url or "")
            for e in parsed.entities
            if e.type == "text_link"
        ]
