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
failure, puts the unsent alerts back in the queue for the next round, unless some messages
of the alert already went out (a long digest): then the rest is sent after a wait, so the
chat never gets the first part twice. Alerts survive a restart in the database; a claim
left by a crashed process is claimable again after `stale_after`. On stop, the claims of
this process are released.

A group upgraded to a supergroup gets a new id: a send to the old one is refused with the
new id (`ChatMigrated`), and the chat's alerts and conversation move to it
(`bot/alerts_claims.move_chat`; the service message, `bot/handlers_membership.py`, does the
same) before the alert goes out there. An alert subscribed in a forum topic goes to that
topic; if the topic was deleted, to the chat itself (unless the chat has had its story); a
digest cut by the deletion sends the chat only what is left, as a digest of its own
(`bot/alerts_cut.py`).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, tzinfo
from typing import Any, TypeVar

from telegram import Bot
from telegram.ext import Application, CallbackContext

from bot.alerts_claims import (
    Item,
    Run,
    chat_blocked,
    claim_digests,
    claim_floods,
    claim_instant,
    finish,
    move_chat,
    record_sent,
    release_worker,
    run_of,
    thread_gone,
    worker_id,
)
from bot.alerts_compose import compose_alert, compose_digest, compose_flood
from bot.alerts_cut import record_cut
from bot.alerts_send import Delivery, Fallback, Outcome, send_pieces
from bot.alerts_service import AlertService
from index.types import DigestBatch

logger = logging.getLogger(__name__)
T = TypeVar("T")


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
        self._moved: dict[int, int] = {}  # old group id -> its supergroup's, as learnt

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
            chat_id = self._moved.get(delivery.chat_id, delivery.chat_id)
            if chat_id in blocked:
                continue  # its alerts were dropped when the chat's subscriptions were paused
            ids = [d.id for d, _ in unit]
            run = run_of(delivery)
            if run in folded:
                unit = _best_first(unit)  # as the flood lists them (a cut counts on it)
                total = len(unit) + folded[run]
                composed = await self._alerts.run(
                    compose_flood, delivery.topic, total, unit, self._tz
                )
                only = None
            else:
                composed = await self._alerts.run(compose_alert, unit[0], self._tz)
                only = article.id
            pieces, turn = composed.pieces, composed.turn
            done = await self._deliver(chat_id, delivery.thread_id, pieces, ids)
            outcome, chat_id, message_ids = done.outcome, done.chat_id, done.message_ids
            if outcome is Outcome.SENT:
                sent += len(message_ids)
                await self._db(record_sent, ids, chat_id, message_ids, turn, only)
            elif outcome is Outcome.BLOCKED:
                blocked.add(chat_id)
                await self._db(chat_blocked, chat_id, ids)
            elif outcome is Outcome.FAILED:
                await self._db(finish, failed=ids)
            elif outcome is Outcome.CUT:
                sent += await record_cut(self._db, unit, pieces, done, composed.lines)
            else:
                rest = [
                    d.id
                    for u in units[position:]
                    for d, _ in u
                    if self._moved.get(d.chat_id, d.chat_id) not in blocked
                ]
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
            # Off the loop: each item's Why and reason read its whole article.
            composed = await self._alerts.run(compose_digest, subscription, items, self._tz)
            pieces = composed.pieces
            chat_id = self._moved.get(subscription.chat_id, subscription.chat_id)
            done = await self._deliver(chat_id, subscription.thread_id, pieces, ids)
            outcome, chat_id, message_ids = done.outcome, done.chat_id, done.message_ids
            if outcome is Outcome.SENT:
                sent += len(message_ids)
                only = items[0][1].id if len(items) == 1 else None
                await self._db(
                    record_sent, ids, chat_id, message_ids, composed.turn, only, subscription.id,
                )  # fmt: skip
            elif outcome is Outcome.BLOCKED:
                await self._db(chat_blocked, chat_id, ids)
            elif outcome is Outcome.FAILED:
                await self._db(finish, failed=ids)
            elif outcome is Outcome.CUT:  # not marked sent: what is left goes next round
                sent += await record_cut(self._db, items, pieces, done, composed.lines)
            else:
                rest = [d.id for b, _ in batches[position:] for d in b.deliveries]
                await self._db(finish, released=rest)
                break
        return sent

    # -- sending and recording -------------------------------------------------------------

    async def _deliver(
        self, chat_id: int, thread_id: int | None, pieces: Sequence[str], ids: Sequence[int]
    ) -> Delivery:
        """Send one alert or digest (its deliveries `ids`); a group upgraded meanwhile gets
        it at its new id, once its alerts and history have moved there."""
        gone = functools.partial(self._thread_gone, ids)
        done = await send_pieces(self._bot, chat_id, thread_id, pieces, gone)
        if done.outcome is not Outcome.MIGRATED:
            return done
        new_id = done.chat_id
        logger.info("chat %s is now supergroup %s: moving its alerts", chat_id, new_id)
        await self._db(move_chat, chat_id, new_id)
        self._moved[chat_id] = new_id
        # What the group already had counts as out: a flood limit now must not send it again.
        rest = await send_pieces(self._bot, new_id, None, pieces, gone, sent=done.message_ids)
        if rest.outcome is Outcome.MIGRATED:  # upgraded twice in a moment
            # The next round, unless part of it is out: then it counts as sent.
            rest.outcome = Outcome.SENT if rest.message_ids else Outcome.RETRY
            rest.chat_id = new_id
        # Only the supergroup's own messages lead back to it: it numbers them afresh.
        del rest.message_ids[: len(done.message_ids)]
        return rest

    async def _thread_gone(self, ids: Sequence[int], chat_id: int, thread_id: int) -> Fallback:
        kept = await self._db(thread_gone, chat_id, thread_id, ids)
        if not kept:
            return Fallback.DROP
        return Fallback.SEND if kept >= set(ids) else Fallback.REDO

    async def _db(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run one of `bot/alerts_claims.py`'s transactions on the service's worker thread."""
        return await self._alerts.run(fn, self._alerts, *args, **kwargs)

    def release_all(self) -> int:
        """Put back every claim of this worker (on stop): another process may send them."""
        return release_worker(self._alerts, self._worker)


def _best_first(items: Sequence[Item]) -> list[Item]:
    return sorted(items, key=lambda item: -item[0].score)


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
