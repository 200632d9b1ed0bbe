"""Questions: /ask, plain text in private chats, mentions and replies in groups.

A photo's or a document's caption is read like text, and an edited question is answered
again (quoting the edit): users expect an assistant to take the corrected question rather
than ignore it. Edits of other commands are not acted on (re-running /subscribe or /reindex
because a typo was fixed would surprise more than it helps).
"""

from __future__ import annotations

import logging
import re

from telegram import Chat, Message, MessageEntity, Update
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from bot import messages, messages_admin
from bot.admin_ops import is_url
from bot.context import NewsContext
from bot.handlers_stream import AnswerStream, topic_thread, typing_indicator
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


def is_bare_link(text: str) -> bool:
    """True for a message that is one link and nothing else (a pasted URL, not a question)."""
    words = text.split()
    return len(words) == 1 and (is_url(words[0]) or words[0].lower().startswith("www."))


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# A message made only of these words (a few of them, one a greeting or a thanks) is small
# talk, not a question: searching the news for "hi" finds unrelated headlines.
_HELLO = _words(
    """hi hello hey heya hiya howdy greetings morning afternoon evening hola bonjour hallo
    ciao salut servus moin buongiorno"""
)
_THANKS = _words("thanks thank thx ty cheers merci gracias danke grazie")
_SMALL_TALK = _words(
    """good day there all everyone you bot so much very lot a again ok okay great nice
    buenos dias días guten tag morgen"""
)
MAX_SMALL_TALK_WORDS = 5


# Whole messages (lower case, words joined by one space) that say goodbye, ask what the bot
# is, or only acknowledge; narrow on purpose: "who are you voting for" and "help for
# Ukraine" are questions.
_BYE = re.compile(
    r"(?:(?:ok|okay|alright|well|so|thanks|thank you|thx|cool|great) )*"
    r"(?:bye(?: bye)*|byebye|goodbye|good ?night|night night|nite|cya|later|ttyl|farewell"
    r"|see (?:you|ya|u)(?: later| soon| tomorrow| around)?"
    r"|have a (?:good|nice|great) (?:day|night|evening|one))"
    r"(?: (?:for now|then|now|all|everyone|bot|again|and thanks|thanks|thank you))*"
)
_ABOUT = re.compile(
    r"(?:(?:hi|hello|hey|ok|okay|so) )*"
    r"(?:who are you|who r u|what are you|what can you do|what do you do|what can i ask(?: you)?"
    r"|how do you work|how does (?:this|the) bot work|how do i use (?:you|this bot|the bot)"
    r"|what is this bot|what s this bot|are you a bot|help|help me|help please|please help"
    r"|i need help|need help)"
    r"(?: (?:bot|please|exactly|then|again))*"
)
_ACK = _words(
    """ok okay k kk okie cool lol lmao rofl nice great alright fine sure noted understood wow
    oh ah i see got it right"""
)
_LAUGH = re.compile(r"(?:ha|he|ja|ah)(?:ha|he|ja|ah)+h?|hm+|mm+|x?d+")


def small_talk_reply(text: str) -> str | None:
    """The reply to a message that is only a greeting, a thanks, a goodbye ("ok bye"), a
    question about the bot ("who are you?", "help") or an acknowledgement ("ok", "cool",
    "lol"), or None for anything else (pure)."""
    words = [w.lower() for w in re.findall(r"\w+", text)]
    if not words or len(words) > MAX_SMALL_TALK_WORDS:
        return None
    said = " ".join(words)
    if set(words) <= _HELLO | _THANKS | _SMALL_TALK | _ACK and set(words) & (_HELLO | _THANKS):
        return messages.THANKS_REPLY if set(words) & _THANKS else messages.GREETING_REPLY
    if _BYE.fullmatch(said):
        return messages.BYE_REPLY
    if _ABOUT.fullmatch(said):
        return messages.ABOUT_REPLY
    if len(words) <= 3 and all(w in _ACK or _LAUGH.fullmatch(w) for w in words):
        return messages.ACK_REPLY
    return None


def command_argument(text: str) -> str:
    """Everything after the leading /command (newlines kept)."""
    parts = text.strip().split(maxsplit=1)
    return parts[1].strip() if len(parts) == 2 else ""


def strip_mention(text: str, bot_username: str) -> str:
    """The text without @bot_username mentions, whitespace tidied."""
    pattern = re.compile(rf"@{re.escape(bot_username)}(?![A-Za-z0-9_])", re.IGNORECASE)
    return re.sub(r"[ \t]{2,}", " ", pattern.sub(" ", text)).strip()


def message_text(message: Message) -> str:
    """A message's text, or the caption of its photo, document or video."""
    return message.text or message.caption or ""


def mentions_bot(message: Message, bot_username: str) -> bool:
    """Whether the text (or caption) mentions @bot_username."""
    wanted = [MessageEntity.MENTION]
    if message.text is not None:
        mentions = message.parse_entities(wanted).values()
    else:
        mentions = message.parse_caption_entities(wanted).values()
    return any(mention.lower() == f"@{bot_username.lower()}" for mention in mentions)


def addressed_question(message: Message, bot_username: str, bot_id: int) -> str | None:
    """The question in a message, or None when it is not meant for the bot (groups)."""
    text = message_text(message)
    if message.chat.type == Chat.PRIVATE:
        return text.strip()
    if replied_bot_message_id(message, bot_id) is not None or mentions_bot(message, bot_username):
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
    small_talk = small_talk_reply(question)
    if small_talk is not None:
        await message.reply_text(small_talk)
        return
    await answer_question(update, context, question)


async def on_text(update: Update, context: NewsContext) -> None:
    """Text or a caption, new or edited: a question in private chats; in groups only when
    addressed to the bot. Wordless text, greetings and bare links get a hint instead of a
    search."""
    message = update.effective_message
    if message is None:
        return
    question = addressed_question(message, context.bot.username, context.bot.id)
    if question is None:
        return
    if not has_words(question):
        # In a group, "👍" in reply to an answer is a reaction, not a question.
        if message.chat.type == Chat.PRIVATE or mentions_bot(message, context.bot.username):
            await message.reply_text(messages.ASK_IN_WORDS)
        return
    small_talk = small_talk_reply(question)
    if small_talk is not None:
        # In a group, "thanks" in reply to an answer needs no answer of its own.
        if message.chat.type == Chat.PRIVATE or mentions_bot(message, context.bot.username):
            await message.reply_text(small_talk)
        return
    if is_bare_link(question):
        user = update.effective_user
        if context.services.is_admin(user.id if user is not None else None):
            await message.reply_text(messages_admin.bare_link(question))
        else:
            await message.reply_text(messages.BARE_LINK)
        return
    await answer_question(update, context, question)


def register_edits_and_captions(application: Application) -> None:  # type: ignore[type-arg]
    """Answer edited questions (text and /ask) and captions; add after the new-text handler."""
    edited = filters.UpdateType.EDITED_MESSAGE
    application.add_handler(CommandHandler("ask", ask_command, filters=edited))
    application.add_handler(MessageHandler(edited & filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGES & filters.CAPTION, on_text))


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
    # Groups: which question is answered; an edit: which version of it.
    edited = update.edited_message is not None
    quote = message.message_id if chat.type != Chat.PRIVATE or edited else None
    thread = topic_thread(message)  # a forum topic: the answer goes back into it
    async with (
        typing_indicator(context.bot, chat.id, services.typing_interval, thread_id=thread),
        AnswerStream(
            context.bot, chat.id, quote, services.stream_edit_interval, thread_id=thread
        ) as stream,
    ):
        answer = await services.news.ask(
            question,
            chat_id=chat.id,
            user_id=user.id,
            now=services.clock(),
            reply_to_message_id=replied_bot_message_id(message, context.bot.id),
            on_partial=stream.partial,
            message_id=message.message_id,
            edited=edited,
        )
        sent = await stream.finish(render_answer(answer, tz=services.timezone))
    await services.news.record_bot_messages(chat.id, sent, answer)
