"""/start suggests topics drawn from headlines, without gluing them into broken questions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot import messages
from bot.cli_run import build_service
from bot.emulator import html_to_plain
from bot.start_examples import TIMED_EXAMPLE, example_question, example_topic
from tests.conftest import sqlite_url
from tests.small_corpus import index_articles, make_runtime, make_settings, sample_articles


def test_example_topics_read_cleanly() -> None:
    assert example_topic("Reports: 'streamlined' UK asylum process to start.") == (
        "'streamlined' UK asylum process to start"
    )
    assert example_topic("Live updates: storm hits  the coast!") == "storm hits the coast"
    assert example_topic("Blinken in Seoul after talks") == "Blinken in Seoul after talks"
    # A colon late in the headline is part of it, not a label.
    assert example_topic("Markets fall as the central bank says: wait") == (
        "Markets fall as the central bank says: wait"
    )


def test_start_shows_a_question_and_topics() -> None:
    text = html_to_plain(messages.start(["storm hits the coast"], TIMED_EXAMPLE))
    assert "What happened: " not in text
    assert "for example: What happened this week?" in text
    assert "Or try asking about:\n• storm hits the coast" in text
    other = html_to_plain(messages.start([], "What is the news about <b>storms</b>?"))
    assert "for example: What is the news about <b>storms</b>?" in other  # escaped
    assert "for example" not in html_to_plain(messages.start([], None))


NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)  # a Monday


def test_the_timed_example_needs_news_from_this_week() -> None:
    topics = ["storm hits the coast"]
    assert example_question(topics, NOW - timedelta(hours=3), now=NOW) == TIMED_EXAMPLE
    # Newest article from 2023, or from last Sunday: "this week" would find nothing.
    for newest in (datetime(2023, 5, 1, tzinfo=UTC), NOW - timedelta(days=1), None):
        assert example_question(topics, newest, now=NOW) == (
            "What is the news about storm hits the coast?"
        )
    assert example_question([], datetime(2023, 5, 1), now=NOW) is None


def test_the_topic_example_is_the_shortest_topic() -> None:
    old = datetime(2023, 5, 1, tzinfo=UTC)
    long = "'streamlined' UK asylum process to replace interview with questionnaire for five"
    topics = [long, "Cressida Dick resigns amid criticism", "storm hits the coast"]
    assert example_question(topics, old, now=NOW) == "What is the news about storm hits the coast?"
    assert example_question([long], old, now=NOW) is None  # no question reads well from it


async def test_start_on_an_old_corpus_suggests_a_topic_question(tmp_path: Path) -> None:
    # The bundled demo corpus ends years ago: "What happened this week?" would find nothing.
    runtime = make_runtime(make_settings(sqlite_url(tmp_path), tmp_path / "data"))
    index_articles(runtime, sample_articles(12))
    service = build_service(runtime)
    try:
        topics = await service.example_questions(3)
        assert topics
        question = await service.example_question(topics)
        assert question == f"What is the news about {min(topics, key=len)}?"
    finally:
        service.assistant.searcher.close()
        await runtime.aclose()
