"""Sturdiness: 500 questions from 100 chats while the LLM and Telegram fail at random.

Everything is real except the two remote services: the Application polls the Bot API
emulator, questions go through `StoreNewsService` over a small indexed corpus (SQLite,
hashing embedder), and the openai client talks to the fake OpenAI server. With a fixed
seed, the LLM times out, answers 429 with retry-after, 500, malformed JSON or drops the
connection (before or during the stream), and Telegram answers some sendMessage,
editMessageText, sendChatAction and getUpdates calls with 429 `retry_after` or 502.
Every question must still get its answer (from the LLM, the extractive composer or "not
found", never the apology), no update may be lost, and the bot must still be running.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot import messages
from bot.app import BotConfig, build_application, polling
from bot.cli_run import build_service
from bot.emulator_messages import Json
from bot.emulator_state import Fault as TelegramFault
from bot.news_service import StoreNewsService
from bot.runtime import Runtime
from index import store
from index.db import session_scope
from index.errors import NewsbotError
from retrieval.not_found import NOT_FOUND_TEXT
from retrieval.types import AnswerMode
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.fakes.openai_server import Fault as LLMFault
from tests.patient_emulator import PatientEmulator
from tests.small_corpus import index_articles, make_runtime, make_settings, sample_articles

SEED = 20_241_115
CHATS = 100
QUESTIONS_PER_CHAT = 5
TOKEN = "123456:FAULTS-token"
LLM_MARKER = "Reported:"  # every reply of the fake LLM starts with it

_QUESTION = re.compile(r"^Question: (.*)$", re.MULTILINE)
_LAST_MESSAGE = re.compile(r"^Last message: (.*)$", re.MULTILINE)


@dataclass
class FlakyLLM:
    """Replies of the fake OpenAI server: a fault, chosen at random, or a cited answer."""

    rng: random.Random
    faults: Counter[str] = field(default_factory=Counter)

    CHOICES = (
        (None, 0.40),
        (LLMFault.SLOW, 0.09),
        (LLMFault.RATE_LIMIT, 0.09),
        (LLMFault.SERVER_ERROR, 0.09),
        (LLMFault.MALFORMED, 0.09),
        (LLMFault.CLOSE, 0.09),
        (LLMFault.CLOSE_MID_STREAM, 0.15),
    )

    def __call__(self, messages: list[dict[str, Any]]) -> Reply:
        last = str(messages[-1]["content"])
        condense = _LAST_MESSAGE.search(last)
        question = _QUESTION.search(last)
        if condense is not None:
            text = condense.group(1)  # the follow-up stands alone as it is
        elif question is not None:
            text = f"{LLM_MARKER} {question.group(1)} - the sources say so [1]."
        else:
            text = "NOT_FOUND"
        faults, weights = zip(*self.CHOICES, strict=True)
        fault = self.rng.choices(faults, weights)[0]
        self.faults[str(fault)] += 1
        return Reply(content=text, fault=fault, retry_after=0.1)


@dataclass
class FlakyTelegram:
    """A fault policy for the emulator: each distinct request fails at most once."""

    rng: random.Random
    rate: float = 0.08
    max_rate_limits: int = 4  # each 429 pauses all of the bot's requests for retry_after
    max_poll_faults: int = 3  # each failed getUpdates costs the updater a 1 s back-off
    injected: Counter[tuple[str, int]] = field(default_factory=Counter)
    _seen: set[tuple[Any, ...]] = field(default_factory=set)

    def __call__(self, method: str, params: Json) -> TelegramFault | None:
        name = method.lower()
        if name == "getupdates":
            if self.injected[(name, 502)] >= self.max_poll_faults or self.rng.random() >= self.rate:
                return None
            self.injected[(name, 502)] += 1
            return TelegramFault(502, None, None)  # the bot must poll again from the same offset
        if name not in ("sendmessage", "editmessagetext", "sendchataction"):
            return None
        key = (name, params.get("chat_id"), params.get("message_id"), params.get("text"))
        if key in self._seen or self.rng.random() >= self.rate:
            return None  # a retry of a failed request goes through
        self._seen.add(key)
        rate_limits = sum(n for (_, status), n in self.injected.items() if status == 429)
        if rate_limits < self.max_rate_limits and self.rng.random() < 0.2:
            self.injected[(name, 429)] += 1
            return TelegramFault(429, 1, None)
        self.injected[(name, 502)] += 1
        return TelegramFault(502, None, None)


def questions_for(chat: int, titles: list[str]) -> list[str]:
    """Five questions of one chat: about indexed headlines, follow-ups, and off-topic."""
    rng = random.Random(SEED + chat)
    title = titles[chat % len(titles)]
    other = titles[(chat * 7 + 3) % len(titles)]
    words = re.findall(r"[A-Za-z]{4,}", other)[:3]
    return [
        f"What happened: {title}?",
        f"And what else is known about {' '.join(words)}?",
        rng.choice(["Who said what about it?", "Why did it matter?", "What came next?"]),
        f"Tell me about {rng.choice(titles)}",
        rng.choice(
            [
                "Who won the chess olympiad on Mars in 2090?",
                f"Any news about {title.lower()} last week?",
            ]
        ),
    ]


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # else PTB warns inside RetryAfter


@pytest.fixture
def flaky_llm() -> FlakyLLM:
    return FlakyLLM(random.Random(SEED))


@pytest.fixture
async def llm(flaky_llm: FlakyLLM) -> AsyncIterator[FakeOpenAIServer]:
    async with FakeOpenAIServer(responder=flaky_llm, slow_seconds=30.0, chunk_chars=24) as server:
        yield server


@pytest.fixture
async def runtime(tmp_path: Path, llm: FakeOpenAIServer) -> AsyncIterator[Runtime]:
    """The corpus indexed, the LLM behind a 1 s timeout with one retry.

    A clean reply comes back in milliseconds on an idle machine, but a loaded one with a
    hundred chats at work can take a good part of a second; a slow reply takes 30 s.
    """
    settings = make_settings(
        f"sqlite:///{tmp_path / 'newsbot.db'}",
        tmp_path,
        openai_base_url=llm.base_url,
        openai_api_key="sk-faults-test-key",
        llm_timeout_seconds=1.0,
        llm_max_retries=1,
    )
    built = make_runtime(settings)
    index_articles(built, sample_articles(40))
    try:
        yield built
    finally:
        await built.aclose()


@pytest.fixture
def service(runtime: Runtime) -> Iterator[StoreNewsService]:
    built = build_service(runtime)
    try:
        yield built
    finally:
        built.assistant.searcher.close()


def _reply_kind(text: str, question: str) -> str:
    """What a final bot message is: an LLM answer to `question`, extractive, or not found."""
    # An answer citing nothing from the period its question names opens with a caveat line.
    text = re.sub(r"^Nothing (?:from|since|until) [^\n]*; \w+ coverage:\n", "", text)
    if text.startswith(LLM_MARKER):
        assert question in text, (question, text)
        return "llm"
    if text.startswith(NOT_FOUND_TEXT):
        return "not_found"
    assert "[1]" in text, text
    assert "\nSources\n1. " in text, text
    return "extractive"


async def test_every_question_is_answered_despite_faults(
    runtime: Runtime,
    service: StoreNewsService,
    flaky_llm: FlakyLLM,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    flaky_telegram = FlakyTelegram(random.Random(SEED + 1))
    started = datetime.now(UTC)
    titles = [a.title for a in sample_articles(40)]
    async with PatientEmulator(token=TOKEN) as emulator:
        config = BotConfig(
            token=TOKEN,
            api_base_url=emulator.base_url,
            network_retry_delay=0.02,
            poll_timeout=2.0,
            max_chat_requests_per_second=0,  # the emulator has no flood limit
            # A hundred chats share the connection pool: on a loaded machine a request can
            # wait longer than the default 5 s for a free connection (a sendMessage that
            # timed out there is not retried, and its question would get the apology).
            pool_timeout=60.0,
        )
        application: Application = build_application(config, service)  # type: ignore[type-arg]
        async with polling(application, poll_timeout=2.0):
            emulator.set_fault_policy(flaky_telegram)
            users = [emulator.create_user(f"User {n}") for n in range(CHATS)]
            asked = {user["id"]: questions_for(n, titles) for n, user in enumerate(users)}
            last_update = 0
            for number in range(QUESTIONS_PER_CHAT):  # interleaved, as chats write at once
                for user in users:
                    update = emulator.send_text(user["id"], asked[user["id"]][number], user=user)
                    last_update = update["update_id"]

            def answered() -> bool:
                return all(len(emulator.bot_messages(c)) >= QUESTIONS_PER_CHAT for c in asked)

            await emulator.wait_until(answered, timeout=240)  # a loaded machine is slow
            await emulator.wait_acknowledged(last_update, timeout=30)
            await asyncio.wait_for(application.update_queue.join(), timeout=30)

            # Every chat got one final reply per question, in order, and never an apology.
            error_texts = {messages.APOLOGY, NewsbotError.default_message}
            kinds: Counter[str] = Counter()
            for chat_id, questions in asked.items():
                replies = emulator.bot_messages(chat_id)
                assert len(replies) == QUESTIONS_PER_CHAT, [m.text for m in replies]
                for question, reply in zip(questions, replies, strict=True):
                    assert reply.text not in error_texts
                    assert not reply.text.endswith(messages.PARTIAL_SUFFIX)
                    kinds[_reply_kind(reply.text, question)] += 1
            # All three kinds of answer occur (the counts vary with timing, not with the seed).
            assert min(kinds["llm"], kinds["extractive"], kinds["not_found"]) >= 20, kinds

            # Each question was answered exactly once, and the bot remembers it that way.
            with session_scope(runtime.sessions) as session:
                for chat_id, questions in asked.items():
                    turns = store.recent_turns(session=session, chat_id=chat_id, limit=50)
                    assert [t.text for t in turns if t.role == "user"] == questions
                    assert [t.message_id for t in turns if t.role == "assistant"] == [
                        m.message_id for m in emulator.bot_messages(chat_id)
                    ]
                logged = store.questions_today(session=session, now=started)
            assert sum(logged.values()) == CHATS * QUESTIONS_PER_CHAT
            assert logged.get(str(AnswerMode.LLM), 0) == kinds["llm"]

            # No update was lost or handled twice, and the faults really happened.
            assert emulator.state.updates == []
            assert emulator.state.acknowledged_through == last_update
            statuses = Counter(status for _, status in flaky_telegram.injected.elements())
            polls_failed = flaky_telegram.injected[("getupdates", 502)]
            assert statuses[429] >= 1, flaky_telegram.injected
            assert statuses[502] >= 20, flaky_telegram.injected
            assert all(flaky_llm.faults[str(f)] >= 5 for f, _ in FlakyLLM.CHOICES), flaky_llm.faults
            # The only errors logged: PTB's report of each failed long poll (then retried).
            errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
            assert [r.name for r in errors] == ["telegram.ext.Updater"] * polls_failed

            # Still running: with the faults gone, a new question gets its answer at once.
            emulator.set_fault_policy(None)
            assert application.running
            assert application.updater is not None
            assert application.updater.running
            first = users[0]
            emulator.send_text(first["id"], "What happened: " + titles[5] + "?", user=first)
            late = await emulator.wait_for_messages(first["id"], QUESTIONS_PER_CHAT + 1)
            assert late[-1].text not in error_texts
