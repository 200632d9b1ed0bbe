"""A "not found" answer shows its closest headlines once, and never calls them sources."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.answer_text import answer_as_text
from bot.emulator_html import parse_html
from bot.render import render_answer
from retrieval.not_found import NOT_FOUND_TEXT, not_found_text
from retrieval.types import Answer, AnswerMode
from tests.bot.fakes import make_answer

HEADLINES = [
    ("Rain in Oslo", "https://e.com/rain", "NRK", datetime(2024, 3, 1, tzinfo=UTC)),
    ("Chess final", None, None, None),
]


def _not_found() -> Answer:
    closest = make_answer("", HEADLINES).citations
    return make_answer(not_found_text(closest), HEADLINES, mode=AnswerMode.NOT_FOUND)


def test_chat_lists_closest_headlines_once() -> None:
    [html] = render_answer(_not_found())
    text = parse_html(html).text
    assert text == (
        f"{NOT_FOUND_TEXT}\n\nClosest headlines\n• Rain in Oslo — NRK, 1 Mar 2024\n• Chess final"
    )
    assert "Sources" not in text


def test_command_line_lists_closest_headlines_once() -> None:
    text = answer_as_text(_not_found())
    assert "Sources" not in text
    assert text.count("Rain in Oslo") == 1
    assert text == (
        f"{NOT_FOUND_TEXT}\n\nClosest headlines:\n"
        "[1] Rain in Oslo — NRK, 2024-03-01\n    https://e.com/rain\n[2] Chess final"
    )


def test_found_answers_keep_their_sources() -> None:
    answer = make_answer("It rained [1].", HEADLINES[:1])
    assert "Sources\n1. Rain in Oslo" in parse_html(render_answer(answer)[0]).text
    assert "Sources:\n[1] Rain in Oslo" in answer_as_text(answer)
