"""Telegram handlers: thin callbacks over the news service, and the one error handler."""

from __future__ import annotations

import logging

from telegram import Chat, Message, ReplyParameters, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from bot import messages
from bot.context import NewsContext
from bot.handlers_admin import admin_sources
from bot.handlers_admin import register as register_admin
from bot.handlers_alerts import register as register_alerts
from bot.handlers_ask import (
    MAX_QUESTION_CHARS,
    ask_command,
    command_argument,
    on_text,
    register_edits_and_captions,
)
from bot.handlers_fallback import register_fallbacks
from bot.handlers_membership import register as register_membership
from bot.handlers_stream import topic_thread
from bot.html_text import escape, truncate
from bot.logging_setup import SecretScrubber
from bot.render import render_headlines, render_sources_overview
from index.errors import NewsbotError, StorageError

logger = logging.getLogger(__name__)


async def start(update: Update, context: NewsContext) -> None:
    """/start: what the bot does, with three example questions."""
    if update.effective_message is None:
        return
    examples = await context.services.news.example_questions(3)
    question = await context.services.news.example_question(examples)
    await update.effective_message.reply_text(messages.start(examples, question))


async def help_command(update: Update, context: NewsContext) -> None:
    """/help: how to use the bot; admins also get the admin commands."""
    message, user = update.effective_message, update.effective_user
    if message is None:
        return
    admin = context.services.is_admin(user.id if user is not None else None)
    await message.reply_text(
        f"{messages.HELP}\n\n{messages.ADMIN_HELP}" if admin else messages.HELP
    )


async def latest(update: Update, context: NewsContext) -> None:
    """/latest [TOPIC]: the newest headlines, optionally on a topic."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    topic = command_argument(message.text or "") or None
    if topic is not None and len(topic) > MAX_QUESTION_CHARS:  # it is searched, and echoed
        await message.reply_text(messages.topic_too_long(MAX_QUESTION_CHARS))
        return
    headlines = await services.news.latest(topic, services.latest_limit)
    await reply_pieces(message, render_headlines(headlines, topic, tz=services.timezone))


async def sources(update: Update, context: NewsContext) -> None:
    """/sources: which outlets and dates are indexed (admins in a private chat also get the
    registered sources: their URLs and last errors are not for a group's members)."""
    message = update.effective_message
    if message is None:
        return
    overview = await context.services.news.overview()
    pieces = render_sources_overview(overview, tz=context.services.timezone)
    await reply_pieces(message, pieces)
    if message.chat.type == Chat.PRIVATE:
        await admin_sources(update, context)


def command_addressee(text: str) -> str | None:
    """The bot a leading /command names ("/foo@newsbot_bot" -> "newsbot_bot"), else None."""
    words = text.split(maxsplit=1)
    if not words or not words[0].startswith("/"):
        return None
    _, at, name = words[0].partition("@")
    return name if at and name else None


async def unknown_command(update: Update, context: NewsContext) -> None:
    """A /command no handler took: point to /help if it was meant for this bot (any in a
    private chat; in a group only /command@thisbot, the rest may be other bots')."""
    message = update.effective_message
    if message is None:
        return
    if message.chat.type != Chat.PRIVATE:
        addressee = command_addressee(message.text or "")
        if addressee is None or addressee.lower() != context.bot.username.lower():
            logger.debug("ignored a command for another bot in chat %s", message.chat_id)
            return
    await message.reply_text(messages.UNKNOWN_COMMAND)


async def reply_pieces(message: Message, pieces: list[str]) -> None:
    """Send several HTML messages in order, the first one replying to `message`."""
    for index, piece in enumerate(pieces):
        if index == 0:
            await message.reply_text(piece)
        else:
            await message.get_bot().send_message(message.chat_id, piece)


async def on_error(update: object, context: NewsContext) -> None:
    """Known errors become their user message; anything else is logged and apologised for.
    A database outage is told to the log once (`StorageOutage`), not at every failure."""
    error = context.error
    chat_id = _chat_id(update)
    where = f"chat {chat_id}" if chat_id is not None else background_name(context)
    services = context.bot_data.services
    admin = services.admin if services is not None else None
    if isinstance(error, StorageError) and admin is not None:
        admin.outage.failed(error, where)
        if chat_id is None:
            return  # nobody to tell: the outage is in the log
    if isinstance(error, NewsbotError):
        logger.info("%s in %s: %s", type(error).__name__, where, error.user_message)
        text = escape(error.user_message)
    elif isinstance(error, Forbidden):
        logger.warning("cannot write to chat %s: %s", chat_id, error)
        return
    else:
        logger.error(
            "unexpected error while handling %s", _describe(update, context), exc_info=error
        )
        text = messages.APOLOGY
        await _notify_admins(update, context)
    if chat_id is None:
        return
    reply_to = _message_id(update)
    reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
    try:
        await context.bot.send_message(
            chat_id, text, reply_parameters=reply, message_thread_id=_thread_id(update)
        )
    except TelegramError as exc:
        logger.warning("could not tell chat %s about an error: %s", chat_id, exc)


async def _notify_admins(update: object, context: NewsContext) -> None:
    admin_chat_id = context.services.admin_chat_id
    error = context.error
    if admin_chat_id is None or error is None:
        return
    scrubber = SecretScrubber((context.bot.token, *context.services.secrets))
    detail = truncate(scrubber.scrub(str(error)), 500)
    summary = messages.admin_error_summary(type(error).__name__, detail, _describe(update, context))
    try:
        await context.bot.send_message(admin_chat_id, summary)
    except TelegramError as exc:
        logger.warning("could not notify the admin chat: %s", exc)


def _chat_id(update: object) -> int | None:
    if isinstance(update, Update) and update.effective_chat is not None:
        return update.effective_chat.id
    return None


def _message_id(update: object) -> int | None:
    if isinstance(update, Update) and update.message is not None:
        return update.message.message_id
    return None


def _thread_id(update: object) -> int | None:
    """The forum topic the update's message was written in: the error is told there too."""
    if isinstance(update, Update) and update.effective_message is not None:
        return topic_thread(update.effective_message)
    return None


def background_name(context: NewsContext) -> str:
    """The background work an error without an update came from: a JobQueue job by its
    name, a task (`Application.create_task`) by its coroutine's."""
    if context.job is not None and context.job.name:
        return f"the {context.job.name} job"
    name = getattr(context.coroutine, "__qualname__", None)
    return f"the background task {name}" if name else "a background task"


def _describe(update: object, context: NewsContext) -> str:
    if isinstance(update, Update):
        return f"update {update.update_id} (chat {_chat_id(update)})"
    return background_name(context)


def register_handlers(application: Application) -> None:  # type: ignore[type-arg]
    """Attach every handler and the error handler to the application."""
    new_messages = filters.UpdateType.MESSAGE
    commands = {
        "start": start,
        "help": help_command,
        "ask": ask_command,
        "latest": latest,
        "sources": sources,
    }
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback, filters=new_messages))
    register_admin(application)
    register_alerts(application)
    register_membership(application)
    application.add_handler(MessageHandler(new_messages & filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(MessageHandler(new_messages & filters.COMMAND, unknown_command))
    register_edits_and_captions(application)
    register_fallbacks(application)  # last: only what no handler above took
    application.add_error_handler(on_error)
