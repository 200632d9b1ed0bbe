"""How the offline terminal shows a bot message: plain text, each source's URL once, and the
message's buttons as labels the user can type to press them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.emulator_html import ParsedText, with_urls
from bot.emulator_messages import Json, StoredMessage

# A citation marker's visible text: "[1]", "[12]".
_MARKER = re.compile(r"\[\d{1,3}\]")
BUTTONS_HINT = "(type a button's text to press it)"


@dataclass(frozen=True)
class Button:
    """An inline button: it sends `data` when pressed, or opens `url`."""

    text: str
    data: str | None = None
    url: str | None = None


def terminal_text(parsed: ParsedText) -> str:
    """Visible text with links written as `text (url)`, except citation markers: a `[n]`
    whose URL the message shows elsewhere (its Sources list) stays `[n]`, so an answer reads
    as sentences and each source's URL appears once. Text defused for Telegram ("Amazon․com")
    shows its real characters (`with_urls`): nothing links in a terminal."""
    links = [e for e in parsed.entities if e.type == "text_link" and e.url]
    listed = {e.url for e in links if not _MARKER.fullmatch(parsed.text[e.start : e.end])}
    shown_elsewhere = [
        e for e in links if _MARKER.fullmatch(parsed.text[e.start : e.end]) and e.url in listed
    ]
    return with_urls(parsed, (e for e in links if e not in shown_elsewhere))


def keyboard(markup: Json | None) -> list[list[Button]]:
    """The rows of an inline keyboard (reply_markup as sent to the Bot API)."""
    if not markup:
        return []
    rows: list[list[Button]] = []
    for row in markup.get("inline_keyboard") or []:
        buttons = [
            Button(str(b.get("text", "")), b.get("callback_data"), b.get("url"))
            for b in row
            if isinstance(b, dict)
        ]
        if buttons:
            rows.append(buttons)
    return rows


def render_keyboard(rows: list[list[Button]]) -> str:
    """One line per row: `[Pause 1]  [Remove 1]`; a link button also shows its URL."""
    lines = [
        "  ".join(f"[{b.text}]" + (f" ({b.url})" if b.url else "") for b in row) for row in rows
    ]
    if any(b.data for row in rows for b in row):
        lines.append(BUTTONS_HINT)
    return "\n".join(lines)


def pressable(rows: list[list[Button]]) -> dict[str, str]:
    """Typed text (a button's label, any case) -> the data its button sends."""
    return {b.text.strip().casefold(): b.data for row in rows for b in row if b.data}


def format_message(message: StoredMessage, prefix: str = "") -> str:
    """A bot message for the terminal: `bot> ` and its text, then its buttons."""
    version = message.versions[-1]
    text = f"bot> {prefix}{terminal_text(version.parsed)}"
    rows = keyboard(version.reply_markup)
    if rows:
        text = f"{text.rstrip()}\n{render_keyboard(rows)}"
    return text + "\n"
