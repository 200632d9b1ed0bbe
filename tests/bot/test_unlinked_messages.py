"""Nothing in our messages is linked by Telegram itself, only our own source links.

The real bot on the emulator, a real store and index (extractive answers, no LLM): an
article quoting a URL, a bare host, an e-mail address and @mentions, titled with bare hosts,
is answered about, listed by /latest and sent as an alert. The emulator detects links the
way Telegram does (`bot/emulator_links.py`); none but our `text_link`s may be there, while
`Answer.text` and the terminal keep the real text.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import BotConfig
from bot.emulator import TelegramEmulator
from bot.emulator_links import LINK_TYPES, find_links
from bot.emulator_messages import StoredMessage
from bot.terminal_view import format_message
from bot.unlink import restore
from retrieval.types import AnswerMode
from tests.bot.alerts_world import (
    AlertsWorld,
    alerts_world,
    article,
    cli_ingest,
    make_runtime,
    seed,
    settled,
    user,
)

SENTENCE = (
    "Why Amazon.com and Booking.com shares rise: readers can mail press@reuters.com or follow "
    "@BBCBreaking and @elonmusk, or see https://example.com/a?b=1 and www.gov.uk/news."
)
TITLE = "Amazon.com and Booking.com shares rise"
SHARES = article(
    TITLE,
    "Amazon.com and Booking.com shares rise on Tuesday as travel bookings climb. "
    f"{SENTENCE} Booking.com shares rise most, Amazon.com shares rise too.",
    source="Wire",
    slug="shares",
)
QUESTION = "Why did Amazon.com and Booking.com shares rise?"


@pytest.fixture
async def shares_world(
    tmp_path: Path, emulator: TelegramEmulator, config: BotConfig
) -> AsyncIterator[AlertsWorld]:
    runtime = make_runtime(tmp_path / "data", ALERT_THRESHOLD=0.3)
    seed(runtime, [SHARES])
    async with alerts_world(runtime, emulator, config) as started:
        yield started


def _self_links(message: StoredMessage) -> list[tuple[str, str]]:
    """(type, text) of what Telegram linked by itself in any version of the message."""
    return [
        (e.type, version.parsed.text[e.start : e.end])
        for version in message.versions
        for e in version.parsed.entities
        if e.type in LINK_TYPES
    ]


def _own_links(message: StoredMessage) -> list[str]:
    return [url for _text, url in message.links]


async def test_an_extractive_answer_quotes_without_links(shares_world: AlertsWorld) -> None:
    alice = user(shares_world, "Alice")
    answer = await shares_world.service.ask(
        QUESTION,
        chat_id=-1,
        user_id=alice["id"],
        now=datetime(2024, 11, 15, tzinfo=UTC),
        reply_to_message_id=None,
        on_partial=None,
    )
    assert answer.mode is AnswerMode.EXTRACTIVE
    assert "@BBCBreaking" in answer.text  # the real text for the terminal, --json, history
    assert "Amazon.com" in answer.text

    before = len(shares_world.emulator.bot_messages(alice["id"]))
    shares_world.emulator.send_text(alice["id"], QUESTION, user=alice)
    [message] = await shares_world.emulator.wait_for_messages(alice["id"], before + 1)
    # Telegram would have linked all of these as the article wrote them ...
    kinds = sorted({kind for kind, _start, _end in find_links(SENTENCE + " " + TITLE)})
    assert kinds == ["email", "mention", "url"]
    # ... but the answer only has our source links, and reads the same.
    assert _self_links(message) == []
    assert set(_own_links(message)) == {SHARES.url}  # the "[1]"s and the source's title
    assert "＠BBCBreaking" in message.text
    assert "Amazon․com" in message.text
    assert restore(message.text).count(SENTENCE) == 1
    shown = format_message(message)  # the offline terminal
    assert f"1. {TITLE} ({SHARES.url})" in shown
    assert SENTENCE in shown


async def test_headlines_and_alerts_have_no_links_but_ours(
    shares_world: AlertsWorld, tmp_path: Path
) -> None:
    alice = user(shares_world, "Alice")
    chat = alice["id"]
    latest = await shares_world.reply(chat, "/latest", alice)
    assert TITLE in restore(latest)
    await shares_world.reply(chat, "/subscribe booking shares", alice)
    again = article(
        "Booking.com shares rise again, says @BBCBreaking",
        f"Booking.com shares rise again on Wednesday. {SENTENCE} Booking shares rise more.",
        source="Wire",
        slug="again",
        day=15,
    )
    await cli_ingest(shares_world.runtime, tmp_path / "in.jsonl", [again])
    await settled(shares_world)
    alert = shares_world.emulator.bot_messages(chat)[-1]
    assert "Booking․com shares rise again" in alert.text  # the alert itself
    for message in shares_world.emulator.bot_messages(chat):
        assert _self_links(message) == [], message.text
    assert again.url in _own_links(alert)
