"""Every user-facing string of the bot, as Telegram HTML (dynamic parts escaped here)."""

from __future__ import annotations

import math

from bot.html_text import escape

BOT_DESCRIPTION = "I answer questions about the news I have indexed, and cite the articles I used."

# (command, description) pairs for setMyCommands: plain text, not HTML.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "What this bot does, with example questions"),
    ("ask", "Ask a question about the news"),
    ("latest", "Latest headlines, optionally on a topic"),
    ("sources", "Which outlets and dates are indexed"),
    ("help", "How to use this bot"),
)

SOURCES_HEADER = "Sources"
NOT_FOUND = "I could not find anything about that in the indexed news."
PARTIAL_SUFFIX = " …"

HELP = (
    "<b>How to use me</b>\n"
    "Write a question in this chat, or use /ask QUESTION. "
    "In a group, mention me or reply to one of my messages.\n\n"
    "/latest [TOPIC] - the newest headlines\n"
    "/sources - which outlets and dates I know about\n"
    "/help - this message\n\n"
    "Every answer lists its sources; [n] in the text links to source n. "
    "Reply to an answer to ask a follow-up question."
)

ASK_USAGE = "Usage: /ask QUESTION, for example <code>/ask What happened this week?</code>"

APOLOGY = "Sorry, something went wrong while answering. Please try again in a moment."

SOURCES_EMPTY = "Nothing is indexed yet."

UNKNOWN_COMMAND = "I don't know that command. /help lists the ones I understand."


def start(examples: list[str]) -> str:
    """/start: what the bot does and a few questions to try."""
    lines = [f"<b>Hello!</b> {escape(BOT_DESCRIPTION)}"]
    if examples:
        lines.append("\nTry asking, for example:")
        lines.extend(f"• {escape(question)}" for question in examples)
    lines.append("\n/help shows everything I can do.")
    return "\n".join(lines)


def rate_limited(wait_seconds: float, limit: int) -> str:
    minutes = max(1, math.ceil(wait_seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return (
        f"You have asked {limit} questions in the last hour, which is my limit. "
        f"Please try again in about {minutes} {unit}."
    )


def latest_header(topic: str | None) -> str:
    return f"<b>Latest on {escape(topic)}</b>" if topic else "<b>Latest headlines</b>"


def latest_empty(topic: str | None) -> str:
    if topic:
        return f"I have no recent articles about {escape(topic)}."
    return "I have no articles yet."


def overview_header(article_count: int, outlet_count: int, dates: str | None) -> str:
    articles = "article" if article_count == 1 else "articles"
    outlets = "outlet" if outlet_count == 1 else "outlets"
    span = f", published {escape(dates)}" if dates else ""
    return f"<b>Indexed news</b>\n{article_count} {articles} from {outlet_count} {outlets}{span}."


def outlet_line(name: str, articles: int) -> str:
    unit = "article" if articles == 1 else "articles"
    return f"• {escape(name)}: {articles} {unit}"


def admin_error_summary(error_type: str, error_text: str, where: str) -> str:
    """Short note to the admin chat about an unexpected error (no traceback)."""
    return (
        f"<b>Unexpected error</b> while handling {escape(where)}:\n"
        f"<code>{escape(error_type)}: {escape(error_text)}</code>"
    )
