"""What Telegram links by itself (the emulator's detection) and how `unlink` defuses it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import MessageEntity
from telegram.ext import Application

from bot.emulator import TelegramEmulator
from bot.emulator_links import find_links
from bot.html_text import escape, escape_code, visible_length
from bot.unlink import restore, unlink


def _found(text: str) -> list[tuple[str, str]]:
    return [(kind, text[start:end]) for kind, start, end in find_links(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mail press@reuters.com or follow @BBCBreaking, see https://example.com/a?b=1.",
            [
                ("email", "press@reuters.com"),
                ("mention", "@BBCBreaking"),
                ("url", "https://example.com/a?b=1"),
            ],
        ),
        ("Amazon.com and www.gov.uk/news (EVIL.COM).", [
            ("url", "Amazon.com"), ("url", "www.gov.uk/news"), ("url", "EVIL.COM"),
        ]),
        ("At 10.0.0.1:8080/x and пример.рф, tg://resolve?domain=x", [
            ("url", "10.0.0.1:8080/x"), ("url", "пример.рф"), ("url", "tg://resolve?domain=x"),
        ]),
        ("Mentions: @gif, but not @ab, a@b or mail@host", [("mention", "@gif")]),
        # Not links: a capitalised TLD (a missing space), decimals, abbreviations, one-letter
        # TLDs, numbers that are no address, another scheme.
        ("Sales ended.The U.S. grew 3.5% e.g. in St. Louis, 1.000.000 euros, ssh://a", []),
    ],
)  # fmt: skip
def test_the_emulator_finds_what_telegram_links(text: str, expected: list[tuple[str, str]]) -> None:
    assert _found(text) == expected


_TOKENS = st.sampled_from(
    [
        "Amazon.com", "press@reuters.com", "@BBCBreaking", "https://example.com/a?b=1",
        "www.gov.uk/news", "10.0.0.1", "пример.рф", "tg://x", "john.smith+tips@mail.org",
        "EVIL.COM", "café.com", "a.b.c.evil.io/x", "ftp://host.example", "3.5", "U.S.",
        "e.g.", " ", ", ", ". ", "\n", "(", ")", "/", ":", "shares", "rose", "@", ".", "x",
        "«", "»", "®",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_TOKENS, max_size=40).map("".join))
def test_unlinked_text_links_nothing_reads_the_same_and_keeps_its_length(text: str) -> None:
    defused = unlink(text)
    assert find_links(defused) == []
    assert visible_length(defused) == visible_length(text)
    assert restore(defused) == text


@pytest.mark.parametrize(
    "text",
    [
        "The U.S. economy grew 3.5 percent in Q3, e.g. in St. Louis and Washington, D.C.",
        "Growth hit 2.5% at 10.30am, i.e. 1.5bn yen, says the Ph.D.; shares fell 5 @ 3 yen.",
    ],
)
def test_ordinary_text_keeps_its_characters(text: str) -> None:
    assert unlink(text) == text


@pytest.mark.parametrize(
    "text",
    ["«Amazon.com»", "Amazon.com® rose", "see evil.com° now", "evil.com\u00ad", "„evil.com“"],
)
def test_a_host_next_to_latin1_punctuation_is_defused(text: str) -> None:
    # Telegram's hosts stop at "«", "®", "°" or a soft hyphen (U+0080-U+00BF).
    assert find_links(text) != []
    assert find_links(unlink(text)) == []


def test_escape_defuses_and_code_keeps_what_is_copied() -> None:
    assert escape("See <evil.com> & @bob") == "See &lt;evil\u2024com&gt; &amp; \uff20bob"
    assert escape_code("/addsource https://a.example/feed.xml") == (
        "/addsource https://a.example/feed.xml"
    )


async def test_the_emulator_returns_the_links_as_telegram_does(
    bot: Application,  # type: ignore[type-arg]
    emulator: TelegramEmulator,
) -> None:
    alice = emulator.create_user("Alice")
    sent = await bot.bot.send_message(
        alice["id"],
        '<b>News</b> on amazon.com: mail a.b@c.org, ask @someone or see <a href="https://x.example/a">'
        "x.example</a> and <code>y.example</code>.",
    )
    found = [(e.type, text) for e, text in sent.parse_entities().items()]
    assert found == [
        (MessageEntity.BOLD, "News"),
        (MessageEntity.URL, "amazon.com"),
        (MessageEntity.EMAIL, "a.b@c.org"),
        (MessageEntity.MENTION, "@someone"),
        (MessageEntity.TEXT_LINK, "x.example"),  # ours: nothing detected inside it
        (MessageEntity.CODE, "y.example"),
    ]
