"""Sending queued alerts: a JobQueue job that claims, sends and records them.

Every few seconds the job claims pending instant alerts under this process's worker id
(several bot processes never send one alert twice), sends each as a message through the
Application's rate limiter (which waits out Telegram's flood limits), then records it as
sent, with a chat turn carrying the article id so that a reply to the alert asks about
that article. A flood (a match run that folded some of its matches, see
`bot/alerts_matcher.py`) is claimed whole and sent as one message counting all its matches.
Digest subscriptions that are due get their claimed alerts in one message.
The claims and records are transactions of `bot/alerts_claims.py`; this module sends.

A chat that blocked the bot (403), or that is gone (a 400 such as "chat not found" or "group
chat was deactivated"), has its subscriptions paused and the alert marked failed; other
refusals mark the alert failed; a flood limit that outlasts the retries, or a network
failure, puts the unsent alerts back in the queue for the next round. Alerts survive a
restart in the database; a claim left by a crashed process is claimable again after
`stale_after`. On stop, the claims of this process are released.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, tzinfo
from enum import Enum
from typing import Any, TypeVar

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, CallbackContext

from bot.alerts_claims import (
    Item,
    Run,
    chat_blocked,
    claim_digests,
    claim_floods,
    claim_instant,
    finish,
    record_sent,
    release_worker,
    run_of,
    worker_id,
)
from bot.alerts_render import alert_plain, render_alert, render_digest, render_flood
from bot.alerts_service import AlertService
from index.types import DigestBatch

logger = logging.getLogger(__name__)
T = TypeVar("T")


class Outcome(Enum):
    SENT = "sent"
    BLOCKED = "blocked"  # 403, or the chat is gone: pause the chat's alerts
    FAILED = "failed"  # a permanent refusal of this one message
    RETRY = "retry"  # flood limit or network: try again in a later round


# Refusals that arrive as 400 but mean no alert can reach the chat any more (it was
# deleted, the bot was removed, or it may not write there): every later match would fail too.
_CHAT_GONE = (
    "chat not found",
    "bot was kicked",
    "group chat was deactivated",
    "have no rights to send a message",
    "not enough rights to send",
)


def chat_is_gone(error: BadRequest) -> bool:
    """True when a 400 says the chat cannot receive messages (rather than this message)."""
    text = str(error).lower()
    return any(phrase in text for phrase in _CHAT_GONE)


class AlertSender:
    """Claims and sends alerts for one bot; `deliver_once` is one round of the job."""

    def __init__(
        self, bot: Bot, alerts: AlertService, *, tz: tzinfo, worker: str | None = None
    ) -> None:
        self._bot = bot
        self._alerts = alerts
        self._tz = tz
        self._worker = worker or worker_id()
        self._lock = asyncio.Lock()
        self._round: asyncio.Task[int] | None = None

    @property
    def worker(self) -> str:
        return self._worker

    async def deliver_once(self, *, wait: bool = False) -> int:
        """Send what is due now: instant alerts, then due digests; returns messages sent.

        A round still running makes this one return at once (or, with `wait`, run after it).
        """
        if self._lock.locked() and not wait:
            return 0
        async with self._lock:
            sent = await self._instant()
            return sent + await self._digests()

    def kick(self, application: Application) -> None:  # type: ignore[type-arg]
        """The job's callback: start a round in the background unless one is running.

        The job itself returns at once, so a long round (waiting out a flood limit) never
        makes the scheduler skip runs; the Application awaits the round when it stops and
        hands its errors to the error handler.
        """
        if self._round is None or self._round.done():
            self._round = application.create_task(self.deliver_once(), name="alert-delivery")

    # -- instant alerts --------------------------------------------------------------------

    async def _instant(self) -> int:
        items, gone = await self._db(claim_instant, self._worker)
        extra, more_gone, folded = await self._db(claim_floods, self._worker, items)
        if gone or more_gone:
            await self._db(finish, skipped=[*gone, *more_gone])
        units = _units([*items, *extra], folded)
        blocked: set[int] = set()
        sent = 0
        for position, unit in enumerate(units):
            delivery, article = unit[0]
            chat_id = delivery.chat_id
            if chat_id in blocked:
                continue  # its alerts were dropped when the chat's subscriptions were paused
            ids = [d.id for d, _ in unit]
            run = run_of(delivery)
            if run in folded:
                pieces = render_flood(delivery.topic, len(unit) + folded[run], unit, tz=self._tz)
                turn = "\n".join(alert_plain(d, a, tz=self._tz) for d, a in unit)
                only = None
            else:
                pieces = [render_alert(delivery, article, tz=self._tz)]
                turn = alert_plain(delivery, article, tz=self._tz)
                only = article.id
            outcome, message_ids = await self._send(chat_id, pieces)
            if outcome is Outcome.SENT:
                sent += len(message_ids)
                await self._db(record_sent, ids, chat_id, message_ids, turn, only)
            elif outcome is Outcome.BLOCKED:
                blocked.add(chat_id)
                await self._db(chat_blocked, chat_id, ids)
            elif outcome is Outcome.FAILED:
                await self._db(finish, failed=ids)
            else:
                rest = [d.id for u in units[position:] for d, _ in u if d.chat_id not in blocked]
                await self._db(finish, released=rest)
                break
        return sent

    # -- digests ---------------------------------------------------------------------------

    async def _digests(self) -> int:
        batches: list[tuple[DigestBatch, list[Item]]] = await self._db(claim_digests, self._worker)
        sent = 0
        for position, (batch, items) in enumerate(batches):
            subscription = batch.subscription
            ids = [d.id for d in batch.deliveries]
            pieces = render_digest(subscription, items, tz=self._tz)
            outcome, message_ids = await self._send(subscription.chat_id, pieces)
            if outcome is Outcome.SENT:
                sent += len(message_ids)
                only = items[0][1].id if len(items) == 1 else None
                turn = "\n".join(alert_plain(d, a, tz=self._tz) for d, a in items)
                await self._db(
                    record_sent, ids, subscription.chat_id, message_ids, turn, only,
                    subscription.id,
                )  # fmt: skip
            elif outcome is Outcome.BLOCKED:
                await self._db(chat_blocked, subscription.chat_id, ids)
            elif outcome is Outcome.FAILED:
                await self._db(finish, failed=ids)
            else:
                rest = [d.id for b, _ in batches[position:] for d in b.deliveries]
                await self._db(finish, released=rest)
                break
        return sent

    # -- sending and recording -------------------------------------------------------------

    async def _send(self, chat_id: int, pieces: Sequence[str]) -> tuple[Outcome, list[int]]:
        """Send the messages of one alert or digest in order; how it went, and their ids."""
        message_ids: list[int] = []
        try:
            for html in pieces:
                message = await self._bot.send_message(chat_id, html)
                message_ids.append(message.message_id)
        except Forbidden as exc:
            logger.info("chat %s blocked the bot (%s): pausing its alerts", chat_id, exc)
            return Outcome.BLOCKED, message_ids
        except BadRequest as exc:
            if chat_is_gone(exc):
                logger.info("chat %s is gone (%s): pausing its alerts", chat_id, exc)
                return Outcome.BLOCKED, message_ids
            logger.warning("alert to chat %s refused: %s", chat_id, exc)
            return Outcome.FAILED, message_ids
        except (RetryAfter, NetworkError) as exc:  # TimedOut is a NetworkError
            logger.info("alert to chat %s postponed: %s", chat_id, exc)
            return Outcome.RETRY, message_ids
        except TelegramError as exc:
            logger.warning("alert to chat %s failed: %s", chat_id, exc)
            return Outcome.FAILED, message_ids
        return Outcome.SENT, message_ids

    async def _db(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run one of `bot/alerts_claims.py`'s transactions on the service's worker thread."""
        return await self._alerts.run(fn, self._alerts, *args, **kwargs)

    def release_all(self) -> int:
        """Put back every claim of this worker (on stop): another process may send them."""
        return release_worker(self._alerts, self._worker)


def _units(items: Sequence[Item], folded: dict[Run, int]) -> list[list[Item]]:
    """What to send, in claim order: one alert each, except a flood's run, all in one unit."""
    units: list[list[Item]] = []
    runs: dict[Run, list[Item]] = {}
    for item in items:
        run = run_of(item[0])
        if run not in folded:
            units.append([item])
        elif run in runs:
            runs[run].append(item)
        else:
            runs[run] = [item]
            units.append(runs[run])
    return units


def schedule_alert_jobs(application: Application, alerts: AlertService) -> AlertSender:  # type: ignore[type-arg]
    """Embed the topics on start, deliver on a JobQueue job, release and close on stop."""
    services = application.bot_data.services
    sender = AlertSender(
        application.bot, alerts, tz=services.timezone if services is not None else UTC
    )
    queue = application.job_queue
    if queue is None:
        logger.warning("no JobQueue (install python-telegram-bot[job-queue]): alerts not sent")
    else:

        async def deliver(context: CallbackContext[Any, Any, Any, Any]) -> None:
            sender.kick(context.application)

        interval = alerts.config.delivery_seconds
        queue.run_repeating(
            deliver,
            interval=interval,
            first=interval,
            name="alert-delivery",
            data=sender,
        )
    _chain_lifecycle(application, alerts, sender)
    return sender


def _chain_lifecycle(
    application: Application,  # type: ignore[type-arg]
    alerts: AlertService,
    sender: AlertSender,
) -> None:
    """Warm the topic vectors after post_init; release claims and close after post_stop."""
    previous_init, previous_stop = application.post_init, application.post_stop

    async def post_init(app: Application) -> None:  # type: ignore[type-arg]
        if previous_init is not None:
            await previous_init(app)
        alerts.warm()

    async def post_stop(app: Application) -> None:  # type: ignore[type-arg]
        if previous_stop is not None:
            await previous_stop(app)
        released = await alerts.run(sender.release_all)
        if released:
            logger.info("released %d claimed alerts", released)
        await alerts.aclose()

    application.post_init = post_init
    application.post_stop = post_stop
