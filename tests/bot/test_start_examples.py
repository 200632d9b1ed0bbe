"""/start suggests topics drawn from headlines, without gluing them into broken questions."""

from __future__ import annotations

from bot import messages
from bot.emulator import html_to_plain
from bot.news_service import example_topic


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
    text = html_to_plain(messages.start(["storm hits the coast"]))
    assert "What happened: " not in text
    assert "for example: What happened this week?" in text
    assert "Or try asking about:\n• storm hits the coast" in text
