"""Scheduled admin work on python-telegram-bot's JobQueue: feed polling and index watching.

Feed polling is an incremental refresh of the feed sources only (conditional requests, so
an unchanged feed costs one 304), sharing the admin service's one-at-a-time rule: a poll
that finds a re-index running is skipped. Index watching reloads the searcher when another
process (`newsbot ingest`, `newsbot reindex`) has written a new snapshot, and repairs the
index when such a process was killed between storing articles and embedding them.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import Application, CallbackContext

from bot.admin_service import AdminService
from index.errors import StorageError

logger = logging.getLogger(__name__)


async def poll_feeds_once(admin: AdminService) -> None:
    """Start a feed poll unless busy; the job runs on in the background."""
    job = await admin.poll_feeds()
    if job is not None:
        logger.info("polling feed sources")


async def watch_index_once(admin: AdminService) -> bool:
    """Reload the searcher if another process wrote a snapshot (not while we write one);
    then, when the database holds chunks that index lacks and their writer is gone (a
    killed `newsbot ingest`), start embedding them. True when a snapshot was swapped in."""
    if admin.busy:
        return False
    swapped = await admin.reloader.check()
    if not swapped:  # a new snapshot gets one look to settle first
        try:
            await admin.repair_if_behind()
        except StorageError as error:  # an outage: said once, not at every look
            admin.outage.failed(error, "the index watch")
        except Exception:  # the next look tries again; the watch must go on
            logger.exception("checking the index against the database failed")
    return swapped


def schedule_admin_jobs(application: Application, admin: AdminService) -> None:  # type: ignore[type-arg]
    """Schedule the jobs the admin config asks for; stop the admin service on shutdown."""
    config = admin.config
    queue = application.job_queue
    if queue is None:
        logger.warning("no JobQueue (install python-telegram-bot[job-queue]): no feed polling")
    else:

        async def poll(context: CallbackContext[Any, Any, Any, Any]) -> None:
            del context
            await poll_feeds_once(admin)

        async def watch(context: CallbackContext[Any, Any, Any, Any]) -> None:
            del context
            await watch_index_once(admin)

        if config.feed_poll_seconds:
            interval = config.feed_poll_seconds
            queue.run_repeating(poll, interval=interval, first=interval, name="feed-poll")
        if config.index_watch_seconds:
            interval = config.index_watch_seconds
            queue.run_repeating(watch, interval=interval, first=interval, name="index-watch")
    _stop_with(application, admin)


def _stop_with(application: Application, admin: AdminService) -> None:  # type: ignore[type-arg]
    """Close the admin service in post_stop, after whatever post_stop was set before."""
    previous = application.post_stop

    async def post_stop(app: Application) -> None:  # type: ignore[type-arg]
        if previous is not None:
            await previous(app)
        await admin.aclose()

    application.post_stop = post_stop
