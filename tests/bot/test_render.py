"""Rendering answers, headlines and the overview as Telegram HTML."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.emulator_html import parse_html
from bot.html_text import visible_length
from bot.render import (
    format_date,
    link_markers,
    render_answer,
    render_headlines,
    render_partial,
    render_sources_overview,
)
from bot.services import Headline, OutletCount, Overview
from bot.unlink import restore
from retrieval.types import AnswerMode
from tests.bot.fakes import make_answer

SEOUL = (
    "Protests in Seoul",
    "https://news.example/seoul",
    "Wikinews",
    datetime(2024, 3, 1, 23, tzinfo=UTC),
)


def _texts(pieces: list[str]) -> list[str]:
    return [parse_html(piece).text for piece in pieces]


def _links(piece: str) -> list[tuple[str, str | None]]:
    parsed = parse_html(piece)
    return [(parsed.text[e.start : e.end], e.url) for e in parsed.entities if e.type == "text_link"]


def test_answer_links_markers_and_lists_sources() -> None:
    answer = make_answer(
        "Thousands marched [1]. Police said little [2].",
        [SEOUL, ("Police statement", None, None, None)],
    )
    [piece] = render_answer(answer)
    assert _texts([piece]) == [
        "Thousands marched [1]. Police said little [2].\n\n"
        "Sources\n"
        "1. Protests in Seoul — Wikinews, 1 Mar 2024\n"
        "2. Police statement"
    ]
    assert _links(piece) == [
        ("[1]", "https://news.example/seoul"),
        ("Protests in Seoul", "https://news.example/seoul"),
    ]


def test_dates_follow_the_bot_timezone() -> None:
    [piece] = render_answer(make_answer("x [1]", [SEOUL]), tz=ZoneInfo("Asia/Seoul"))
    assert "Wikinews, 2 Mar 2024" in parse_html(piece).text
    assert format_date(datetime(2024, 1, 5)) == "5 Jan 2024"


def test_hostile_text_and_titles_are_escaped() -> None:
    title = '<script>alert("x")</script> & <b>bold'
    answer = make_answer(
        "a < b && c > d </i> [1]", [(title, 'https://e.com/?q="<x>"&y=1', "A&B", None)]
    )
    [piece] = render_answer(answer)
    text = parse_html(piece).text
    assert "a < b && c > d </i> [1]" in text
    assert f"1. {title} — A&B" in text
    assert _links(piece)[0] == ("[1]", 'https://e.com/?q="<x>"&y=1')


def test_only_web_addresses_become_links() -> None:
    answer = make_answer("x [1]", [("Evil", "javascript:alert(1)", None, None)])
    assert _links(render_answer(answer)[0]) == []


def test_multi_number_markers_link_each_number() -> None:
    html = link_markers(
        "Both [1, 2] and [3].", {1: "https://a.example", 2: None, 3: "https://c.example"}
    )
    assert parse_html(html).text == "Both [1, 2] and [3]."
    assert _links(html) == [("1", "https://a.example"), ("[3]", "https://c.example")]


def test_empty_answer_says_not_found() -> None:
    pieces = render_answer(make_answer("", [], mode=AnswerMode.NOT_FOUND))
    assert _texts(pieces) == ["I could not find anything about that in the indexed news."]


def test_long_answer_splits_with_sources_whole_at_the_end() -> None:
    sentence = "The council debated the budget for many hours [1]. "
    answer = make_answer(sentence * 250, [SEOUL] * 3)
    pieces = render_answer(answer)
    texts = _texts(pieces)
    assert len(pieces) >= 3
    assert all(visible_length(t) <= 4096 for t in texts)
    assert texts[-1].endswith("3. Protests in Seoul — Wikinews, 1 Mar 2024")
    assert all(t.rstrip().endswith("[1].") for t in texts[:-1])


def test_sources_move_to_a_new_message_rather_than_split() -> None:
    answer = make_answer("x" * 4050 + " [1]", [SEOUL, SEOUL])
    texts = _texts(render_answer(answer))
    assert texts[0] == "x" * 4050 + " [1]"
    assert texts[1].startswith("Sources\n1. Protests in Seoul")


def test_partial_is_escaped_cut_and_marked() -> None:
    assert render_partial("  ") is None
    assert render_partial("a < b") == "a &lt; b …"
    partial = render_partial("word " * 2000)
    assert partial is not None
    assert visible_length(parse_html(partial).text) <= 4096


def test_headlines_and_overview() -> None:
    headlines = [
        Headline(
            "Chips & <AI>",
            source="CNN",
            published_at=datetime(2024, 2, 3, tzinfo=UTC),
            url="https://e.com/1",
        ),
        Headline("No link", source=None, published_at=None, url=None),
    ]
    assert _texts(render_headlines(headlines, "ai")) == [
        "Latest on ai\n• Chips & <AI> — CNN, 3 Feb 2024\n• No link"
    ]
    assert _texts(render_headlines([], "<x>")) == ["I have no recent articles about <x>."]
    overview = Overview((OutletCount("A&B", 2), OutletCount("C", 1)), 3, SEOUL[3], SEOUL[3])
    assert _texts(render_sources_overview(overview)) == [
        "Indexed news\n3 articles from 2 outlets, published 1 Mar 2024.\n\n"
        "• A&B: 2 articles\n• C: 1 article"
    ]
    # Articles with no outlet are counted on their own line: the numbers add up.
    partial = Overview((OutletCount("A&B", 2), OutletCount("C", 1)), 9, SEOUL[3], SEOUL[3])
    assert _texts(render_sources_overview(partial))[0].endswith(
        "• A&B: 2 articles\n• C: 1 article\n• no outlet named: 6 articles"
    )


def test_many_headlines_split_between_lines() -> None:
    headlines = [
        Headline("t" * 250, source="CNN", published_at=None, url=f"https://e.com/{i}")
        for i in range(40)
    ]
    texts = _texts(render_headlines(headlines))
    assert len(texts) > 1
    assert sum(t.count("• ") for t in texts) == 40


_TOKENS = st.sampled_from(
    [*"ab c.!?\n<&>\"'😀é", "[1]", "[2]", "[1, 2]", "[9]", "word", "\n\n", ". ", "</b>", "&amp;"]
)
_TEXT = st.lists(_TOKENS, max_size=1500).map("".join)
_TITLE = st.lists(_TOKENS, min_size=1, max_size=60).map("".join)
_URL = st.sampled_from([None, "https://e.com/a", 'https://e.com/?q="<x>"&y=1', "ftp://e.com"])
_SOURCE = st.tuples(_TITLE, _URL, st.sampled_from([None, "CNN", "A&B <c>"]), st.none())


def _norm(text: str) -> str:
    return " ".join(text.split())


@settings(max_examples=150, deadline=None)
@given(
    text=_TEXT,
    sources=st.lists(_SOURCE, max_size=4),
    limit=st.integers(min_value=450, max_value=4096),
)
def test_rendered_answers_are_valid_fit_and_keep_all_text(
    text: str, sources: list[tuple[str, str | None, str | None, None]], limit: int
) -> None:
    answer = make_answer(text, sources)
    pieces = render_answer(answer, limit=limit)
    # Raises if the emulator would refuse a piece; text defused for Telegram ("a․word",
    # `bot/unlink.py`) in its real characters again.
    texts = [restore(t) for t in _texts(pieces)]
    assert all(0 < visible_length(t) <= limit for t in texts)
    lines = [
        f"{n}. {_norm(title) or 'Untitled'}" + (f" — {outlet}" if outlet else "")
        for n, (title, _url, outlet, _date) in enumerate(sources, start=1)
    ]
    expected = _norm(text) or "I could not find anything about that in the indexed news."
    if lines:
        expected += " Sources " + " ".join(lines)
    assert _norm(" ".join(texts)) == _norm(expected)
    for line in lines:  # a source line never straddles two messages
        assert any(_norm(line) in _norm(t) for t in texts)
