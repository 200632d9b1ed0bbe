"""The last handlers: whatever no other handler took is answered politely or logged."""

from __future__ import annotations

import logging

from telegram import Chat, Update
from telegram.ext import Application, CallbackQueryHandler, TypeHandler

from bot import messages
from bot.context import NewsContext

logger = logging.getLogger(__name__)


def update_kinds(update: Update) -> str:
    """What an update carries ("edited_message", "channel_post", ...), for log lines."""
    return ", ".join(key for key in update.to_dict() if key != "update_id") or "nothing"


async def unknown_button(update: Update, context: NewsContext) -> None:
    """A button no handler knows (an old message, forged data): say so, stop the spinner."""
    del context
    query = update.callback_query
    if query is None:
        return
    logger.info("unknown button data %r from user %s", (query.data or "")[:64], query.from_user.id)
    await query.answer(messages.BUTTON_EXPIRED)


async def unhandled(update: object, context: NewsContext) -> None:
    """Edits, channel posts, stickers, other update kinds: a hint in private chats, else a log
    line. Registered last, so it only sees what every other handler passed on (edited
    questions and captions were answered before)."""
    del context
    if not isinstance(update, Update):
        return
    message, edited = update.message, update.edited_message
    if message is not None and message.chat.type == Chat.PRIVATE:
        await message.reply_text(messages.TEXT_ONLY)
        return
    # An edited command; other edits (a live location moving, media swapped) stay quiet.
    if edited is not None and edited.chat.type == Chat.PRIVATE and (edited.text or "")[:1] == "/":
        await edited.reply_text(messages.EDITED_COMMAND)
        return
    logger.debug("ignored update %s (%s)", update.update_id, update_kinds(update))


def register_fallbacks(application: Application) -> None:  # type: ignore[type-arg]
    """Add after every other handler of group 0."""
    application.add_handler(CallbackQueryHandler(unknown_button))
    application.add_handler(TypeHandler(Update, unhandled))
