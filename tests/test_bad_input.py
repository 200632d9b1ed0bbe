"""Bad input never breaks the bot: random Telegram updates and random date phrases.

Updates go through the Bot API emulator to the real Application over the real
`StoreNewsService` (a small indexed corpus, no LLM): empty, whitespace-only, emoji-only and
10,000-character texts, commands with odd arguments, group messages, edited messages,
channel posts, button presses with unknown data, update kinds the bot does not handle and
one no library knows. None may raise out of a handler (the apology and an ERROR line would
show it); what is refused gets a clear reply in a private chat, or a log line.

Parsers and message splitting have their own property tests
(`tests/index/test_parsing_properties.py`, `tests/bot/test_render.py`,
`tests/bot/test_html_text.py`).
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from telegram import Update
from telegram.ext import Application

from bot import messages
from bot.app import BotConfig, build_application, polling
from bot.cli_run import build_service
from bot.emulator import TelegramEmulator
from bot.emulator_messages import Json
from bot.handlers_ask import MAX_QUESTION_CHARS, command_argument, has_words
from bot.news_service import StoreNewsService
from retrieval.dates import date_range_from_question
from retrieval.query import understand
from tests.patient_emulator import PatientEmulator
from tests.small_corpus import index_articles, make_runtime, make_settings, sample_articles

TOKEN = "123456:BAD-INPUT-token"
BOT_USERNAME = "newsbot_bot"

EMOJI = st.lists(
    st.sampled_from(["😀", "🔥", "🇺🇦", "👍🏽", "❤️", "🤖", "👨‍👩‍👧", "\u200d", "️"]),
    min_size=1,
    max_size=12,
).map("".join)
HUGE = st.sampled_from(["a", "word ", "😀", "<b>&amp;", "\n", "Why? "]).map(
    lambda piece: (piece * 10_000)[:10_000]
)
TEXTS = st.one_of(
    st.just(""),
    st.text(alphabet=" \t\n\u00a0", min_size=1, max_size=6),
    st.text(max_size=120),
    EMOJI,
    HUGE,
)
PREFIXES = st.sampled_from(
    ["", "", "/ask ", "/latest ", "/start ", "/help ", "/sources ", "/frobnicate ", "@newsbot_bot "]
)
KINDS = st.sampled_from(
    [
        "private",
        "private",
        "group",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "callback_query",
        "inline_query",
        "message_reaction",
        "unknown_kind",
    ]
)


@dataclass(frozen=True)
class Sent:
    """One update sent to the bot, and where its replies would appear."""

    kind: str
    text: str
    chat_id: int
    update_id: int
    callback_id: str | None = None


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # else PTB warns inside RetryAfter


@pytest.fixture
def service(tmp_path: Path) -> Iterator[StoreNewsService]:
    runtime = make_runtime(make_settings(f"sqlite:///{tmp_path / 'newsbot.db'}", tmp_path))
    index_articles(runtime, sample_articles(20))
    built = build_service(runtime)
    try:
        yield built
    finally:
        built.assistant.searcher.close()
        runtime.engine.dispose()


@pytest.fixture
async def emulator() -> AsyncIterator[TelegramEmulator]:
    async with PatientEmulator(token=TOKEN, bot_username=BOT_USERNAME) as server:
        yield server


@pytest.fixture
async def bot(emulator: TelegramEmulator, service: StoreNewsService) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    config = BotConfig(
        token=TOKEN,
        api_base_url=emulator.base_url,
        stream_edit_interval=0.0,
        network_retry_delay=0.01,
        poll_timeout=2.0,
        max_chat_requests_per_second=0,
    )
    async with polling(build_application(config, service), poll_timeout=2.0) as application:
        yield application


_ids = itertools.count(1)


def _send(emulator: TelegramEmulator, kind: str, text: str) -> Sent:
    """Send one update of `kind` carrying `text`, from a new user in a new chat."""
    number = next(_ids)
    user = emulator.create_user(f"User {number}")
    if kind == "private":
        update = emulator.send_text(user["id"], text, user=user)
        return Sent(kind, text, user["id"], update["update_id"])
    if kind == "group":
        group = -100_000 - number
        update = emulator.send_text(group, text, user=user, chat_type="supergroup")
        return Sent(kind, text, group, update["update_id"])
    chat: Json = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
    sender: Json = {"from": user}
    if kind in ("channel_post", "edited_channel_post"):
        chat = emulator.state.ensure_chat(-1_000_000_000_000 - number, "channel", "News channel")
        sender = {"sender_chat": chat}
    message: Json = {"message_id": 1, "date": 1_700_000_000, "chat": chat, "text": text, **sender}
    if kind.startswith("edited_"):
        message["edit_date"] = 1_700_000_060
    payloads: dict[str, Json] = {
        "edited_message": {"edited_message": message},
        "channel_post": {"channel_post": message},
        "edited_channel_post": {"edited_channel_post": message},
        "callback_query": {
            "callback_query": {
                "id": f"cb{number}",
                "from": user,
                "chat_instance": str(number),
                "data": text[:64],
                "message": {**message, "from": emulator.bot_user},
            }
        },
        "inline_query": {
            "inline_query": {"id": f"iq{number}", "from": user, "query": text[:256], "offset": ""}
        },
        "message_reaction": {
            "message_reaction": {
                "chat": chat,
                "message_id": 1,
                "user": user,
                "date": 1_700_000_000,
                "old_reaction": [],
                "new_reaction": [{"type": "emoji", "emoji": "👍"}],
            }
        },
    }
    update = emulator.send_update(payloads[kind])
    callback_id = f"cb{number}" if kind == "callback_query" else None
    return Sent(kind, text, int(chat["id"]), update["update_id"], callback_id)


async def _send_unknown_kind(application: Application, text: str) -> Sent:  # type: ignore[type-arg]
    """An update of a kind newer than any library: Telegram only sends it when asked for all
    kinds, so it goes straight into the Application's queue."""
    number = next(_ids)
    update = Update.de_json(
        {"update_id": 10**9 + number, "future_kind": {"id": number, "text": text}},
        application.bot,
    )
    await application.update_queue.put(update)
    return Sent("unknown_kind", text, 0, update.update_id)


def _plain(html: str) -> str:
    """A reply's text as the user reads it (the emulator keeps no markup)."""
    return re.sub(r"</?(?:code|i)>", "", html)


def _question(sent: Sent) -> str | None:
    """The question a private message asks, or the topic of /latest (None: other commands)."""
    if sent.text.startswith(("/ask ", "/ask@", "/latest ")):
        return command_argument(sent.text)
    if sent.text.startswith("/"):
        return None
    return sent.text.strip()


def _check_replies(emulator: TelegramEmulator, sent: Sent) -> None:
    replies = [m.text for m in emulator.bot_messages(sent.chat_id)] if sent.chat_id else []
    assert messages.APOLOGY not in replies
    if sent.kind == "private":
        assert replies, f"no reply to {sent.text[:80]!r}"
        question = _question(sent)
        if sent.text == "":
            assert replies == [messages.TEXT_ONLY]
        elif sent.text.startswith("/frobnicate"):
            assert replies == [messages.UNKNOWN_COMMAND]
        elif question is not None and sent.text.startswith("/latest "):
            if len(question) > MAX_QUESTION_CHARS:
                assert replies == [messages.topic_too_long(MAX_QUESTION_CHARS)]
        elif question is not None and not has_words(question):  # "", spaces, emoji only
            if sent.text.startswith("/"):  # an /ask with no words: how to use /ask
                assert replies == [_plain(messages.ASK_USAGE)]
            else:  # no command typed: ask in words
                assert replies == [_plain(messages.ASK_IN_WORDS)]
        elif question is not None and len(question) > MAX_QUESTION_CHARS:
            assert replies == [messages.question_too_long(MAX_QUESTION_CHARS)]
    elif sent.kind == "group" and not sent.text.startswith(("/", "@")):
        assert replies == []  # not addressed to the bot
    elif sent.kind == "callback_query":
        answered = [c for c in emulator.state.answered_callbacks if c.get("callback_query_id")]
        assert {"callback_query_id": sent.callback_id, "text": messages.BUTTON_EXPIRED} in [
            {k: c.get(k) for k in ("callback_query_id", "text")} for c in answered
        ]
    elif sent.kind == "edited_message":  # read again as a question: test_message_kinds.py
        assert len(replies) <= 1
    elif sent.kind not in ("group",):
        assert replies == []


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(st.tuples(KINDS, PREFIXES, TEXTS), min_size=1, max_size=4))
@example(
    batch=[
        ("private", "/latest ", "word " * 2000),
        ("private", "/ask ", "a" * 10_000),
        ("group", "@newsbot_bot ", "Why? " * 2000),
        ("private", "", "😀" * 5000),
        ("private", "/ask@newsbot_bot ", "x" * (MAX_QUESTION_CHARS + 1)),
    ]
)
async def test_random_updates_never_break_the_bot(
    batch: list[tuple[str, str, str]],
    emulator: TelegramEmulator,
    bot: Application,  # type: ignore[type-arg]
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.clear()
    caplog.set_level(logging.DEBUG, logger="bot")
    sent: list[Sent] = []
    for kind, prefix, text in batch:
        if kind == "unknown_kind":
            sent.append(await _send_unknown_kind(bot, prefix + text))
        else:
            sent.append(_send(emulator, kind, prefix + text))
    from_telegram = [s.update_id for s in sent if s.kind != "unknown_kind"]
    if from_telegram:
        await emulator.wait_acknowledged(max(from_telegram), timeout=30)
    await bot.update_queue.join()

    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    for item in sent:
        _check_replies(emulator, item)
    ignored = {r.getMessage() for r in caplog.records if r.name == "bot.handlers_fallback"}
    for item in sent:
        if item.kind in ("channel_post", "inline_query", "unknown_kind"):
            assert any(f"update {item.update_id} " in line for line in ignored), ignored
    assert bot.running
    assert emulator.state.updates == []


# ---- date phrases -----------------------------------------------------------------------

_DATE_VOCABULARY = """yesterday today tonight tomorrow last past next this week weeks month months
    year years in on since until before after between and from to the early mid late of ago a
    few couple 3 12 31 0 99 2021 1999 99999 -5 October may June March Sunday friday 2024-02-30
    12/13/2024 2022-06-16T10:00 morning evening 's yesterday's 1st noon midnight ? , ' - —
    😀 год 昨日 hier ayer"""
DATE_WORDS = st.sampled_from(_DATE_VOCABULARY.split()) | st.sampled_from(["", "\n", "  "])
PHRASES = st.lists(DATE_WORDS, max_size=14).map(" ".join)
ZONES = st.sampled_from(["UTC", "Asia/Seoul", "America/Los_Angeles", "Pacific/Kiritimati"])
NOWS = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
)


@settings(max_examples=150, deadline=None)
@given(text=st.one_of(PHRASES, st.text(max_size=200)), zone=ZONES, now=NOWS)
def test_date_phrases_never_raise(text: str, zone: str, now: datetime) -> None:
    date_range, rest = date_range_from_question(text, now=now, timezone=zone)
    assert isinstance(rest, str)
    if date_range is not None:
        bounds = [b for b in (date_range.start, date_range.end) if b is not None]
        assert all(b.tzinfo is not None for b in bounds)
        if len(bounds) == 2:
            assert bounds[0] <= bounds[1]
    plan = understand(text, now=now, timezone=zone, known_sources=["Wikinews", "CNN"])
    assert isinstance(plan.text, str)
