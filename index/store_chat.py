"""Chat history: the turns of each chat, to resolve follow-up questions and replies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from index.errors import BadInputError
from index.schema import ChatTurnPieceRow, ChatTurnRow
from index.store_common import as_utc, stamp
from index.types import ChatTurn

ROLES = ("user", "assistant")


def _to_turn(row: ChatTurnRow) -> ChatTurn:
    return ChatTurn(
        id=row.id,
        chat_id=row.chat_id,
        role=row.role,
        text=row.text,
        message_id=row.message_id,
        article_id=row.article_id,
        created_at=row.created_at,
        follows_id=row.follows_id,
    )


def add_turn(
    *,
    session: Session,
    chat_id: int,
    role: str,
    text: str,
    message_id: int | None = None,
    article_id: int | None = None,
    now: datetime | None = None,
    follows_id: int | None = None,
) -> ChatTurn:
    """Append a turn to the chat's history. `article_id` marks an alert about that article;
    `follows_id` is the turn it continues (a reply's question follows the answer replied to)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, not {role!r}")
    row = ChatTurnRow(
        chat_id=chat_id,
        role=role,
        text=text,
        message_id=message_id,
        article_id=article_id,
        created_at=stamp(now),
        follows_id=follows_id,
    )
    session.add(row)
    session.flush()
    return _to_turn(row)


def recent_turns(*, session: Session, chat_id: int, limit: int) -> list[ChatTurn]:
    """The chat's last `limit` turns, oldest first."""
    rows = session.scalars(
        select(ChatTurnRow)
        .where(ChatTurnRow.chat_id == chat_id)
        .order_by(ChatTurnRow.id.desc())
        .limit(limit)
    ).all()
    return [_to_turn(row) for row in reversed(rows)]


def turns_until(*, session: Session, chat_id: int, turn_id: int, limit: int) -> list[ChatTurn]:
    """The `limit` turns of the chat up to and including `turn_id`, oldest first.

    The history to continue from when a user replies to an older message.
    """
    rows = session.scalars(
        select(ChatTurnRow)
        .where(ChatTurnRow.chat_id == chat_id, ChatTurnRow.id <= turn_id)
        .order_by(ChatTurnRow.id.desc())
        .limit(limit)
    ).all()
    return [_to_turn(row) for row in reversed(rows)]


def turns_before_message(
    *, session: Session, chat_id: int, message_id: int, limit: int
) -> list[ChatTurn] | None:
    """The `limit` turns of the chat before the first question recorded for this user
    message, oldest first; None when no question carries it. The history of an edited
    question: what came before its first version, without that version or its answer."""
    first = session.scalars(
        select(ChatTurnRow.id)
        .where(
            ChatTurnRow.chat_id == chat_id,
            ChatTurnRow.message_id == message_id,
            ChatTurnRow.role == "user",
        )
        .order_by(ChatTurnRow.id)
        .limit(1)
    ).first()
    if first is None:
        return None
    rows = session.scalars(
        select(ChatTurnRow)
        .where(ChatTurnRow.chat_id == chat_id, ChatTurnRow.id < first)
        .order_by(ChatTurnRow.id.desc())
        .limit(limit)
    ).all()
    return [_to_turn(row) for row in reversed(rows)]


def current_turns(turns: Sequence[ChatTurn]) -> list[ChatTurn]:
    """The turns without questions replaced by a later edit of the same message, and without
    the answers to those (pure): an edited question counts once, in its last version."""
    last_version = {t.message_id: t.id for t in turns if t.role == "user" and t.message_id}
    replaced = {
        t.id
        for t in turns
        if t.role == "user" and t.message_id and last_version[t.message_id] != t.id
    }
    return [
        t
        for t in turns
        if t.id not in replaced and not (t.role == "assistant" and t.follows_id in replaced)
    ]


def conversation_tail(
    turns: Sequence[ChatTurn],
    *,
    gap: timedelta,
    now: datetime | None = None,
    since: datetime | None = None,
) -> list[ChatTurn]:
    """The turns of the conversation still going on (pure): the last of `turns` (oldest
    first) with no silence longer than `gap` between them, nor between the last one and
    `now` when given, and none from before `since` (a session's start) when given. A message
    after a longer silence opens a new conversation."""
    kept: list[ChatTurn] = []
    later = None if now is None else as_utc(now)
    start = None if since is None else as_utc(since)
    for turn in reversed(turns):
        at = as_utc(turn.created_at)
        if (later is not None and later - at > gap) or (start is not None and at < start):
            break
        kept.append(turn)
        later = at
    return kept[::-1]


def turn_chain(*, session: Session, chat_id: int, turn_id: int, limit: int) -> list[ChatTurn]:
    """`turn_id` and the turns it follows, back along the reply chain, at most `limit`,
    oldest first: one conversation in a chat where several are held at once."""
    chain: list[ChatTurn] = []
    next_id: int | None = turn_id
    while next_id is not None and len(chain) < limit:
        row = session.scalars(
            select(ChatTurnRow).where(ChatTurnRow.chat_id == chat_id, ChatTurnRow.id == next_id)
        ).first()
        if row is None or any(turn.id == row.id for turn in chain):
            break
        chain.append(_to_turn(row))
        next_id = row.follows_id
    return chain[::-1]


def turn_by_message(*, session: Session, chat_id: int, message_id: int) -> ChatTurn | None:
    """The turn recorded for this Telegram message of this chat, whichever piece of the turn
    it is (the latest turn if several)."""
    pieces = select(ChatTurnPieceRow.turn_id).where(
        ChatTurnPieceRow.chat_id == chat_id, ChatTurnPieceRow.message_id == message_id
    )
    row = session.scalars(
        select(ChatTurnRow)
        .where(
            ChatTurnRow.chat_id == chat_id,
            or_(ChatTurnRow.message_id == message_id, ChatTurnRow.id.in_(pieces)),
        )
        .order_by(ChatTurnRow.id.desc())
        .limit(1)
    ).first()
    return None if row is None else _to_turn(row)


def set_turn_message_id(*, session: Session, turn_id: int, message_id: int) -> None:
    """Record a Telegram message carrying the turn once it is sent. Call it for each piece of
    a turn sent in several, in order: the first becomes the turn's `message_id`, the others
    lead back to it too."""
    row = session.get(ChatTurnRow, turn_id)
    if row is None:
        raise BadInputError("That message is not in the chat history.")
    if row.message_id is None:
        row.message_id = message_id
    elif row.message_id != message_id:
        session.add(ChatTurnPieceRow(turn_id=turn_id, chat_id=row.chat_id, message_id=message_id))
    session.flush()


def clear_turns(*, session: Session, chat_id: int) -> int:
    """Forget a chat's history; returns how many turns were removed."""
    session.execute(delete(ChatTurnPieceRow).where(ChatTurnPieceRow.chat_id == chat_id))
    result = session.execute(delete(ChatTurnRow).where(ChatTurnRow.chat_id == chat_id))
    return result.rowcount


def prune_turns(*, session: Session, before: datetime) -> int:
    """Drop turns older than `before` in every chat; returns how many were removed."""
    old = select(ChatTurnRow.id).where(ChatTurnRow.created_at < before)
    session.execute(delete(ChatTurnPieceRow).where(ChatTurnPieceRow.turn_id.in_(old)))
    result = session.execute(delete(ChatTurnRow).where(ChatTurnRow.created_at < before))
    return result.rowcount


def move_turns(*, session: Session, old_chat_id: int, new_chat_id: int) -> int:
    """Give a chat's history to its new id (a group upgraded to a supergroup), so follow-up
    questions there go on from it. The old chat's message ids mean nothing in the new one
    (which numbers its own messages), so the moved turns keep none: a reply to a message
    of the new chat never lands on an old turn. Idempotent; returns how many turns moved."""
    old = select(ChatTurnRow.id).where(ChatTurnRow.chat_id == old_chat_id)
    session.execute(delete(ChatTurnPieceRow).where(ChatTurnPieceRow.turn_id.in_(old)))
    result = session.execute(
        update(ChatTurnRow)
        .where(ChatTurnRow.chat_id == old_chat_id)
        .values(chat_id=new_chat_id, message_id=None)
    )
    return result.rowcount
