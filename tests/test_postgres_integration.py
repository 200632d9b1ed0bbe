"""The whole product on every database backend: ingest -> ask, the bot's state, shared queues.

Each test takes the `database_url` fixture, so it runs on a SQLite file and, when
NEWSBOT_TEST_POSTGRES_URL is set (`.ci/run` does), on a fresh PostgreSQL schema too.
"""

from __future__ import annotations

import multiprocessing
import shutil
from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from bot.cli_run import build_service
from index import store
from index.db import make_engine, make_session_factory, session_scope, upgrade_database
from index.types import Article
from retrieval.types import AnswerMode
from tests.alert_worker import NOW, STALE, drain_alerts
from tests.small_corpus import index_articles, make_runtime, make_settings, sample_articles

GROUP = -1_001_234_567_890  # supergroup ids need 64 bits
USER = 5_000_000_001


async def test_ingest_then_ask_and_repair(database_url: str, tmp_path: Path) -> None:
    articles = sample_articles(20)
    runtime = make_runtime(make_settings(database_url, tmp_path))
    try:
        report = index_articles(runtime, articles)
        assert (report.new, report.failures) == (20, ())
        again = index_articles(runtime, articles)  # idempotent: nothing new, nothing embedded
        assert (again.new, again.updated, again.chunks_embedded) == (0, 0, 0)

        boeing = next(a for a in articles if "Boeing" in a.title)
        pair = runtime.open_index()
        searcher = runtime.searcher(pair)
        assistant = runtime.assistant(searcher)
        try:
            answer = await assistant.ask(f"What happened: {boeing.title}?", now=NOW)
        finally:
            assistant.searcher.close()
        assert answer.mode is AnswerMode.EXTRACTIVE
        assert boeing.title in [c.passage.title for c in answer.citations]
        assert all(c.passage.published_at is not None for c in answer.citations)
        chunks = len(pair.vectors.ids())

        # The database is the source of truth: a lost index folder is rebuilt from it.
        shutil.rmtree(runtime.index_dir)
        assert len(runtime.open_index().vectors.ids()) == chunks
    finally:
        await runtime.aclose()


async def test_bot_state_history_and_question_log(database_url: str, tmp_path: Path) -> None:
    runtime = make_runtime(make_settings(database_url, tmp_path))
    articles = sample_articles(20)
    index_articles(runtime, articles)
    service = build_service(runtime)
    try:
        first = await service.ask(
            "What did the emails reveal about the Boeing tanker deal?",
            chat_id=GROUP,
            user_id=USER,
            now=NOW,
            reply_to_message_id=None,
            on_partial=None,
        )
        assert first.mode is AnswerMode.EXTRACTIVE
        await service.record_bot_messages(GROUP, [41, 42], first)  # an answer in two pieces
        # A reply to the answer's second piece continues that conversation: the follow-up
        # borrows its words.
        follow_up = await service.ask(
            "and McCain?",
            chat_id=GROUP,
            user_id=USER,
            now=NOW + timedelta(minutes=1),
            reply_to_message_id=42,
            on_partial=None,
        )
        assert "Boeing" in follow_up.query

        with session_scope(runtime.sessions) as session:
            turns = store.recent_turns(session=session, chat_id=GROUP, limit=10)
            asked = store.questions_by_user_since(session=session, user_id=USER, since=NOW)
            today = store.questions_today(session=session, now=NOW)
        assert [(t.role, t.message_id) for t in turns] == [
            ("user", None),
            ("assistant", 41),
            ("user", None),
            ("assistant", None),
        ]
        assert turns[2].text == "and McCain?"
        assert asked == 2
        modes = [str(first.mode), str(follow_up.mode)]
        assert today == {mode: modes.count(mode) for mode in modes}

        overview = await service.overview()
        assert overview.article_count == 20
        assert [o.name for o in overview.outlets] == ["Wikinews"]
        latest = await service.latest(None, 3)
        newest = max(a.published_at for a in articles if a.published_at is not None)
        assert latest[0].published_at is not None
        assert latest[0].published_at.date() == newest.date()
        assert len(await service.example_questions(3)) == 3
    finally:
        service.assistant.searcher.close()
        await runtime.aclose()


# ---- several bot processes on one database -------------------------------------------------

DELIVERIES = 90


def _queue_alerts(session: Session, count: int) -> None:
    chats = [GROUP, USER, 77]
    subscriptions = {
        chat: store.add_subscription(session=session, chat_id=chat, topic="boeing", now=NOW).id
        for chat in chats
    }
    for number in range(count):
        article_id = store.upsert_article(
            session=session,
            article=Article(title=f"Story {number}", body=f"Body of story {number}."),
            key=f"sha256:story-{number}",
            content_hash=f"story-{number}",
            fingerprint=None,
        ).article_id
        chat = chats[number % len(chats)]
        assert store.enqueue_delivery(
            session=session,
            subscription_id=subscriptions[chat],
            chat_id=chat,
            article_id=article_id,
            story_id=article_id,
            score=0.7,
            reason="Why it matched.",
            now=NOW,
        )


def test_two_bot_processes_never_send_an_alert_twice(database_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    go = context.Event()
    results = context.Queue()
    workers = [
        context.Process(target=drain_alerts, args=(database_url, name, go, results))
        for name in ("bot-a", "bot-b")
    ]
    for process in workers:
        process.start()
    try:
        # Both processes migrate the empty database at once; then the alerts are queued.
        engine = make_engine(database_url)
        try:
            upgrade_database(engine)
            with session_scope(make_session_factory(engine)) as session:
                _queue_alerts(session, DELIVERIES)
            go.set()
            outcome = dict(results.get(timeout=120) for _ in workers)
            for process in workers:
                process.join(timeout=30)
            assert [p.exitcode for p in workers] == [0, 0], outcome
            claimed = [delivery for ids in outcome.values() for delivery in ids]
            assert len(claimed) == DELIVERIES
            assert len(set(claimed)) == DELIVERIES  # each alert claimed exactly once
            with session_scope(make_session_factory(engine)) as session:
                sent = store.alerts_delivered_today(session=session, now=NOW)
                leftover = store.claim_pending(
                    session=session, worker="late", limit=10, now=NOW, stale_after=STALE
                )
            assert (sent, leftover) == (DELIVERIES, [])
        finally:
            engine.dispose()
    finally:
        go.set()
        for process in workers:
            if process.is_alive():
                process.kill()
                process.join()
