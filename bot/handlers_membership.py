"""Chats that change under the bot: a group upgraded to a supergroup, the bot let back in.

A group upgraded to a supergroup continues under a new chat id. Telegram says so twice, in
a service message in each chat (`migrate_to_chat_id` in the old one, `migrate_from_chat_id`
in the new one), and a send to the old id is refused with the new one (handled by
`bot/alerts_jobs.py`). Whichever comes first moves the chat's alerts and conversation; the
others find nothing left to move.

A chat that blocked or removed the bot has its alerts paused by the first alert refused.
When the bot is let back in (`my_chat_member`: a member again), the chat is told in one
line how many of its alerts are paused and where to resume them. They are not resumed by
themselves: a paused alert may have been paused on purpose (one flag holds both), and in a
group whoever re-adds the bot need not be an admin, the only ones who may change alerts.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker
from telegram import ChatMember, Update
from telegram.error import TelegramError
from telegram.ext import Application, ChatMemberHandler, MessageHandler, filters

from bot.alerts_claims import move_chat
from bot.alerts_render import paused_on_return
from bot.context import NewsContext
from index import store
from index.db import session_scope

logger = logging.getLogger(__name__)

_OUT = frozenset({ChatMember.LEFT, ChatMember.BANNED})
_IN = frozenset({ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER})


def migration(update: Update) -> tuple[int, int] | None:
    """(old id, new id) of a group upgraded to a supergroup, from either service message."""
    message = update.message
    if message is None:
        return None
    if message.migrate_to_chat_id is not None:
        return message.chat_id, message.migrate_to_chat_id
    if message.migrate_from_chat_id is not None:
        return message.migrate_from_chat_id, message.chat_id
    return None


async def on_migrate(update: Update, context: NewsContext) -> None:
    """A group became a supergroup: its alerts and conversation move to the new id."""
    moved = migration(update)
    alerts = context.services.alerts
    if moved is None or alerts is None:
        return
    await alerts.run(move_chat, alerts, *moved)


def let_back_in(update: Update) -> bool:
    """The bot was out of the chat (left, removed, blocked) and is a member again."""
    change = update.my_chat_member
    if change is None:
        return False
    was, now = change.old_chat_member, change.new_chat_member
    if now.status == ChatMember.RESTRICTED:
        return was.status in _OUT and bool(getattr(now, "is_member", False))
    return was.status in _OUT and now.status in _IN


def _paused(sessions: sessionmaker[Session], chat_id: int) -> int:
    with session_scope(sessions) as session:
        held = store.list_subscriptions(session=session, chat_id=chat_id)
    return sum(1 for subscription in held if not subscription.active)


async def on_my_chat_member(update: Update, context: NewsContext) -> None:
    """The bot is back in a chat: tell it, in one line, about its paused alerts."""
    alerts = context.services.alerts
    chat = update.effective_chat
    if alerts is None or chat is None or not let_back_in(update):
        return
    paused = await alerts.run(_paused, alerts.sessions, chat.id)
    if not paused:
        return
    try:
        await context.bot.send_message(chat.id, paused_on_return(paused))
    except TelegramError as exc:  # removed again meanwhile, or may not write: nothing to do
        logger.info("could not tell chat %s about its paused alerts: %s", chat.id, exc)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add the migration and membership handlers (before the fallbacks)."""
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate))
    application.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
