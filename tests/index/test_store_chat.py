"""Chat history, sources, the question log and re-index runs in the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.orm import Session

from index import store
from index.errors import BadInputError

T0 = datetime(2024, 10, 1, 12, 0, tzinfo=UTC)
BIG_CHAT = -1001234567890  # Telegram supergroup ids exceed 32 bits


def test_history_is_oldest_first_and_per_chat(session: Session) -> None:
    for i in range(5):
        store.add_turn(session=session, chat_id=BIG_CHAT, role="user", text=f"q{i}", now=T0)
        store.add_turn(session=session, chat_id=BIG_CHAT, role="assistant", text=f"a{i}", now=T0)
    store.add_turn(session=session, chat_id=7, role="user", text="elsewhere")
    recent = store.recent_turns(session=session, chat_id=BIG_CHAT, limit=3)
    assert [t.text for t in recent] == ["a3", "q4", "a4"]
    assert [t.role for t in recent] == ["assistant", "user", "assistant"]
    assert all(t.chat_id == BIG_CHAT for t in recent)
    assert recent[0].created_at == T0
    assert store.recent_turns(session=session, chat_id=99, limit=3) == []


def test_reply_threads_by_message_id(session: Session) -> None:
    question = store.add_turn(
        session=session, chat_id=BIG_CHAT, role="user", text="q", message_id=2**40
    )
    answer = store.add_turn(session=session, chat_id=BIG_CHAT, role="assistant", text="a")
    store.add_turn(session=session, chat_id=BIG_CHAT, role="user", text="later")
    store.set_turn_message_id(session=session, turn_id=answer.id, message_id=11)
    found = store.turn_by_message(session=session, chat_id=BIG_CHAT, message_id=11)
    assert found is not None
    assert (found.id, found.text, found.message_id) == (answer.id, "a", 11)
    assert store.turn_by_message(session=session, chat_id=BIG_CHAT, message_id=2**40) == question
    assert store.turn_by_message(session=session, chat_id=5, message_id=11) is None
    thread = store.turns_until(session=session, chat_id=BIG_CHAT, turn_id=answer.id, limit=10)
    assert [t.text for t in thread] == ["q", "a"]
    with pytest.raises(BadInputError):
        store.set_turn_message_id(session=session, turn_id=9999, message_id=1)


def test_a_reply_chain_is_walked_back_from_its_last_turn(session: Session) -> None:
    def add(role: str, text: str, follows: int | None = None, chat_id: int = BIG_CHAT) -> int:
        turn = store.add_turn(
            session=session, chat_id=chat_id, role=role, text=text, now=T0, follows_id=follows
        )
        assert turn.follows_id == follows
        return turn.id

    q1 = add("user", "q1")
    a1 = add("assistant", "a1", q1)
    other = add("user", "another member's question")
    add("assistant", "its answer", other)
    q2 = add("user", "q2", a1)  # a reply to a1
    a2 = add("assistant", "a2", q2)

    def chain(turn_id: int, limit: int = 6, chat_id: int = BIG_CHAT) -> list[str]:
        turns = store.turn_chain(session=session, chat_id=chat_id, turn_id=turn_id, limit=limit)
        return [t.text for t in turns]

    assert chain(a2) == ["q1", "a1", "q2", "a2"]
    assert chain(a2, limit=3) == ["a1", "q2", "a2"]  # the newest `limit`
    assert chain(a1) == ["q1", "a1"]
    assert chain(a2, chat_id=7) == []  # another chat's turn is not found
    # A link into another chat, or to a pruned turn, ends the chain.
    stray = add("user", "elsewhere", chat_id=7)
    linked = add("assistant", "linked", stray)
    assert chain(linked) == ["linked"]
    assert chain(add("user", "after pruning", 10**9)) == ["after pruning"]


def test_turn_roles_are_checked(session: Session) -> None:
    with pytest.raises(ValueError, match="role"):
        store.add_turn(session=session, chat_id=1, role="system", text="x")


def test_clear_and_prune_turns(session: Session) -> None:
    store.add_turn(session=session, chat_id=1, role="user", text="old", now=T0 - timedelta(days=9))
    store.add_turn(session=session, chat_id=1, role="user", text="new", now=T0)
    store.add_turn(session=session, chat_id=2, role="user", text="other", now=T0)
    assert store.prune_turns(session=session, before=T0 - timedelta(days=1)) == 1
    assert store.clear_turns(session=session, chat_id=1) == 1
    assert [t.text for t in store.recent_turns(session=session, chat_id=2, limit=5)] == ["other"]


def test_sources_add_list_remove(session: Session) -> None:
    feed = store.add_source(session=session, kind="feed", location=" https://a.example/rss ")
    folder = store.add_source(session=session, kind="folder", location="/data/news")
    assert feed.location == "https://a.example/rss"
    assert (feed.article_count, feed.last_fetch_at, feed.etag) == (0, None, None)
    with pytest.raises(BadInputError, match="already a source"):
        store.add_source(session=session, kind="feed", location="https://a.example/rss")
    with pytest.raises(BadInputError):
        store.add_source(session=session, kind="podcast", location="x")
    assert [s.id for s in store.list_sources(session=session)] == [feed.id, folder.id]
    assert [s.id for s in store.list_sources(session=session, kind="folder")] == [folder.id]
    assert store.remove_source(session=session, source_id=feed.id) == feed
    with pytest.raises(BadInputError, match="no source"):
        store.remove_source(session=session, source_id=feed.id)
    assert [s.id for s in store.list_sources(session=session)] == [folder.id]


def test_record_fetch_keeps_validators_on_error(session: Session) -> None:
    source = store.add_source(session=session, kind="feed", location="https://a.example/rss")
    ok = store.record_fetch(
        session=session,
        source_id=source.id,
        fetched_at=T0,
        etag='"abc"',
        last_modified="Tue, 01 Oct 2024 12:00:00 GMT",
        new_articles=4,
    )
    assert (ok.etag, ok.article_count, ok.last_fetch_at, ok.last_error) == ('"abc"', 4, T0, None)
    failed = store.record_fetch(
        session=session, source_id=source.id, fetched_at=T0 + timedelta(hours=1), error="HTTP 500"
    )
    assert (failed.etag, failed.article_count, failed.last_error) == ('"abc"', 4, "HTTP 500")
    assert store.get_source(session=session, source_id=source.id) == failed


def test_question_log_counts(session: Session) -> None:
    kst = timezone(timedelta(hours=9))
    now = datetime(2024, 10, 2, 8, 0, tzinfo=kst)  # 2024-10-01 23:00 UTC
    for mode, when in [
        ("llm", now - timedelta(hours=1)),
        ("llm", now - timedelta(minutes=5)),
        ("extractive", now),
        ("not_found", now - timedelta(days=1)),  # yesterday
    ]:
        store.log_question(session=session, chat_id=BIG_CHAT, user_id=42, mode=mode, now=when)
    store.log_question(session=session, chat_id=1, user_id=7, mode="llm", now=now)
    # "Today" is the day of `now` in now's own timezone.
    assert store.questions_today(session=session, now=now) == {"llm": 3, "extractive": 1}
    since = now - timedelta(minutes=30)
    assert store.questions_by_user_since(session=session, user_id=42, since=since) == 2
    assert store.questions_by_user_since(session=session, user_id=8, since=since) == 0


def test_reindex_runs(session: Session) -> None:
    assert store.last_reindex_run(session=session) is None
    first = store.start_reindex_run(session=session, full=True, now=T0)
    assert (first.status, first.full, first.finished_at) == ("running", True, None)
    done = store.finish_reindex_run(
        session=session,
        run_id=first.id,
        status="done",
        summary={"chunks": 12, "models": ["m"]},
        now=T0 + timedelta(minutes=3),
    )
    assert done.summary == {"chunks": 12, "models": ["m"]}
    second = store.start_reindex_run(session=session, full=False)
    assert store.last_reindex_run(session=session) == second
    failed = store.finish_reindex_run(session=session, run_id=second.id, status="failed", error="x")
    assert (failed.status, failed.error) == ("failed", "x")
    with pytest.raises(ValueError, match="done"):
        store.finish_reindex_run(session=session, run_id=first.id, status="running")
