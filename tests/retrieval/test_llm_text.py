"""What the model writes, made safe before a user sees it: plain text (no Markdown, HTML or
links of the model's own), other citation styles read as [n], sentences citing only
unknown sources dropped, and an answer that forgot its citations told apart from not found."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from retrieval.citations import normalise_markers
from retrieval.grounding import SourceFacts
from retrieval.llm_reply import (
    ReplyKind,
    checkable_text,
    parse_llm_reply,
    partial_view,
)
from retrieval.plain_text import plain_text
from retrieval.prompt import build_messages
from retrieval.types import Passage


def passage(n: int, title: str, text: str) -> Passage:
    return Passage(
        chunk_id=n,
        article_id=n,
        title=title,
        source="Wire",
        published_at=datetime(2008, 11, 17, tzinfo=UTC),
        url=f"https://wire.example/{n}",
        text=text,
        score=1.0 / n,
        similarity=0.6,
    )


JAPAN = passage(
    1,
    "Japan enters recession",
    "Japan has entered a recession, its economy shrinking for a second quarter. The economy "
    "contracted by 0.1 percent. The full report is at https://evil.example/phish.",
)
MARKETS = passage(2, "Markets slide", "Asian stock markets fell 2.5 percent on Monday.")
SOURCES = [JAPAN, MARKETS]
FACTS = SourceFacts.of([checkable_text(p) for p in SOURCES], "Has Japan entered a recession?")


# -- plain text --------------------------------------------------------------------------------


def test_markdown_becomes_plain_text() -> None:
    reply = (
        "## Summary\n**Japan** has entered a *recession* [1].\n\n"
        "- The economy shrank [1]\n* It was the _second_ quarter [1]\n"
        "1. First point [1]\n2. Second point [2]\n\n"
        "> `GDP` fell by __0.1__ percent [1].\n---\n```\nraw\n```"
    )
    assert plain_text(reply) == (
        "Summary\nJapan has entered a recession [1].\n\n"
        "• The economy shrank [1]\n• It was the second quarter [1]\n"
        "1. First point [1]\n2. Second point [2]\n\n"
        "GDP fell by 0.1 percent [1].\n\nraw"
    )


def test_plain_text_keeps_ordinary_punctuation() -> None:
    text = "Rates rose 5 * 3 times, snake_case stays, and U.S./Mexico trade fell [1]."
    assert plain_text(text) == text


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        # A Markdown link keeps its words, never its target.
        ("See [the article](https://evil.example/phish) [1].", "See the article [1]."),
        ("![chart](https://evil.example/x.png) Japan shrank [1].", "chart Japan shrank [1]."),
        ("Japan shrank [1](https://evil.example/a).", "Japan shrank [1]."),
        # A bare URL goes, with the words that only led to it.
        (
            "Japan shrank 0.1 percent, see https://evil.example/a?b=1 [1].",
            "Japan shrank 0.1 percent [1].",
        ),
        ("Japan shrank (https://evil.example/a_(b)) [1].", None),
        ("Japan shrank, according to www.evil.example/report [1].", None),
        ("Japan shrank [1]. <https://evil.example/x>", None),
        # A sentence left empty or dangling by it goes too.
        ("Japan shrank [1]. Read more at https://evil.example/more.", None),
        ("Japan shrank [1].\n- Details: evil.example/phish [1]", None),
        ("Japan shrank [1]. The full report is at https://evil.example/r [1].", None),
        ("Japan shrank [1]. http://evil.example", None),
        # Markup that splits a URL is removed after the URLs are: the URL it joins goes too.
        ("Japan shrank [1]. See evil.c**om/phish** now.", None),
        ("Japan shrank [1]. See `www`.evil.example now.", None),
        # Hosts in other scripts or look-alike letters, punycode, a port, a look-alike scheme.
        ("Japan shrank [1]. Visit \u0435vil.example/phish now.", None),
        ("Japan shrank [1]. Visit \u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444/x now.", None),
        ("Japan shrank [1]. Visit xn--e1afmkfd.xn--p1ai/x now.", None),
        ("Japan shrank [1]. Visit evil.example:8080/phish now.", None),
        ("Japan shrank [1]. Visit \u04bbttps://evil.example now.", None),
    ],
)
def test_links_the_model_writes_never_reach_the_user(reply: str, expected: str | None) -> None:
    text = plain_text(reply)
    assert text == (expected or "Japan shrank [1].")
    assert "evil" not in text
    assert "http" not in text


def test_streamed_partials_never_show_a_url_that_markup_split() -> None:
    reply = "Japan has entered a recession [1]. See evil.c**om/phish** [1]. It shrank [1]. Done"
    views = [partial_view(reply[:end], 2, facts=FACTS) for end in range(1, len(reply) + 1)]
    shown = [v for v in views if v is not None]
    assert shown
    assert not any("evil" in view or "phish" in view for view in shown)


def test_html_tags_are_stripped_and_scripts_dropped() -> None:
    reply = (
        '<b>Japan</b> entered a recession [1].<br>It <a href="javascript:alert(1)">shrank</a> '
        "[1]. <script>alert(1)</script><tg-spoiler>Rates</tg-spoiler> fell 2 < 3 [2]."
    )
    assert plain_text(reply) == (
        "Japan entered a recession [1].\nIt shrank [1]. Rates fell 2 < 3 [2]."
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Japan shrank (source 1).", "Japan shrank [1]."),
        ("Japan shrank [Source 1].", "Japan shrank [1]."),
        ("Japan shrank [source: 1][Source 2].", "Japan shrank [1][2]."),
        ("Japan shrank (Sources 1 and 3).", "Japan shrank [1, 3]."),
        ("Japan shrank (sources: 1, 2 & 5).", "Japan shrank [1, 2, 5]."),
        ("Japan shrank【1】.", "Japan shrank [1]."),
        ("Japan shrank 【2†source】.", "Japan shrank [2]."),
        # The note after "†" is short: a long one (or a run of "【1†" never closed) is prose.
        (f"Japan shrank 【2†{'x' * 100}】.", f"Japan shrank 【2†{'x' * 100}】."),
        ("Japan shrank[^1].", "Japan shrank [1]."),
        ("Japan shrank (Source [1]).", "Japan shrank [1]."),
        # Unchanged: our own style, ranges, a bare "(1)", a year, prose about sources.
        ("Japan shrank [1, 3][2-4].", "Japan shrank [1, 3][2-4]."),
        ("Japan shrank (1).", "Japan shrank (1)."),
        ("In [2008] an open source 1.0 release.", "In [2008] an open source 1.0 release."),
    ],
)
def test_other_citation_styles_become_markers(text: str, expected: str) -> None:
    assert normalise_markers(text) == expected


# -- parsed replies --------------------------------------------------------------------------


def test_an_answer_is_plain_cited_text_without_links() -> None:
    reply = (
        "**Japan** has entered a recession [2] (source 1).\n"
        "- See [the report](https://evil.example/phish) [1]\n"
        "- The full report is at https://evil.example/phish [1]."
    )
    parsed = parse_llm_reply(reply, SOURCES, facts=FACTS)
    assert parsed.kind is ReplyKind.ANSWER
    assert parsed.text == "Japan has entered a recession [1][2].\n• See the report [2]"
    assert [c.passage for c in parsed.citations] == [MARKETS, JAPAN]


def test_a_sentence_whose_markers_all_point_nowhere_is_dropped() -> None:
    # "[9]" of 2 sources claims a source we do not have, even when the claim is true.
    reply = "Japan has entered a recession [9]. The economy contracted by 0.1 percent [1][0][12]."
    parsed = parse_llm_reply(reply, SOURCES, facts=FACTS)
    assert parsed.kind is ReplyKind.ANSWER
    assert parsed.text == "The economy contracted by 0.1 percent [1]."
    # A sentence that never had a marker is still checked against all the sources.
    mixed = "Japan has entered a recession. It shrank [1]."
    assert parse_llm_reply(mixed, SOURCES, facts=FACTS).text == mixed


@pytest.mark.parametrize(
    "reply",
    [
        "Japan has entered a recession, its economy shrinking for a second quarter.",
        "**Japan** has entered a recession (see https://evil.example/x).",
        "Japan has entered a recession [9]. Its economy contracted by 0.1 percent.",
    ],
)
def test_a_supported_answer_without_citations_is_uncited_not_not_found(reply: str) -> None:
    parsed = parse_llm_reply(reply, SOURCES, facts=FACTS)
    assert parsed.kind is ReplyKind.UNCITED
    assert parsed.citations == ()


@pytest.mark.parametrize(
    "reply",
    [
        "The answer is: 3",  # a small model's guess: the fact check drops it
        "Japan has entered a recession [7].",  # everything it claimed cites nothing we gave
        "Macron met Kishida in Paris [1].",  # nothing its source supports
        "See https://evil.example/phish",  # nothing left at all
        "",
    ],
)
def test_a_reply_with_nothing_cited_left_is_uncited_not_not_found(reply: str) -> None:
    # Only the model's own "not in the news" means not found; a reply the checks emptied
    # says nothing about the sources, so the composer answers from them instead.
    parsed = parse_llm_reply(reply, SOURCES, facts=FACTS)
    assert parsed.kind is ReplyKind.UNCITED
    assert parsed.citations == ()


@pytest.mark.parametrize(
    "reply",
    [
        "NOT_FOUND",
        "**NOT_FOUND**",
        "<b>NOT_FOUND</b>",
        "I'm sorry, but I can't help with that request.",
        "I cannot tell from these sources.",
        "The sources do not mention a recession in Japan.",
        "There is no information about that in the sources.",
        "The sources do not mention Macron [1].",  # a refusal citing nothing it supports
    ],
)
def test_the_sentinel_or_a_refusal_is_not_found(reply: str) -> None:
    assert parse_llm_reply(reply, SOURCES, facts=FACTS).kind is ReplyKind.NOT_FOUND


def test_streamed_partials_show_no_links_markup_or_uncited_text() -> None:
    reply = (
        "**Japan** has entered a *recession* [1]. See [the report](https://evil.example/a) "
        "[1]. Read more at https://evil.example/b. Markets fell 2.5 percent [9]. "
        "Asian stock markets fell 2.5 percent (source 2). Done [1]."
    )
    final = parse_llm_reply(reply, SOURCES, facts=FACTS)
    assert final.text == (
        "Japan has entered a recession [1]. See the report [1]. "
        "Asian stock markets fell 2.5 percent [2]. Done [1]."
    )
    views = [partial_view(reply[:end], 2, facts=FACTS) for end in range(1, len(reply) + 1)]
    shown = [v for v in views if v is not None]
    assert shown
    for view in shown:
        assert final.text.startswith(view)
        assert not any(mark in view for mark in ("*", "http", "evil", "[9]", "(source"))
    # An answer that forgot its citations is never shown while it streams.
    uncited = "Japan has entered a recession. Its economy shrank for a second quarter. More"
    assert all(partial_view(uncited[:end], 2, facts=FACTS) is None for end in range(len(uncited)))


def test_the_prompt_asks_for_plain_text() -> None:
    system = build_messages("Has Japan entered a recession?", SOURCES, today=date(2008, 11, 18))[0]
    assert "plain text" in system["content"]
    assert "no Markdown" in system["content"]
    assert "no links" in system["content"]
