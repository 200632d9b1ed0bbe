"""Every user-facing string of the bot, as Telegram HTML (dynamic parts escaped here)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from bot.html_text import escape, escape_code

if TYPE_CHECKING:
    pass

BOT_DESCRIPTION = "I answer questions about the news I have indexed, and cite the articles I used."

# (command, description) pairs for setMyCommands: plain text, not HTML.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "What this bot does, with example questions"),
    ("ask", "Ask a question about the news"),
    ("latest", "Latest headlines, optionally on a topic"),
    ("sources", "Which outlets and dates are indexed"),
    ("subscribe", "Get alerts about new articles on a topic"),
    ("alerts", "Your topic alerts: pause, resume, remove"),
    ("help", "How to use this bot"),
)

SOURCES_HEADER = "Sources"
CLOSEST_HEADER = "Closest headlines"
NOT_FOUND = "I could not find anything about that in the indexed news."
PARTIAL_SUFFIX = " …"

HELP = (
    "<b>How to use me</b>\n"
    "Write a question in this chat, or use /ask QUESTION. "
    "In a group, mention me to ask a new question, or reply to one of my answers "
    "to follow it up.\n\n"
    "/start - what I do, with example questions\n"
    "/ask QUESTION - a cited answer (in a private chat, just write the question)\n"
    "/latest [TOPIC] - the newest headlines\n"
    "/sources - which outlets and dates I know about\n"
    "/subscribe TOPIC - alerts when new articles on a topic arrive "
    "(+word: must appear, -word: must not)\n"
    "/alerts - your alerts, with buttons to pause, resume, remove or switch to a digest\n"
    "/unsubscribe N - stop alert N; /digest N HOURS - alert N as a digest\n"
    "/help - this message\n\n"
    "Every answer lists its sources; [n] in the text links to source n. "
    "Reply to an answer to ask a follow-up question, or to an alert to ask about its article."
)

ADMIN_HELP = (
    "<b>Admin commands</b>\n"
    "/addsource URL - register a feed or an article page\n"
    "/sources - in a private chat, also lists the registered sources, with their state\n"
    "/removesource N - unregister source N (its articles stay indexed)\n"
    "/ingest URL - index one article now\n"
    "/reindex [full] - fetch every source and index what is new (full: re-embed everything)\n"
    "/stats - articles, chunks, outlets, the index and the last re-index"
)

ASK_USAGE = "Usage: /ask QUESTION, for example <code>/ask What happened this week?</code>"

APOLOGY = "Sorry, something went wrong while answering. Please try again in a moment."

SOURCES_EMPTY = "Nothing is indexed yet."

UNKNOWN_COMMAND = "I don't know that command. /help lists the ones I understand."

TEXT_ONLY = "I can only read questions written as text. /help shows how to ask."

ASK_IN_WORDS = (
    "I read questions written in words. Ask me about the news, for example "
    "<i>What happened this week?</i>"
)

BARE_LINK = (
    "I don't open links: I answer questions about the news I have indexed. Ask in words, "
    "for example <i>What happened this week?</i>"
)

GREETING_REPLY = (
    "Hello! Ask me about the news, for example <i>What happened this week?</i> "
    "/help shows what else I can do."
)

THANKS_REPLY = "You're welcome! Ask me anything else about the news, or see /help."

BYE_REPLY = "Bye! Come back any time for the news."

ABOUT_REPLY = (
    "I'm a news bot: I answer questions about the news I have indexed and cite the articles "
    "each answer comes from. Ask, for example, <i>What happened this week?</i>, see the "
    "newest headlines with /latest, or get alerts on a topic with /subscribe. "
    "/help lists everything I can do."
)

ACK_REPLY = "👍 Ask me about the news whenever you like."

EDITED_COMMAND = "I don't act on edited commands. Please send the command again."

BUTTON_EXPIRED = "This button no longer works."


def topic_too_long(limit: int) -> str:
    return f"That topic is too long for me: {limit:,} characters at most. Please shorten it."


def question_too_long(limit: int) -> str:
    return (
        f"That question is too long for me: {limit:,} characters at most. "
        "Please ask it in fewer words."
    )


def start(examples: list[str], question: str | None = None) -> str:
    """/start: what the bot does, an example question and a few recent topics to try."""
    lines = [f"<b>Hello!</b> {escape(BOT_DESCRIPTION)}"]
    if question:
        lines.append(f"\nAsk in your own words, for example: <i>{escape(question)}</i>")
    if examples:
        lines.append("Or try asking about:")
        lines.extend(f"• {escape(topic)}" for topic in examples)
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


def overview_header(
    article_count: int, outlet_count: int, dates: str | None, unattributed: int = 0
) -> str:
    """The /sources header; its counts match the list below it, where articles with no
    outlet named have their own line."""
    articles = "article" if article_count == 1 else "articles"
    outlets = "outlet" if outlet_count == 1 else "outlets"
    span = f", published {escape(dates)}" if dates else ""
    counts = f"{article_count} {articles} from {outlet_count} {outlets}"
    if unattributed and not outlet_count:
        counts = f"{article_count} {articles} with no outlet named"
    elif unattributed:
        counts = (
            f"{article_count} {articles} ({article_count - unattributed} from "
            f"{outlet_count} {outlets}, {unattributed} with no outlet named)"
        )
    return f"<b>Indexed news</b>\n{counts}{span}."


def outlet_line(name: str, articles: int) -> str:
    unit = "article" if articles == 1 else "articles"
    return f"• {escape(name)}: {articles} {unit}"


def no_outlet_line(articles: int) -> str:
    unit = "article" if articles == 1 else "articles"
    return f"• no outlet named: {articles} {unit}"


def admin_error_summary(error_type: str, error_text: str, where: str) -> str:
    """Short note to the admin chat about an unexpected error (no traceback)."""
    return (
        f"<b>Unexpected error</b> while handling {escape(where)}:\n"
        f"<code>{escape_code(error_type)}: {escape_code(error_text)}</code>"
    )


def plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else plural or word + 's'}"


# --- topic alerts (/subscribe, /alerts, /unsubscribe, /digest, the alerts themselves) -----

SUBSCRIBE_USAGE = (
    "Usage: /subscribe TOPIC, for example <code>/subscribe chip export controls +china "
    "-stocks</code> (+word: must appear, -word: must not)"
)
UNSUBSCRIBE_USAGE = "Usage: /unsubscribe N, where N is an alert number from /alerts"
DIGEST_USAGE = (
    "Usage: /digest N HOURS to get alert N as one digest every HOURS hours, "
    "or <code>/digest N off</code> for instant alerts again"
)
ALERTS_UNAVAILABLE = "Topic alerts are not available in this bot."
GROUP_ADMINS_ONLY = "Only the group's admins can change its alerts."
ALERTS_EMPTY = "This chat has no alerts. Start one with /subscribe TOPIC."
ALERTS_HEADER = "Your alerts"
ALERTS_FOOTER = (
    "The buttons pause, resume or remove an alert, or switch it between instant alerts and "
    "a daily digest; /unsubscribe N and /digest N HOURS|off do the same by number."
)
ALERT_MATCHED = "Why"
DIGEST_HOURS_DEFAULT = 24  # the digest button's interval
BUTTON_PAUSE = "Pause"
BUTTON_RESUME = "Resume"
BUTTON_REMOVE = "Remove"
BUTTON_DIGEST = "Daily digest"
BUTTON_INSTANT = "Instant"
# What a pressed button did (a toast: plain text).
BUTTON_DONE = {
    "pause": "Alert paused.",
    "resume": "Alert resumed.",
    "remove": "Alert removed.",
    "digest": "Alert switched to a daily digest.",
    "instant": "Alert switched to instant.",
}


def every_hours(hours: int) -> str:
    return "every hour" if hours == 1 else f"every {hours} hours"


def subscribed(topic: str, number: int, instant: bool = True) -> str:
    """The reply to /subscribe (topic as plain text)."""
    how = "as soon as they are indexed" if instant else "in a digest"
    return (
        f"Subscribed: alert {number}, <b>{escape(topic)}</b>. "
        f"I will send new articles on it {how}. /alerts lists your alerts."
    )


def subscription_state(active: bool, digest_hours: int | None) -> str:
    if not active:
        return "paused"
    return "instant" if digest_hours is None else f"digest {every_hours(digest_hours)}"


def alert_removed(topic: str) -> str:
    return f"Removed: <b>{escape(topic)}</b>."


def alert_digest(topic: str, hours: int | None) -> str:
    if hours is None:
        return f"<b>{escape(topic)}</b>: instant alerts."
    return f"<b>{escape(topic)}</b>: one digest {every_hours(hours)}."


def digest_header(topic: str, count: int) -> str:
    return f"<b>Digest: {escape(topic)}</b> ({plural(count, 'new story', 'new stories')})"
