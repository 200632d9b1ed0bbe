"""Alerts, digests and the /alerts list as Telegram HTML, with their buttons (pure).

Every dynamic part is escaped here; the fixed words live in `bot/messages.py`. Button data
is `al:ACTION:SUBSCRIPTION_ID` (well under Telegram's 64 bytes).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, tzinfo
from urllib.parse import urlsplit

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import messages
from bot.alerts_view import AlertView, alert_view, why_matched
from bot.html_text import MAX_MESSAGE_LENGTH, escape, escape_attribute, truncate
from bot.render import format_date
from index.types import PendingDelivery, StoredArticle, Subscription

__all__ = ["AlertView", "alert_view", "why_matched"]  # made in bot/alerts_view.py

BUTTON_PREFIX = "al"
ACTIONS = {
    "p": "pause",
    "r": "resume",
    "x": "remove",
    "d": "digest",
    "i": "instant",
}
MAX_TITLE = 300
MAX_LISTED_TOPIC = 120
# Room left under 4096 for the HTML tags around the visible text of a digest item.
_DIGEST_LIMIT = MAX_MESSAGE_LENGTH - 96


def _term(term: str) -> str:
    return f'"{term}"' if " " in term else term


def topic_label(subscription: Subscription) -> str:
    """`phrase +must -exclude` as the user typed it (plain text)."""
    parts = [subscription.topic]
    parts += [f"+{_term(word)}" for word in subscription.must_words]
    parts += [f"-{_term(word)}" for word in subscription.exclude_words]
    return " ".join(parts)


def _safe_url(url: str | None) -> str | None:
    if not url:
        return None
    url = url.strip()
    parts = urlsplit(url)
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def _headline(article: StoredArticle) -> str:
    title = truncate(" ".join(article.title.split()) or "Untitled", MAX_TITLE)
    url = _safe_url(article.url)
    if url is None:
        return f"<b>{escape(title)}</b>"
    return f'<b><a href="{escape_attribute(url)}">{escape(title)}</a></b>'


def _details(article: StoredArticle, tz: tzinfo) -> str:
    details = []
    if article.source and article.source.strip():
        details.append(truncate(" ".join(article.source.split()), 80))
    if article.published_at is not None:
        details.append(format_date(article.published_at, tz))
    return ", ".join(details)


def render_alert(
    delivery: PendingDelivery,
    article: StoredArticle,
    *,
    tz: tzinfo = UTC,
    view: AlertView | None = None,
) -> str:
    """One alert: linked headline, outlet and date, why it matched, the sentence that shows it."""
    view = view or alert_view(delivery, article)
    lines = [_headline(article)]
    details = _details(article, tz)
    if details:
        lines.append(escape(details))
    lines.append(f"<i>{messages.ALERT_MATCHED}:</i> {escape(view.why)}")
    if view.reason:
        lines.append(f"<blockquote>{escape(view.reason)}</blockquote>")
    return "\n".join(lines)


def alert_plain(
    delivery: PendingDelivery,
    article: StoredArticle,
    *,
    tz: tzinfo = UTC,
    view: AlertView | None = None,
) -> str:
    """The alert as the chat history keeps it (a reply to it is about this article)."""
    reason = (view or alert_view(delivery, article)).reason
    details = _details(article, tz)
    head = f"{article.title} ({details})" if details else article.title
    return f"Alert on {delivery.topic}: {head}. {reason}".strip()


def flood_header(topic: str, total: int, listed: int) -> str:
    """The head of a flood's one message (plain text; escape it)."""
    head = f"{total:,} new articles on {topic}"
    return head if listed >= total else f"{head}; the best {listed}:"


def render_flood(
    topic: str,
    total: int,
    items: Sequence[tuple[PendingDelivery, StoredArticle]],
    *,
    tz: tzinfo = UTC,
    views: Sequence[AlertView] | None = None,
) -> list[str]:
    """One match run's alerts of one subscription, too many to send one by one: a header
    counting all `total` matches, then the listed ones best first (as a digest lists them).
    `views`: each item's, in the order of `items`."""
    shown = views if views is not None else [alert_view(d, a) for d, a in items]
    order = sorted(range(len(items)), key=lambda i: -items[i][0].score)
    header = flood_header(truncate(topic, MAX_LISTED_TOPIC), total, len(order))
    ordered = [(items[i], shown[i]) for i in order]
    return _blocks(f"<b>{escape(header)}</b>", ordered, tz)


def render_digest(
    subscription: Subscription,
    items: Sequence[tuple[PendingDelivery, StoredArticle]],
    *,
    tz: tzinfo = UTC,
    views: Sequence[AlertView] | None = None,
) -> list[str]:
    """A digest: a header, then one block per story; several messages if it is long.
    `views`: each item's, in the order of `items`."""
    header = messages.digest_header(
        truncate(topic_label(subscription), MAX_LISTED_TOPIC), len(items)
    )
    shown = views if views is not None else [alert_view(d, a) for d, a in items]
    return _blocks(header, list(zip(items, shown, strict=True)), tz)


def _blocks(
    header: str,
    items: Sequence[tuple[tuple[PendingDelivery, StoredArticle], AlertView]],
    tz: tzinfo,
) -> list[str]:
    """The header, then one block per story; several messages if it is long."""
    blocks = []
    for (_, article), view in items:
        block = f"• {_headline(article)}"
        details = _details(article, tz)
        if details:
            block += f"\n{escape(details)}"
        why = escape(view.why)
        reason = truncate(view.reason, 200)
        block += f"\n<i>{why}:</i> {escape(reason)}" if reason else f"\n<i>{why}</i>"
        blocks.append(block)
    pieces = [header]
    for block in blocks:
        if len(pieces[-1]) + 2 + len(block) <= _DIGEST_LIMIT:
            pieces[-1] += "\n\n" + block
        else:
            pieces.append(block)
    return pieces


# Where an alert of a forum posts, seen from the topic the /alerts list is shown in (we know
# topics by number only). Here rather than in `bot/messages.py`: that module has another owner.
POSTS_HERE = "here"
POSTS_IN_GENERAL = "in General"
POSTS_ELSEWHERE = "in another topic"


def subscription_state(subscription: Subscription) -> str:
    """How an alert is sent, as /alerts shows it: "instant", "digest every 6 hours",
    "paused", or "paused, digest every 6 hours" (resuming brings back the digest)."""
    mode = messages.subscription_state(True, subscription.digest_hours)
    if subscription.active:
        return mode
    paused = messages.subscription_state(False, subscription.digest_hours)
    return paused if subscription.digest_hours is None else f"{paused}, {mode}"


def subscription_place(subscription: Subscription, here: int | None) -> str:
    """Where a forum's alert posts, seen from topic `here` (None: General)."""
    if subscription.thread_id == here:
        return POSTS_HERE
    return POSTS_IN_GENERAL if subscription.thread_id is None else POSTS_ELSEWHERE


def render_subscriptions(
    subscriptions: Sequence[Subscription], *, forum: bool = False, here: int | None = None
) -> str:
    """/alerts: the chat's subscriptions, numbered as /unsubscribe and /digest take them; in
    a `forum`, each says where it posts, seen from topic `here` (None: General).

    An alert's number is its own in the chat (1, 2, 3...): it never changes, and is never
    reused in the chat, so an old number cannot act on another alert after one is removed.
    """
    if not subscriptions:
        return messages.ALERTS_EMPTY
    lines = [f"<b>{messages.ALERTS_HEADER} ({len(subscriptions)})</b>"]
    for subscription in subscriptions:
        number = alert_number(subscription)
        state = subscription_state(subscription)
        if forum:
            state += f", {subscription_place(subscription, here)}"
        label = escape(truncate(topic_label(subscription), MAX_LISTED_TOPIC))
        lines.append(f"{number}. {label} ({state})")
    lines.append(f"\n{messages.ALERTS_FOOTER}")
    return "\n".join(lines)


def alert_number(subscription: Subscription) -> int:
    """The number users see and type (/unsubscribe N): the alert's number in its chat."""
    return subscription.number


def button_data(action: str, number: int) -> str:
    """A button's callback data: the action and the alert's number in the chat."""
    return f"{BUTTON_PREFIX}:{action}:{number}"


def parse_button(data: str | None) -> tuple[str, int] | None:
    """(action name, alert number) from button data; None when it is not ours or forged."""
    parts = (data or "").split(":")
    if len(parts) != 3 or parts[0] != BUTTON_PREFIX or parts[1] not in ACTIONS:
        return None
    if not parts[2].isdigit():
        return None
    return ACTIONS[parts[1]], int(parts[2])


def subscriptions_keyboard(subscriptions: Sequence[Subscription]) -> InlineKeyboardMarkup | None:
    """One row per subscription: pause or resume, remove, digest or instant."""
    if not subscriptions:
        return None
    rows = []
    for subscription in subscriptions:
        number = alert_number(subscription)
        if subscription.active:
            toggle = InlineKeyboardButton(
                f"{messages.BUTTON_PAUSE} {number}", callback_data=button_data("p", number)
            )
        else:
            toggle = InlineKeyboardButton(
                f"{messages.BUTTON_RESUME} {number}",
                callback_data=button_data("r", number),
            )
        remove = InlineKeyboardButton(
            f"{messages.BUTTON_REMOVE} {number}", callback_data=button_data("x", number)
        )
        if subscription.digest_hours is None:
            mode = InlineKeyboardButton(
                f"{messages.BUTTON_DIGEST} {number}",
                callback_data=button_data("d", number),
            )
        else:
            mode = InlineKeyboardButton(
                f"{messages.BUTTON_INSTANT} {number}",
                callback_data=button_data("i", number),
            )
        rows.append([toggle, remove, mode])
    return InlineKeyboardMarkup(rows)


def paused_on_return(count: int) -> str:
    """Told to a chat that lets the bot back in while some of its alerts are paused.

    Here rather than in `bot/messages.py` only because that module has another owner today.
    """
    alerts = "alert is" if count == 1 else "alerts are"
    return (
        f"Thanks for having me back. This chat's {count} {alerts} paused: "
        "/alerts lists them with buttons to resume."
    )
