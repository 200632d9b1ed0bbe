"""Sending queued alerts: a JobQueue job that claims, sends and records them.

Every few seconds the job claims pending instant alerts under this process's worker id
(several bot processes never send one alert twice), sends each as a message through the
Application's rate limiter (which waits out Telegram's flood limits), then records it as
sent, with a chat turn carrying the article id so that a reply to the alert asks about
that article. Digest subscriptions that are due get their claimed alerts in one message.

A chat that blocked the bot (403) has its subscriptions paused and the alert marked failed;
other refusals mark the alert failed; a flood limit that outlasts the retries, or a network
failure, puts the unsent alerts back in the queue for the next round. Alerts survive a
restart in the database; a claim left by a crashed process is claimable again after
`stale_after`. On stop, the claims of this process are released.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Sequence
from datetime import UTC, tzinfo
from enum import Enum
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, CallbackContext

from bot.alerts_render import alert_plain, render_alert, render_digest
from bot.alerts_service import AlertService
from index import store
from index.db import session_scope
from index.types import DigestBatch, PendingDelivery, StoredArticle

logger = logging.getLogger(__name__)


class Outcome(Enum):
    SENT = "sent"
    BLOCKED = "blocked"  # 403: the chat blocked the bot or removed it
    FAILED = "failed"  # a permanent refusal of this one message
    RETRY = "retry"  # flood limit or network: try again in a later round


def worker_id() -> str:
    """This process's name on its claims: host, pid and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


Item = tuple[PendingDelivery, StoredArticle]


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
        items, gone = await self._alerts.run(self._claim_instant)
        if gone:
            await self._alerts.run(self._finish, skipped=gone)
        blocked: set[int] = set()
        sent = 0
        for position, (delivery, article) in enumerate(items):
            if delivery.chat_id in blocked:
                continue  # its alerts were dropped when the chat's subscriptions were paused
            html = render_alert(delivery, article, tz=self._tz)
            outcome, message_ids = await self._send(delivery.chat_id, [html])
            if outcome is Outcome.SENT:
                sent += 1
                turn = alert_plain(delivery, article, tz=self._tz)
                await self._alerts.run(
                    self._record_sent, [delivery.id], delivery.chat_id, message_ids[0], turn,
                    article.id,
                )  # fmt: skip
            elif outcome is Outcome.BLOCKED:
                blocked.add(delivery.chat_id)
                await self._alerts.run(self._chat_blocked, delivery.chat_id, [delivery.id])
            elif outcome is Outcome.FAILED:
                await self._alerts.run(self._finish, failed=[delivery.id])
            else:
                rest = [d.id for d, _ in items[position:] if d.chat_id not in blocked]
                await self._alerts.run(self._finish, released=rest)
                break
        return sent

    def _claim_instant(self) -> tuple[list[Item], list[int]]:
        alerts = self._alerts
        with session_scope(alerts.sessions) as session:
            claimed = store.claim_pending(
                session=session,
                worker=self._worker,
                limit=alerts.config.batch,
                now=alerts.now(),
                stale_after=alerts.config.stale_after,
            )
        return self._with_articles(claimed)

    def _with_articles(self, claimed: Sequence[PendingDelivery]) -> tuple[list[Item], list[int]]:
        """The claimed alerts with their articles; ids of alerts whose article is gone."""
        if not claimed:
            return [], []
        with session_scope(self._alerts.sessions) as session:
            articles = store.get_articles(session=session, ids=[d.article_id for d in claimed])
        items = [(d, articles[d.article_id]) for d in claimed if d.article_id in articles]
        return items, [d.id for d in claimed if d.article_id not in articles]

    # -- digests ---------------------------------------------------------------------------

    async def _digests(self) -> int:
        batches: list[tuple[DigestBatch, list[Item]]] = await self._alerts.run(self._claim_digests)
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
                await self._alerts.run(
                    self._record_sent, ids, subscription.chat_id, message_ids[-1], turn, only,
                    subscription.id,
                )  # fmt: skip
            elif outcome is Outcome.BLOCKED:
                await self._alerts.run(self._chat_blocked, subscription.chat_id, ids)
            elif outcome is Outcome.FAILED:
                await self._alerts.run(self._finish, failed=ids)
            else:
                rest = [d.id for b, _ in batches[position:] for d in b.deliveries]
                await self._alerts.run(self._finish, released=rest)
                break
        return sent

    def _claim_digests(self) -> list[tuple[DigestBatch, list[Item]]]:
        alerts = self._alerts
        with session_scope(alerts.sessions) as session:
            batches = store.claim_due_digests(
                session=session,
                worker=self._worker,
                now=alerts.now(),
                stale_after=alerts.config.stale_after,
                limit=alerts.config.digest_batch,
            )
        found = []
        for batch in batches:
            items, gone = self._with_articles(batch.deliveries)
            if gone:
                self._finish(skipped=gone)
            if items:
                found.append((batch, items))
        return found

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
            logger.warning("alert to chat %s refused: %s", chat_id, exc)
            return Outcome.FAILED, message_ids
        except (RetryAfter, NetworkError) as exc:  # TimedOut is a NetworkError
            logger.info("alert to chat %s postponed: %s", chat_id, exc)
            return Outcome.RETRY, message_ids
        except TelegramError as exc:
            logger.warning("alert to chat %s failed: %s", chat_id, exc)
            return Outcome.FAILED, message_ids
        return Outcome.SENT, message_ids

    def _record_sent(
        self,
        delivery_ids: list[int],
        chat_id: int,
        message_id: int,
        text: str,
        article_id: int | None,
        digest_subscription_id: int | None = None,
    ) -> None:
        alerts = self._alerts
        now = alerts.now()
        with session_scope(alerts.sessions) as session:
            store.mark_sent(session=session, delivery_ids=delivery_ids, now=now)
            if digest_subscription_id is not None:
                store.mark_digest_sent(
                    session=session, subscription_id=digest_subscription_id, now=now
                )
            store.add_turn(
                session=session,
                chat_id=chat_id,
                role="assistant",
                text=text,
                message_id=message_id,
                article_id=article_id,
                now=now,
            )

    def _chat_blocked(self, chat_id: int, delivery_ids: list[int]) -> None:
        with session_scope(self._alerts.sessions) as session:
            paused = store.pause_chat_subscriptions(session=session, chat_id=chat_id)
            store.mark_failed(session=session, delivery_ids=delivery_ids)
        logger.info("paused %d subscriptions of chat %s", paused, chat_id)

    def _finish(
        self,
        *,
        failed: Sequence[int] = (),
        released: Sequence[int] = (),
        skipped: Sequence[int] = (),
    ) -> None:
        with session_scope(self._alerts.sessions) as session:
            if failed:
                store.mark_failed(session=session, delivery_ids=failed)
            if released:
                store.release_claims(session=session, delivery_ids=released)
            if skipped:
                store.mark_skipped(session=session, delivery_ids=skipped)

    def release_all(self) -> int:
        """Put back every claim of this worker (on stop): another process may send them."""
        with session_scope(self._alerts.sessions) as session:
            return store.release_claims(session=session, worker=self._worker)


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
