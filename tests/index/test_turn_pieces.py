"""A turn sent in several Telegram messages: each piece leads back to it, and a database
holding turns from before pieces were recorded upgrades with its turns intact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from index import store
from index.db import (
    alembic_config,
    current_revision,
    head_revision,
    make_engine,
    make_session_factory,
    session_scope,
    upgrade_database,
)
from index.schema import ChatTurnPieceRow

T0 = datetime(2024, 10, 1, 12, 0, tzinfo=UTC)
GROUP = -1_001_234_567_890


def _answer(session: Session, chat_id: int, message_ids: list[int], now: datetime = T0) -> int:
    question = store.add_turn(session=session, chat_id=chat_id, role="user", text="q", now=now)
    answer = store.add_turn(
        session=session,
        chat_id=chat_id,
        role="assistant",
        text="a long answer",
        now=now,
        follows_id=question.id,
    )
    for message_id in message_ids:
        store.set_turn_message_id(session=session, turn_id=answer.id, message_id=message_id)
    return answer.id


def _found(session: Session, chat_id: int, message_id: int) -> int | None:
    turn = store.turn_by_message(session=session, chat_id=chat_id, message_id=message_id)
    return None if turn is None else turn.id


def test_every_piece_of_a_turn_leads_back_to_it(session: Session) -> None:
    answer = _answer(session, GROUP, [2**40, 2**40 + 1, 2**40 + 5])
    other = _answer(session, GROUP, [2**40 + 2])  # another answer sent in between
    elsewhere = _answer(session, 7, [2**40 + 1])  # the same message id in another chat

    assert [_found(session, GROUP, m) for m in (2**40, 2**40 + 1, 2**40 + 5)] == [answer] * 3
    assert _found(session, GROUP, 2**40 + 2) == other
    assert _found(session, 7, 2**40 + 1) == elsewhere
    assert _found(session, GROUP, 2**40 + 3) is None
    turn = store.turn_by_message(session=session, chat_id=GROUP, message_id=2**40 + 5)
    assert turn is not None
    assert turn.message_id == 2**40  # the first piece stays the turn's message
    chain = store.turn_chain(session=session, chat_id=GROUP, turn_id=answer, limit=6)
    assert [t.text for t in chain] == ["q", "a long answer"]

    # Recording the first piece again adds nothing.
    store.set_turn_message_id(session=session, turn_id=answer, message_id=2**40)
    assert session.scalar(select(func.count()).select_from(ChatTurnPieceRow)) == 2


def test_clearing_and_pruning_forget_the_pieces(session: Session) -> None:
    _answer(session, GROUP, [10, 11])
    _answer(session, GROUP, [20, 21], now=T0 + timedelta(days=2))
    _answer(session, 7, [30, 31])

    assert store.prune_turns(session=session, before=T0 + timedelta(days=1)) == 4
    pieces = session.scalars(select(ChatTurnPieceRow.message_id)).all()
    assert sorted(pieces) == [21]
    assert _found(session, GROUP, 11) is None
    assert _found(session, GROUP, 21) is not None

    assert store.clear_turns(session=session, chat_id=GROUP) == 2
    assert session.scalars(select(ChatTurnPieceRow)).all() == []
    assert _found(session, GROUP, 21) is None


def test_a_database_holding_turns_upgrades_and_keeps_them(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "0003")
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) == "0003"
        with engine.begin() as connection:
            for role, message_id, follows in (("user", None, None), ("assistant", 41, 1)):
                connection.execute(
                    text(
                        "INSERT INTO chat_turns (chat_id, role, text, message_id, created_at,"
                        " follows_id) VALUES (:chat, :role, :text, :message, :at, :follows)"
                    ),
                    {
                        "chat": GROUP,
                        "role": role,
                        "text": f"{role} before the upgrade",
                        "message": message_id,
                        "at": T0.replace(tzinfo=None),
                        "follows": follows,
                    },
                )
        upgrade_database(engine)
        assert current_revision(engine) == head_revision()

        with session_scope(make_session_factory(engine)) as session:
            old = store.turn_by_message(session=session, chat_id=GROUP, message_id=41)
            assert old is not None
            assert (old.text, old.follows_id) == ("assistant before the upgrade", 1)
            chain = store.turn_chain(session=session, chat_id=GROUP, turn_id=old.id, limit=6)
            assert [t.role for t in chain] == ["user", "assistant"]
            # A new answer in pieces is recorded after the upgrade, beside the old turns.
            new = _answer(session, GROUP, [50, 51, 52])
        with session_scope(make_session_factory(engine)) as session:
            assert _found(session, GROUP, 52) == new
            assert _found(session, GROUP, 41) == old.id
            assert store.clear_turns(session=session, chat_id=GROUP) == 4
    finally:
        engine.dispose()
