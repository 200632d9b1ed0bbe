"""The whole bot: real Application, real NewsService over a real index, real openai client.

Telegram is the local emulator and the LLM is the local OpenAI-compatible fake server.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot.app import BotConfig, build_application, polling
from bot.cli_run import build_service
from bot.emulator import TelegramEmulator
from bot.runtime import Runtime
from bot.settings import Settings
from index.embedding import SentenceTransformerEmbedder
from index.parsing import iter_path
from tests.bot.conftest import TOKEN
from tests.fakes.openai_server import FakeOpenAIServer, Fault, Reply

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_TITLE = "Blinken in Seoul after strengthening relations between North Korea and Russia"

pytestmark = pytest.mark.slow


def _responder(messages: list[dict[str, Any]]) -> str:
    """Condense requests get a standalone query; questions get a cited answer."""
    if "Standalone query" in messages[-1]["content"]:
        return "What did Moscow say about the North Korean arms deliveries to Russia?"
    return "Blinken came to Seoul to support South Korea against the North [1]."


@pytest.fixture
async def llm() -> AsyncIterator[FakeOpenAIServer]:
    async with FakeOpenAIServer(responder=_responder, chunk_chars=12) as server:
        yield server


@pytest.fixture
async def bot(
    tmp_path: Path,
    llm: FakeOpenAIServer,
    emulator: TelegramEmulator,
    real_embedder: SentenceTransformerEmbedder,
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path,
        openai_base_url=llm.base_url,
        openai_api_key="sk-test-key",
        llm_timeout_seconds=30,  # no slow faults here: generous, a loaded machine never trips it
        llm_max_retries=0,
    )
    runtime = Runtime(settings, embedder=real_embedder)
    indexer = runtime.indexer()
    indexer.open()
    indexer.ingest(iter_path(ROOT / "samples" / "sample"))
    service = build_service(runtime)
    config = BotConfig(
        token=TOKEN,
        api_base_url=emulator.base_url,
        stream_edit_interval=0.0,
        typing_interval=0.2,
        poll_timeout=5.0,
    )
    async with contextlib.AsyncExitStack() as stack:
        application = build_application(config, service)
        yield await stack.enter_async_context(polling(application, poll_timeout=5.0))
    service.assistant.searcher.close()
    await runtime.aclose()


async def _answer(
    emulator: TelegramEmulator,
    application: Application,
    chat: int,
    text: str,  # type: ignore[type-arg]
    user: dict,
    **kwargs: Any,
) -> str:
    update = emulator.send_text(chat, text, user=user, **kwargs)
    await emulator.wait_acknowledged(update["update_id"])
    await application.update_queue.join()
    return emulator.bot_messages(chat)[-1].plain


async def test_question_follow_up_and_llm_failure(
    emulator: TelegramEmulator,
    bot: Application,
    llm: FakeOpenAIServer,  # type: ignore[type-arg]
) -> None:
    alice = emulator.create_user("Alice")
    reply = await _answer(emulator, bot, alice["id"], "Why did Blinken visit Seoul?", alice)
    assert reply.startswith("Blinken came to Seoul to support South Korea against the North [1]")
    assert f"1. {SAMPLE_TITLE} — site-59" in reply
    question_request = llm.requests[-1]
    assert question_request.stream
    assert (
        "US Secretary of State Antony Blinken is in Seoul"
        in (question_request.messages[-1]["content"])
    )

    # A follow-up is rewritten into a standalone query from the stored chat history.
    await _answer(emulator, bot, alice["id"], "and what did Moscow say?", alice)
    condense = next(r for r in llm.requests if "Standalone query" in r.messages[-1]["content"])
    assert "Why did Blinken visit Seoul?" in condense.messages[-1]["content"]

    # The LLM fails: the extractive composer answers from the same passages, still cited.
    llm.push(Reply(fault=Fault.SERVER_ERROR), Reply(fault=Fault.SERVER_ERROR))
    reply = await _answer(emulator, bot, alice["id"], "Who will Blinken meet in Seoul?", alice)
    assert "[1]" in reply
    assert "Blinken came to Seoul" not in reply  # not the LLM's words
    assert "Mr. Blinken will meet Mr. Yoon" in reply  # the article's own sentence
    assert SAMPLE_TITLE in reply


async def test_start_offers_questions_about_indexed_headlines(
    emulator: TelegramEmulator,
    bot: Application,  # type: ignore[type-arg]
) -> None:
    bob = emulator.create_user("Bob")
    reply = await _answer(emulator, bot, bob["id"], "/start", bob)
    assert SAMPLE_TITLE in reply
