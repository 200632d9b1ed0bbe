"""A button's label typed again once an edit took the button away (pressed already) is not
sent to the news search; a label never shown is a question, as in Telegram."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.app import BotConfig, build_application
from bot.terminal import OFFLINE_TOKEN, run_offline
from tests.bot.fakes import FakeNewsService


async def _lines(*items: str) -> AsyncIterator[str]:
    for item in items:
        yield item


async def _menu(update: Update, context: Any) -> None:
    assert update.effective_message is not None
    buttons = [[InlineKeyboardButton("Pause 1", callback_data="p1")]]
    await update.effective_message.reply_text(
        "Alert 1 (on)", reply_markup=InlineKeyboardMarkup(buttons)
    )


async def _pressed(update: Update, context: Any) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Alert paused.")
    resume = [[InlineKeyboardButton("Resume 1", callback_data="r1")]]
    await query.edit_message_text("Alert 1 (paused)", reply_markup=InlineKeyboardMarkup(resume))


def _builder(news: FakeNewsService):  # type: ignore[no-untyped-def]
    def build(base_url: str) -> Application:  # type: ignore[type-arg]
        config = BotConfig(token=OFFLINE_TOKEN, api_base_url=base_url, stream_edit_interval=0.0)
        application = build_application(config, news)
        application.add_handler(CommandHandler("menu", _menu), group=-1)
        application.add_handler(CallbackQueryHandler(_pressed), group=-1)
        return application

    return build


async def test_a_label_whose_button_was_edited_away_is_not_asked() -> None:
    news = FakeNewsService()
    output: list[str] = []
    lines = _lines("/menu\n", "Pause 1\n", "pause 1\n")
    await run_offline(_builder(news), lines=lines, write=output.append)
    assert output.count("(Alert paused.)") == 1  # pressed once
    assert "(The [pause 1] button is no longer there: nothing sent.)" in output
    assert news.calls == []


async def test_a_label_never_shown_is_a_question() -> None:
    news = FakeNewsService()
    await run_offline(_builder(news), lines=_lines("Pause 1\n"), write=[].append)
    assert [call.question for call in news.calls] == ["Pause 1"]
