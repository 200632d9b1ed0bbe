"""An alert or digest cut short by the deletion of its forum topic: what went out, what is left.

A digest (or a flood's one message) long enough to take several messages can lose its forum
topic between two of them, and one rendered for the topic may hold stories the chat itself
(General, where the topic's alerts go now) already had. Neither goes on as it is: General
never saw the first part, so the rest without its heading would read as the continuation
of a digest it never got. Instead the stories of the messages that went out are recorded as
sent (the topic had them, and its record is General's now: they are not sent again), and the
rest are put back in the queue. The next round makes them an alert or digest of General's
own, with its own heading, from those the move kept: a story General had was dropped by the
move (`index/store_delivery_moves.py`), and so never reaches it twice. A digest cut this way
is not marked sent, so what is left goes out in the next round rather than a digest later.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from bot.alerts_claims import Item, finish, record_sent
from bot.alerts_send import Delivery

T = TypeVar("T")
Db = Callable[..., Awaitable[Any]]  # `AlertSender._db`: one transaction on the alerts thread

# What parts one story's block from the next in a digest or flood message (and the heading
# from the first block), as `bot/alerts_render.py` lays them out: a block itself is one to
# three lines, never holding a blank one, and a message is cut only between blocks.
BLOCK_GAP = "\n\n"


def split_sent(items: Sequence[T], pieces: Sequence[str], sent: int) -> tuple[list[T], list[T]]:
    """The items whose blocks are in the first `sent` of `pieces` (a heading, then one block
    per item in order, cut into messages between blocks), and the rest. Counted from the
    end, where no heading is: the heading's own text does not matter."""
    if sent <= 0:
        return [], list(items)
    left = sum(piece.count(BLOCK_GAP) + 1 for piece in pieces[sent:])
    cut = max(len(items) - left, 0)
    return list(items[:cut]), list(items[cut:])


async def record_cut(
    db: Db, items: Sequence[Item], pieces: Sequence[str], done: Delivery, lines: Sequence[str]
) -> int:
    """Record an alert or digest of `items`, rendered as `pieces` and cut after
    `done.message_ids` went out: those items sent (with their chat turn, of their `lines`,
    `bot/alerts_compose.Composed`), the rest put back in the queue. Returns how many
    messages went out."""
    out, rest = split_sent(items, pieces, len(done.message_ids))
    if out:
        turn = "\n".join(lines[: len(out)])
        only = out[0][1].id if len(out) == 1 else None
        await db(record_sent, [d.id for d, _ in out], done.chat_id, done.message_ids, turn, only)
    if rest:
        # Only claimed rows go back: one the move dropped is gone, one skipped stays so.
        await db(finish, released=[d.id for d, _ in rest])
    return len(done.message_ids)
