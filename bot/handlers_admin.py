"""Admin commands: /addsource, /sources (admin view), /removesource, /reindex, /ingest, /stats.

Each command answers "this command is for admins" to everyone not in ADMIN_USER_IDS, in
private chats and groups alike. /reindex returns at once: the work runs on the admin
service's worker thread while a background task edits a progress message every few
seconds and, at the end, sends the summary in its place. The job never depends on those
messages: one that Telegram refuses (flood control, a timeout) is posted again at the next
tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

from telegram import Bot, Message, ReplyParameters, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application, CommandHandler, filters

from bot import messages_admin
from bot.admin_job import AdminBusyError, AdminJob
from bot.admin_jobs import schedule_admin_jobs
from bot.admin_ops import is_url
from bot.admin_service import AdminService
from bot.context import NewsContext
from bot.handlers_ask import command_argument
from bot.handlers_stream import typing_indicator
from index.errors import NewsbotError

logger = logging.getLogger(__name__)


async def _admin(update: Update, context: NewsContext) -> tuple[Message, AdminService] | None:
    """The message and the admin service, or None after refusing a non-admin."""
    message, user = update.effective_message, update.effective_user
    if message is None:
        return None
    services = context.services
    if not services.is_admin(user.id if user is not None else None):
        await message.reply_text(messages_admin.ADMIN_ONLY)
        return None
    if services.admin is None:
        await message.reply_text(messages_admin.ADMIN_UNAVAILABLE)
        return None
    return message, services.admin


async def admin_sources(update: Update, context: NewsContext) -> bool:
    """/sources, after the public overview: admins also get every registered source with its
    state. False: not an admin, nothing sent."""
    message, user = update.effective_message, update.effective_user
    services = context.services
    if message is None or services.admin is None:
        return False
    if not services.is_admin(user.id if user is not None else None):
        return False
    sources = await services.admin.sources()
    for index, piece in enumerate(messages_admin.admin_sources(sources, services.timezone)):
        if index == 0:
            await message.reply_text(piece)
        else:
            await message.get_bot().send_message(message.chat_id, piece)
    return True


async def add_source(update: Update, context: NewsContext) -> None:
    """/addsource URL: register a feed or an article page (the kind is detected)."""
    found = await _admin(update, context)
    if found is None:
        return
    message, admin = found
    url = command_argument(message.text or "")
    if not is_url(url) or len(url.split()) != 1:
        await message.reply_text(messages_admin.ADDSOURCE_USAGE)
        return
    async with typing_indicator(context.bot, message.chat_id, context.services.typing_interval):
        record, detected = await admin.add_source(url)
    name = detected.name if detected is not None else None
    articles = detected.articles if detected is not None else None
    await message.reply_text(messages_admin.source_added(record, name, articles))


async def remove_source(update: Update, context: NewsContext) -> None:
    """/removesource N: unregister source N (its articles stay indexed)."""
    found = await _admin(update, context)
    if found is None:
        return
    message, admin = found
    argument = command_argument(message.text or "").lstrip("#")
    if not argument.isdigit():
        await message.reply_text(messages_admin.REMOVESOURCE_USAGE)
        return
    removed = await admin.remove_source(int(argument))
    await message.reply_text(messages_admin.source_removed(removed))


async def reindex(update: Update, context: NewsContext) -> None:
    """/reindex [full]: start re-indexing in the background and follow its progress."""
    found = await _admin(update, context)
    if found is None:
        return
    message, admin = found
    argument = command_argument(message.text or "").lower()
    if argument not in ("", "full"):
        await message.reply_text(messages_admin.REINDEX_USAGE)
        return
    clock = context.services.clock
    try:
        job = admin.start_reindex(full=argument == "full")
    except AdminBusyError as busy:
        await _reply_busy(message, busy.job, clock)
        return
    # The job runs already: a progress message Telegram refuses must not report it failed.
    message_id = await _post(
        context.bot,
        message.chat_id,
        messages_admin.refresh_progress(job.kind, job.progress, 0.0),
        message.message_id,
    )
    admin.track(
        follow_job(
            context.bot,
            job,
            chat_id=message.chat_id,
            message_id=message_id,
            reply_to=message.message_id,
            interval=admin.config.progress_interval,
            clock=clock,
        )
    )


async def ingest(update: Update, context: NewsContext) -> None:
    """/ingest URL: index one article now; reply with its title and chunk count."""
    found = await _admin(update, context)
    if found is None:
        return
    message, admin = found
    url = command_argument(message.text or "")
    if not is_url(url) or len(url.split()) != 1:
        await message.reply_text(messages_admin.INGEST_USAGE)
        return
    try:
        async with typing_indicator(context.bot, message.chat_id, context.services.typing_interval):
            result = await admin.ingest_url(url)
    except AdminBusyError as busy:
        await _reply_busy(message, busy.job, context.services.clock)
        return
    await message.reply_text(messages_admin.ingested(result.articles))


async def stats(update: Update, context: NewsContext) -> None:
    """/stats: articles, chunks, outlets, dates, index, last re-index, today's activity."""
    found = await _admin(update, context)
    if found is None:
        return
    message, admin = found
    services = context.services
    now = services.clock().astimezone(services.timezone)
    figures = await admin.stats(now)
    await message.reply_text(messages_admin.admin_stats(figures, services.timezone))


async def _reply_busy(message: Message, job: AdminJob, clock: Callable[[], datetime]) -> None:
    elapsed = (clock() - job.started_at).total_seconds()
    await message.reply_text(messages_admin.reindex_busy(job.kind, job.progress, elapsed))


async def follow_job(
    bot: Bot,
    job: AdminJob,
    *,
    chat_id: int,
    message_id: int | None,
    reply_to: int | None,
    interval: float,
    clock: Callable[[], datetime],
) -> None:
    """Edit the progress message every `interval` seconds; at the end, replace it with the
    summary (`_close`).

    With no progress message yet (`message_id` None: it was not delivered), each tick posts
    one again. Stops following when the chat is gone; the job itself runs on regardless.
    """
    try:
        await _follow(bot, job, chat_id, message_id, reply_to, interval, clock)
    except Forbidden:
        logger.info("chat %s is gone: stopped following the %s job", chat_id, job.kind)


async def _follow(
    bot: Bot,
    job: AdminJob,
    chat_id: int,
    message_id: int | None,
    reply_to: int | None,
    interval: float,
    clock: Callable[[], datetime],
) -> None:
    def elapsed() -> float:
        return (clock() - job.started_at).total_seconds()

    while not job.done.is_set():
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(interval):
                await job.done.wait()
        if job.done.is_set():
            break
        text = messages_admin.refresh_progress(job.kind, job.progress, elapsed())
        if message_id is None:
            message_id = await _post(bot, chat_id, text, reply_to)
        else:
            await _edit(bot, chat_id, message_id, text)
    if job.error is None and job.report is not None:
        summary = messages_admin.reindex_summary(job.report)
        await _close(bot, chat_id, message_id, reply_to, summary, job.kind)
        return
    error = job.error
    reason = error.user_message if isinstance(error, NewsbotError) else "unexpected error"
    stopped = messages_admin.reindex_stopped(job.kind, reason)
    if message_id is None:
        await _post(bot, chat_id, stopped, reply_to)
    else:
        await _edit(bot, chat_id, message_id, stopped)


async def _close(
    bot: Bot, chat_id: int, message_id: int | None, reply_to: int | None, summary: str, kind: str
) -> None:
    """One closing message, the summary: posted (the admin is notified, and it comes below
    whatever was said meanwhile) and the progress message deleted. Refused, the summary
    goes into the progress message instead; an undeletable progress message is told to
    point at it (the figures are never said twice)."""
    if await _post(bot, chat_id, summary, reply_to) is None:
        if message_id is not None:
            await _edit(bot, chat_id, message_id, summary)
        return
    if message_id is not None and not await _delete(bot, chat_id, message_id):
        await _edit(bot, chat_id, message_id, messages_admin.reindex_done(kind))


async def _post(bot: Bot, chat_id: int, text: str, reply_to: int | None) -> int | None:
    """Send a progress or closing message; its id, or None when Telegram refused it for now
    (rate limit past the retries, a timeout). Forbidden (the chat is gone) propagates."""
    reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
    try:
        sent = await bot.send_message(chat_id, text, reply_parameters=reply)
    except Forbidden:
        raise
    except TelegramError as exc:
        logger.warning("admin message to chat %s not delivered: %s", chat_id, exc)
        return None
    return sent.message_id


async def _edit(bot: Bot, chat_id: int, message_id: int, text: str) -> None:
    """Edit a progress message (a missed edit is repaired by the next one). Forbidden (the
    chat is gone) propagates."""
    try:
        await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id)
    except Forbidden:
        raise
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            logger.debug("progress edit refused in %s: %s", chat_id, exc)
    except TelegramError as exc:
        logger.debug("progress edit failed in %s: %s", chat_id, exc)


async def _delete(bot: Bot, chat_id: int, message_id: int) -> bool:
    """Delete a progress message; False when Telegram refused. Forbidden propagates."""
    try:
        return await bot.delete_message(chat_id, message_id)
    except Forbidden:
        raise
    except TelegramError as exc:
        logger.debug("progress message not deleted in %s: %s", chat_id, exc)
        return False


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add the admin commands; with an admin service, schedule its jobs too."""
    commands = {
        "addsource": add_source,
        "removesource": remove_source,
        "reindex": reindex,
        "ingest": ingest,
        "stats": stats,
    }
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback, filters=filters.UpdateType.MESSAGE))
    services = application.bot_data.services
    if services is not None and services.admin is not None:
        schedule_admin_jobs(application, services.admin)
