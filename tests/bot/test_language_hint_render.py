"""The chat and the command line show the English-only hint with the closest headlines."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.answer_text import answer_as_text
from bot.emulator_html import parse_html
from bot.render import render_answer
from index.embedding import HashingEmbedder
from retrieval.answering import Answerer
from retrieval.not_found import CLOSEST_HEADLINES, ENGLISH_ONLY_TEXT
from retrieval.types import Passage

QUESTION = "Was hat Biden zur Aussetzung der Benzinsteuer gesagt?"
GAS_TAX = Passage(
    chunk_id=1,
    article_id=1,
    title="Biden calls for a three-month gas tax holiday",
    source="CNN",
    published_at=datetime(2022, 6, 22, tzinfo=UTC),
    url="https://example.com/gas-tax",
    text="President Biden called on Congress to suspend the federal gas tax.",
    score=1.0,
    similarity=0.2,
)


async def test_chat_and_command_line_show_the_hint_with_the_headlines() -> None:
    answerer = Answerer(embedder=HashingEmbedder())
    answer = await answerer.answer(QUESTION, [GAS_TAX], today=date(2022, 7, 1), query=QUESTION)
    [html] = render_answer(answer)
    assert parse_html(html).text == (
        f"{ENGLISH_ONLY_TEXT}\n\nClosest headlines\n"
        "• Biden calls for a three-month gas tax holiday — CNN, 22 Jun 2022"
    )
    assert answer_as_text(answer) == (
        f"{ENGLISH_ONLY_TEXT}\n\n{CLOSEST_HEADLINES}\n"
        "[1] Biden calls for a three-month gas tax holiday — CNN, 2022-06-22\n"
        "    https://example.com/gas-tax"
    )
