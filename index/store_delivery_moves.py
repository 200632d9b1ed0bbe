"""Alert deliveries changing destination: a group upgraded to a supergroup (a new chat id),
a forum topic deleted (its alerts go to the chat itself), an alert moved to another topic.

A delivery row is also the destination's record of having had its story and article (the
unique keys of `alert_deliveries`), so a row whose new destination already has its story
or article is dropped rather than moved: the destination never gets one story twice.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, delete, exists, or_, update
from sqlalchemy.orm import Session

from index.schema import AlertDeliveryRow

_DELIVERIES = AlertDeliveryRow.__table__
_D = _DELIVERIES.c
Condition = ColumnElement[bool]
NO_THREAD = 0  # `thread_id` of a delivery to the chat itself (not NULL: NULLs never clash)


def _move(session: Session, source: Condition, chat_id: int, thread_id: int | None) -> int:
    """Give the deliveries matching `source` to `chat_id`, in topic `thread_id` (None: each
    keeps its own); one whose story or article its new destination already has is dropped
    (the destination's row stays). `source` and the destination must not overlap."""
    held = _DELIVERIES.alias("held")
    into = _D.thread_id if thread_id is None else thread_id
    clash = exists().where(
        held.c.chat_id == chat_id,
        held.c.thread_id == into,
        or_(held.c.story_id == _D.story_id, held.c.article_id == _D.article_id),
    )
    session.execute(delete(_DELIVERIES).where(source, clash))
    return session.execute(
        update(_DELIVERIES).where(source).values(chat_id=chat_id, thread_id=into)
    ).rowcount


def move_chat_deliveries(*, session: Session, old_chat_id: int, new_chat_id: int) -> int:
    """Give a chat's alerts, queued or past, to its new id (a group upgraded to a
    supergroup), each in its forum topic. A story or article the new id already has there
    keeps the new id's row. Idempotent; returns how many rows moved."""
    if old_chat_id == new_chat_id:
        return 0
    return _move(session, _D.chat_id == old_chat_id, new_chat_id, None)


def move_thread_deliveries(*, session: Session, chat_id: int, thread_id: int) -> int:
    """A forum topic is gone: its alerts, queued or past, belong to the chat itself now (as
    its subscriptions do, `forget_thread`). A story or article the chat itself already has
    keeps the chat's row. Returns how many rows moved."""
    if thread_id == NO_THREAD:
        return 0
    source = and_(_D.chat_id == chat_id, _D.thread_id == thread_id)
    return _move(session, source, chat_id, NO_THREAD)


# Rows still to be sent wherever their alert posts when claimed, and folded ones (counted in
# a flood message that goes there too). A claimed row ("sending") already has its topic.
_FOLLOW_THEIR_ALERT = ("pending", "folded")


def move_subscription_deliveries(
    *, session: Session, subscription_id: int, chat_id: int, old: int | None, new: int | None
) -> int:
    """An alert now posts in forum topic `new` instead of `old` (None: the chat itself): its
    queued alerts go with it, since they will be sent there; one whose story or article
    the new topic has is dropped. Those it sent stay the old topic's record: the new topic
    never saw them, and the old topic must not get them again. Returns how many moved."""
    old_thread, new_thread = old or NO_THREAD, new or NO_THREAD
    if old_thread == new_thread:
        return 0
    source = and_(
        _D.subscription_id == subscription_id,
        _D.chat_id == chat_id,
        _D.thread_id == old_thread,
        _D.status.in_(_FOLLOW_THEIR_ALERT),
    )
    return _move(session, source, chat_id, new_thread)
