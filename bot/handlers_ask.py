"""Questions: /ask, plain text in private chats, mentions and replies in groups."""

from __future__ import annotations

import logging
import re

from telegram import Chat, Message, MessageEntity, Update

from bot import messages
from bot.context import NewsContext
from bot.handlers_stream import AnswerStream, typing_indicator
from bot.render import render_answer

logger = logging.getLogger(__name__)

# Longer questions are refused politely: they are pasted articles rather than questions, and
# they would crowd the sources out of the LLM's prompt (date phrases are read in the first
# 1,000 characters too).
MAX_QUESTION_CHARS = 1000


_WORD_CHAR = re.compile(r"\w")


def has_words(text: str) -> bool:
    """False for text with no letter or digit (empty, spaces, a zero-width joiner, "?!")."""
    return _WORD_CHAR.search(text) is not None


def command_argument(text: str) -> str:
    """Everything after the leading /command (newlines kept)."""
    parts = text.strip().split(maxsplit=1)
    return parts[1].strip() if len(parts) == 2 else ""


def strip_mention(text: str, bot_username: str) -> str:
    """The text without @bot_username mentions, whitespace tidied."""
    pattern = re.compile(rf"@{re.escape(bot_username)}(?![A-Za-z0-9_])", re.IGNORECASE)
    return re.sub(r"[ \t]{2,}", " ", pattern.sub(" ", text)).strip()


def addressed_question(message: Message, bot_username: str, bot_id: int) -> str | None:
    """The question in a message, or None when it is not meant for the bot (groups)."""
    text = message.text or ""
    if message.chat.type == Chat.PRIVATE:
        return text.strip()
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return strip_mention(text, bot_username)
    mentions = message.parse_entities([MessageEntity.MENTION]).values()
    if any(mention.lower() == f"@{bot_username.lower()}" for mention in mentions):
        return strip_mention(text, bot_username)
    return None


def replied_bot_message_id(message: Message, bot_id: int) -> int | None:
    """The bot message this one replies to (a follow-up question), if any."""
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return replied.message_id
    return None


async def ask_command(update: Update, context: NewsContext) -> None:
    """/ask QUESTION: answer it, or show the usage line when QUESTION is missing."""
    message = update.effective_message
    if message is None:
        return
    question = command_argument(message.text or "")
    if not has_words(question):
        await message.reply_text(messages.ASK_USAGE)
        return
    await answer_question(update, context, question)


async def on_text(update: Update, context: NewsContext) -> None:
    """Plain text: a question in private chats; in groups only when addressed to the bot."""
    message = update.effective_message
    if message is None:
        return
    question = addressed_question(message, context.bot.username, context.bot.id)
    if question is None:
        return
    if not has_words(question):
        await message.reply_text(messages.ASK_USAGE)
        return
    await answer_question(update, context, question)


async def answer_question(update: Update, context: NewsContext, question: str) -> None:
    """Check the limit, keep 'typing…' up, stream partials, send the rendered answer."""
    services = context.services
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    if len(question) > MAX_QUESTION_CHARS:
        logger.info("refused a question of %d characters in chat %s", len(question), chat.id)
        await message.reply_text(messages.question_too_long(MAX_QUESTION_CHARS))
        return
    if not services.is_admin(user.id):
        wait = services.limiter.try_acquire(user.id)
        if wait is not None:
            await message.reply_text(messages.rate_limited(wait, services.limiter.limit))
            return
    quote = message.message_id if chat.type != Chat.PRIVATE else None
    async with (
        typing_indicator(context.bot, chat.id, services.typing_interval),
        AnswerStream(context.bot, chat.id, quote, services.stream_edit_interval) as stream,
    ):
        answer = await services.news.ask(
            question,
            chat_id=chat.id,
            user_id=user.id,
            now=services.clock(),
            reply_to_message_id=replied_bot_message_id(message, context.bot.id),
            on_partial=stream.partial,
        )
        sent = await stream.finish(render_answer(answer, tz=services.timezone))
    await services.news.record_bot_messages(chat.id, sent, answer)
