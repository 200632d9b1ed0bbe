"""The offline terminal as a user reads it: the chat only (log lines go to a file, a short
notice for what the user must know), each source's URL once, buttons that can be pressed,
and output that never lands in the middle of the `you> ` prompt."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.app import BotConfig, build_application
from bot.emulator_html import parse_html
from bot.logging_setup import configure_logging, notices_instead_of_terminal
from bot.terminal import OFFLINE_TOKEN, PROMPT, Notices, Screen, run_offline, stdin_lines
from bot.terminal_view import BUTTONS_HINT, keyboard, render_keyboard, terminal_text
from tests.bot.fakes import FakeNewsService, make_answer


async def _lines(*items: str) -> AsyncIterator[str]:
    for item in items:
        yield item


def _builder(news: FakeNewsService, *extra: Any):  # type: ignore[no-untyped-def]
    def build(base_url: str) -> Application:  # type: ignore[type-arg]
        config = BotConfig(token=OFFLINE_TOKEN, api_base_url=base_url, stream_edit_interval=0.0)
        application = build_application(config, news)
        for handler in extra:
            application.add_handler(handler, group=-1)
        return application

    return build


# ---- links -----------------------------------------------------------------------------------


def test_markers_stay_bare_when_the_sources_list_shows_the_url() -> None:
    parsed = parse_html(
        'One <a href="https://a.example/1">[1]</a>. Two <a href="https://a.example/1">[1]</a>.'
        '\n\nSources\n1. <a href="https://a.example/1">Title</a> — Wikinews'
    )
    assert terminal_text(parsed) == (
        "One [1]. Two [1].\n\nSources\n1. Title (https://a.example/1) — Wikinews"
    )


def test_a_marker_whose_url_is_nowhere_else_keeps_it() -> None:
    parsed = parse_html('Quoted <a href="https://b.example/x">[2]</a>.')
    assert terminal_text(parsed) == "Quoted [2] (https://b.example/x)."


def test_buttons_render_as_typable_labels() -> None:
    markup = {
        "inline_keyboard": [
            [
                {"text": "Pause 1", "callback_data": "al:p:1"},
                {"text": "Remove 1", "callback_data": "x"},
            ],
            [{"text": "Read", "url": "https://a.example/r"}],
        ]
    }
    assert render_keyboard(keyboard(markup)) == (
        f"[Pause 1]  [Remove 1]\n[Read] (https://a.example/r)\n{BUTTONS_HINT}"
    )


# ---- buttons ---------------------------------------------------------------------------------


async def _menu(update: Update, context: Any) -> None:
    assert update.effective_message is not None
    buttons = [[InlineKeyboardButton("Pause 1", callback_data="p1")]]
    await update.effective_message.reply_text(
        "Alert 1 (on)", reply_markup=InlineKeyboardMarkup(buttons)
    )


async def _pressed(update: Update, context: Any) -> None:
    query = update.callback_query
    assert query is not None
    assert query.data == "p1"
    await query.answer("Alert paused.")
    await query.edit_message_text("Alert 1 (paused)")


async def test_typing_a_buttons_label_presses_it() -> None:
    news = FakeNewsService()
    output: list[str] = []
    build = _builder(news, CommandHandler("menu", _menu), CallbackQueryHandler(_pressed))
    await run_offline(build, lines=_lines("/menu\n", "PAUSE 1\n"), write=output.append)
    assert f"bot> Alert 1 (on)\n[Pause 1]\n{BUTTONS_HINT}\n" in output
    assert "(Alert paused.)" in output  # the button's toast
    assert "bot> (edited) Alert 1 (paused)\n" in output
    assert news.calls == []  # the label was pressed, not asked as a question


# ---- log lines and notices -------------------------------------------------------------------


class _FailingLLMNews(FakeNewsService):
    """Answers as the fake does, after logging what retrieval/llm.py logs on an HTTP 500."""

    async def ask(self, *args: Any, **kwargs: Any) -> Any:
        logging.getLogger("retrieval.llm").warning(
            "LLM request failed: %s", "InternalServerError (HTTP 500)"
        )
        return await super().ask(*args, **kwargs)


@pytest.fixture
def terminal_logging() -> Any:
    """Logging as `newsbot` sets it up, restored afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    configure_logging("INFO")
    yield
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)


@pytest.mark.usefixtures("terminal_logging")
async def test_log_lines_go_to_the_file_and_the_chat_gets_one_notice(tmp_path: Path) -> None:
    news = _FailingLLMNews()
    news.answers["Seoul?"] = make_answer(
        "Thousands marched [1].", [("Protests", "https://s.example", "W", None)]
    )
    log_file = tmp_path / "data" / "newsbot.log"
    notices, output = Notices(), list[str]()
    with notices_instead_of_terminal(log_file, notices.add) as to_file:
        assert to_file
        logging.getLogger("index.embedding").info("loaded embedding model")
        await run_offline(
            _builder(news),
            lines=_lines("Seoul?\n", "Seoul?\n"),
            write=output.append,
            notices=notices,
        )
    printed = "\n".join(output)
    notes = [line for line in output if line.startswith("note: LLM not reachable")]
    assert notes == [
        "note: LLM not reachable (InternalServerError (HTTP 500)): answering from the "
        f"articles' own sentences (details in {log_file})"
    ]
    assert output.index(notes[0]) < output.index(
        "bot> Thousands marched [1].\n\nSources\n1. Protests (https://s.example) — W\n"
    )
    assert "WARNING" not in printed
    assert "loaded embedding model" not in printed
    written = log_file.read_text(encoding="utf-8")
    assert "INFO index.embedding: loaded embedding model" in written
    assert written.count("WARNING retrieval.llm: LLM request failed") == 2
    assert not any(isinstance(h, logging.FileHandler) for h in logging.getLogger().handlers)


def test_one_shot_commands_keep_info_lines_off_the_terminal(
    terminal_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO", terminal_level="WARNING")
    logging.getLogger("index.embedding").info("loaded embedding model")
    logging.getLogger("index.embedding").warning("the index is stale")
    err = capsys.readouterr().err
    assert "loaded embedding model" not in err
    assert "the index is stale" in err


# ---- the prompt ------------------------------------------------------------------------------


def test_output_while_the_prompt_waits_goes_below_it() -> None:
    out: list[str] = []
    screen = Screen(write=lambda text: out.append(text + "\n"), raw=out.append)
    screen.prompt()
    screen.show("bot> An alert")
    screen.read("question\n", echo=False)
    screen.show("bot> The answer")
    assert "".join(out) == f"{PROMPT}\nbot> An alert\n{PROMPT}bot> The answer\n"


async def test_end_of_input_ends_the_prompt_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("one\n"))
    raw: list[str] = []
    lines = [line async for line in stdin_lines(Screen(write=raw.append, raw=raw.append))]
    assert lines == ["one\n"]
    # Piped input is echoed after the prompt; Ctrl-D (end of input) ends the line.
    assert "".join(raw) == f"{PROMPT}one\n{PROMPT}\n"
