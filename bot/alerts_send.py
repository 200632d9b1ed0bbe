"""Sending one alert or digest: its messages in order, and what became of them.

`send_pieces` turns Telegram's answers into an `Outcome` for `bot/alerts_jobs.py`: sent;
the chat blocked the bot or is gone (pause its alerts); this message refused; a flood
limit or network failure (try again later); or the group became a supergroup with a new
id (`ChatMigrated`: send there). A deleted forum topic is no reason to lose the alert: it
goes to the chat itself, unless the chat itself has had the story (the move to the chat
dropped the alert). One that must not go there as it was rendered is cut (`Outcome.CUT`):
a digest holding some stories the chat had, or one whose first messages went to the topic
before it was deleted (General never saw them: the rest without its heading would read as
a continuation); `bot/alerts_cut.py` records what went out and puts the rest back, to be
made again for the chat. Once part of a long digest is out, a flood limit is waited out
here rather than the digest put back in the queue, which would send its first part twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum

from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

logger = logging.getLogger(__name__)


class Outcome(Enum):
    SENT = "sent"
    MIGRATED = "migrated"  # the group became a supergroup with a new id: send there
    BLOCKED = "blocked"  # 403, or the chat is gone: pause the chat's alerts
    FAILED = "failed"  # a permanent refusal of this one message
    RETRY = "retry"  # flood limit or network: try again in a later round
    CUT = "cut"  # its forum topic is gone and it may not go on as it is (`Fallback`)


class Fallback(Enum):
    """What becomes of an alert or digest whose forum topic was deleted, once the topic's
    alerts were moved to the chat itself (`thread_gone`)."""

    SEND = "send"  # all of it is still to go: send it to the chat itself
    DROP = "drop"  # the chat itself has all its stories: nothing to send
    REDO = "redo"  # the chat has some of its stories: make it again from the rest


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


# A forum topic that was deleted (or closed to the bot): the chat itself still takes alerts.
_THREAD_GONE = ("message thread not found", "topic_deleted", "topic_closed")


def thread_is_gone(error: BadRequest) -> bool:
    text = str(error).lower()
    return any(phrase in text for phrase in _THREAD_GONE)


# After part of an alert went out, a flood limit or network failure is waited out this many
# times before the rest is given up: putting the alert back would send the first part again.
PARTIAL_RETRIES = 3
_NETWORK_WAIT = 1.0  # seconds, before sending the rest after a network failure


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


@dataclass
class Delivery:
    """How one alert or digest went: the outcome, the messages sent, the chat they went to
    (its new id if the group was upgraded meanwhile)."""

    outcome: Outcome
    chat_id: int
    message_ids: list[int] = field(default_factory=list)


async def send_pieces(
    bot: Bot,
    chat_id: int,
    thread_id: int | None,
    pieces: Sequence[str],
    thread_gone: Callable[[int, int], Awaitable[Fallback]],
    *,
    sent: Sequence[int] = (),
) -> Delivery:
    """Send the messages of one alert or digest in order (into forum topic `thread_id`,
    or the chat itself if that topic is gone); how it went, and their ids. `sent`: the ids
    of its first pieces, already out (in the chat's old place, before a group upgrade).

    `thread_gone(chat_id, thread_id)` moves a deleted topic's alerts to the chat itself and
    says what becomes of this one (`Fallback`). All of it still to go (none of its messages
    out, none of its stories had by the chat) goes to the chat as it is; else it is CUT,
    with the ids of its messages already out in the topic."""
    done = Delivery(Outcome.SENT, chat_id, list(sent))
    retries = 0
    while len(done.message_ids) < len(pieces):
        html = pieces[len(done.message_ids)]
        try:
            message = await bot.send_message(chat_id, html, message_thread_id=thread_id)
        except ChatMigrated as exc:
            return Delivery(Outcome.MIGRATED, int(exc.new_chat_id), done.message_ids)
        except Forbidden as exc:
            logger.info("chat %s blocked the bot (%s): pausing its alerts", chat_id, exc)
            done.outcome = Outcome.BLOCKED
            return done
        except BadRequest as exc:
            if thread_id is not None and thread_is_gone(exc):
                fallback = await thread_gone(chat_id, thread_id)
                if fallback is Fallback.SEND and not done.message_ids:
                    thread_id = None
                    continue
                logger.info(
                    "topic %s of chat %s is gone after %d of %d messages (%s): cut",
                    thread_id, chat_id, len(done.message_ids), len(pieces), fallback.value,
                )  # fmt: skip
                done.outcome = Outcome.CUT
                return done
            if chat_is_gone(exc):
                logger.info("chat %s is gone (%s): pausing its alerts", chat_id, exc)
                done.outcome = Outcome.BLOCKED
                return done
            logger.warning("alert to chat %s refused: %s", chat_id, exc)
            done.outcome = Outcome.FAILED
            return done
        except (RetryAfter, NetworkError) as exc:  # TimedOut is a NetworkError
            if done.message_ids and retries < PARTIAL_RETRIES:
                # Part of it is out: putting it back would send that part twice.
                retries += 1
                wait = _seconds(exc.retry_after) if isinstance(exc, RetryAfter) else 0.0
                logger.info("rest of an alert to chat %s in %.0fs: %s", chat_id, wait, exc)
                await asyncio.sleep(wait or _NETWORK_WAIT)
                continue
            if done.message_ids:
                logger.warning(
                    "alert to chat %s cut short after %d of %d messages: %s",
                    chat_id, len(done.message_ids), len(pieces), exc,
                )  # fmt: skip
                return done  # recorded as sent: what went out must not go again
            logger.info("alert to chat %s postponed: %s", chat_id, exc)
            done.outcome = Outcome.RETRY
            return done
        except TelegramError as exc:
            logger.warning("alert to chat %s failed: %s", chat_id, exc)
            done.outcome = Outcome.FAILED
            return done
        done.message_ids.append(message.message_id)
    return done
