"""Alert commands: /subscribe, /alerts (with buttons), /unsubscribe, /digest.

In private chats the user manages their own alerts; in groups only the group's admins
(asked of Telegram with getChatMember; an anonymous admin writing as the group counts) may
change the group's alerts, while everyone may list them.
"""

from __future__ import annotations

import logging

from telegram import Chat, ChatMember, Message, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot import messages
from bot.alerts_jobs import schedule_alert_jobs
from bot.alerts_render import (
    alert_number,
    parse_button,
    render_subscriptions,
    subscriptions_keyboard,
    topic_label,
)
from bot.alerts_service import AlertService, has_topic_words
from bot.context import NewsContext
from bot.handlers_ask import command_argument
from bot.handlers_stream import topic_thread
from index.errors import BadInputError
from index.types import Subscription

logger = logging.getLogger(__name__)

_ADMIN_STATUSES = frozenset({ChatMember.ADMINISTRATOR, ChatMember.OWNER})
MAX_DIGEST_HOURS = 24 * 7


async def may_manage(update: Update, context: NewsContext) -> bool:
    """Whether the sender may change this chat's alerts (always, in a private chat)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None:
        return False
    if chat.type == Chat.PRIVATE:
        return True
    message = update.effective_message
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat.id  # an anonymous admin of this group
    if user is None:
        return False
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in _ADMIN_STATUSES


async def _alerts(update: Update, context: NewsContext) -> tuple[Message, AlertService] | None:
    """The message and the alert service; None after saying alerts are unavailable."""
    message = update.effective_message
    if message is None:
        return None
    alerts = context.services.alerts
    if alerts is None:
        await message.reply_text(messages.ALERTS_UNAVAILABLE)
        return None
    return message, alerts


async def _managed(update: Update, context: NewsContext) -> tuple[Message, AlertService] | None:
    """As `_alerts`, and refuse group members who are not admins."""
    found = await _alerts(update, context)
    if found is None:
        return None
    if not await may_manage(update, context):
        await found[0].reply_text(messages.GROUP_ADMINS_ONLY)
        return None
    return found


async def subscribe(update: Update, context: NewsContext) -> None:
    """/subscribe TOPIC [+word] [-word]: alerts about new articles on TOPIC."""
    found = await _managed(update, context)
    if found is None:
        return
    message, alerts = found
    text = command_argument(message.text or "")
    if not text:
        await message.reply_text(messages.SUBSCRIBE_USAGE)
        return
    if has_topic_words(text) and topic_too_short(text):  # the service refuses the wordless
        await message.reply_text(TOPIC_TOO_SHORT)
        return
    # Made in a forum topic: its alerts go there.
    subscription = await alerts.subscribe(message.chat_id, text, topic_thread(message))
    await message.reply_text(
        messages.subscribed(topic_label(subscription), alert_number(subscription))
    )


async def list_alerts(update: Update, context: NewsContext) -> None:
    """/alerts: the chat's alerts with buttons to pause, resume, remove, switch to a digest."""
    found = await _alerts(update, context)
    if found is None:
        return
    message, alerts = found
    listed = await alerts.subscriptions(message.chat_id)
    await message.reply_text(
        _listed(listed, message),
        reply_markup=subscriptions_keyboard(listed),
    )


def _listed(listed: list[Subscription], message: Message) -> str:
    """The /alerts list for the chat of `message`: in a forum, it says where each alert
    posts, seen from the topic the list is shown in."""
    forum = bool(message.chat.is_forum)
    return render_subscriptions(listed, forum=forum, here=topic_thread(message))


def _number(text: str) -> int | None:
    text = text.strip().lstrip("#")
    return int(text) if text.isdigit() and len(text) < 10 else None  # fits 32 bits


async def unsubscribe(update: Update, context: NewsContext) -> None:
    """/unsubscribe N: remove alert N."""
    found = await _managed(update, context)
    if found is None:
        return
    message, alerts = found
    number = _number(command_argument(message.text or ""))
    if number is None:
        await message.reply_text(messages.UNSUBSCRIBE_USAGE)
        return
    subscription = await alerts.numbered(message.chat_id, number)
    removed = await alerts.remove(message.chat_id, subscription.id)
    await message.reply_text(messages.alert_removed(topic_label(removed)))


def parse_digest(argument: str) -> tuple[int, int | None] | None:
    """`N HOURS` or `N off` -> (N, hours or None); None when it is neither (pure)."""
    parts = argument.split()
    if len(parts) != 2:
        return None
    number = _number(parts[0])
    if number is None:
        return None
    value = parts[1].lower().removesuffix("h")
    if value in ("off", "instant"):
        return number, None
    if not value.isdigit() or not 1 <= int(value) <= MAX_DIGEST_HOURS:
        return None
    return number, int(value)


def digest_problem(argument: str) -> str:
    """What is wrong with /digest's arguments that `parse_digest` refused, in one line
    (pure). Hours out of range (0 included: `off` is the way back to instant alerts) say
    the range; anything else gets the usage line with it."""
    parts = argument.split()
    value = parts[1].lower().removesuffix("h") if len(parts) == 2 else ""
    number = _number(parts[0]) if parts else None
    if number is not None and value.lstrip("-").isdigit():
        return (
            f"A digest comes every 1 to {MAX_DIGEST_HOURS} hours (a week), not {value}. "
            f"<code>/digest {number} off</code> switches alert {number} back to instant alerts."
        )
    return f"{messages.DIGEST_USAGE} (HOURS: 1 to {MAX_DIGEST_HOURS})."


# At least this many letters or digits in a topic: "AI" and "EU" are topics, "x" is not.
MIN_TOPIC_CHARS = 2
TOPIC_TOO_SHORT = (
    f"A topic needs at least {MIN_TOPIC_CHARS} letters or digits, for example "
    "<code>/subscribe chip export controls</code>."
)


def topic_too_short(text: str) -> bool:
    """Whether a /subscribe argument has too few letters and digits to follow (pure)."""
    return sum(character.isalnum() for character in text) < MIN_TOPIC_CHARS


async def digest(update: Update, context: NewsContext) -> None:
    """/digest N HOURS|off: alert N as one digest every HOURS hours, or instant again."""
    found = await _managed(update, context)
    if found is None:
        return
    message, alerts = found
    argument = command_argument(message.text or "")
    parsed = parse_digest(argument)
    if parsed is None:
        await message.reply_text(digest_problem(argument))
        return
    number, hours = parsed
    subscription = await alerts.numbered(message.chat_id, number)
    changed = await alerts.set_digest(message.chat_id, subscription.id, hours)
    await message.reply_text(messages.alert_digest(topic_label(changed), changed.digest_hours))


async def on_button(update: Update, context: NewsContext) -> None:
    """A button of the /alerts list: change the alert, then redraw the list."""
    query = update.callback_query
    if query is None:
        return
    parsed = parse_button(query.data)
    alerts = context.services.alerts
    message = query.message
    if parsed is None or alerts is None or not isinstance(message, Message):
        await query.answer(messages.BUTTON_EXPIRED)
        return
    if not await may_manage(update, context):
        await query.answer(messages.GROUP_ADMINS_ONLY, show_alert=True)
        return
    action, number = parsed
    chat_id = message.chat_id
    try:
        subscription_id = (await alerts.numbered(chat_id, number)).id
        if action in ("pause", "resume"):
            await alerts.set_active(chat_id, subscription_id, action == "resume")
        elif action == "remove":
            await alerts.remove(chat_id, subscription_id)
        else:
            hours = messages.DIGEST_HOURS_DEFAULT if action == "digest" else None
            await alerts.set_digest(chat_id, subscription_id, hours)
    except BadInputError:  # removed meanwhile, or a number this chat does not hold
        await query.answer(messages.BUTTON_EXPIRED)
        return
    await query.answer(messages.BUTTON_DONE[action])
    listed = await alerts.subscriptions(chat_id)
    try:
        await query.edit_message_text(
            _listed(listed, message),
            reply_markup=subscriptions_keyboard(listed),
        )
    except BadRequest as exc:  # pressed twice: "message is not modified"
        logger.debug("alerts list not redrawn in %s: %s", chat_id, exc)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add the alert commands and buttons; with an alert service, schedule delivery too."""
    commands = {
        "subscribe": subscribe,
        "alerts": list_alerts,
        "unsubscribe": unsubscribe,
        "digest": digest,
    }
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback, filters=filters.UpdateType.MESSAGE))
    application.add_handler(CallbackQueryHandler(on_button, pattern=r"^al:"))
    services = application.bot_data.services
    if services is not None and services.alerts is not None:
        schedule_alert_jobs(application, services.alerts)
