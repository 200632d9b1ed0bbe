"""E-mail addresses in a model's text go like bare URLs; bare hosts and @mentions are often
names ("Amazon.com", "@BBCBreaking") and stay as they are in `Answer.text` (the bot defuses
them where messages leave for Telegram: `bot/unlink.py`); ordinary abbreviations, decimals
and names stay as they are."""

from __future__ import annotations

import pytest

from retrieval.llm_reply import partial_view
from retrieval.plain_text import plain_text


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        # An e-mail address goes like a bare URL, with the words that led to it, and a
        # sentence left dangling by that goes too.
        ("Japan shrank [1]. Write to tips@evil.com for the data.", "Japan shrank [1]."),
        ("Japan shrank [1]. Contact john.smith+tips@mail.evil.org.", "Japan shrank [1]."),
    ],
)
def test_email_addresses_go(reply: str, expected: str) -> None:
    text = plain_text(reply)
    assert text == expected
    assert "@" not in text


@pytest.mark.parametrize(
    "reply",
    [
        # A bare host or an @mention is a name: the real text, for every consumer.
        "Japan shrank 0.1 percent, see evil.com [1].",
        "Amazon.com reported record sales [1].",
        "Shares of Booking.com fell [1].",
        "It was reported by news.evil.co.uk [1]. More: пример.рф [1]",
        "Japan shrank, per EVIL.COM [1].",
        "Japan shrank [1]. Follow @evil_bot for updates.",
    ],
)
def test_hosts_and_mentions_stay_as_written(reply: str) -> None:
    assert plain_text(reply) == reply


@pytest.mark.parametrize(
    "text",
    [
        "The U.S. economy grew 3.5 percent in Q3, e.g. in St. Louis and Washington, D.C. [1].",
        "Growth hit 2.5% at 10.30am, i.e. 1.5bn yen, a.k.a. a record, says the Ph.D. [1].",
        "Output rose in the U.S. It also rose in the U.K. [1]",
        "Sales ended.The firm uses Node.js and filed report.pdf with No.1 rank [1].",
        "Shares fell 5 @ 3 yen and Mr. Smith met Gen. Lee at 5 p.m. on Jan. 3 [1].",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert plain_text(text) == text


def test_streamed_partials_show_no_address() -> None:
    reply = "Japan has entered a recession [1]. Mail tips@evil.com now [1]. It shrank [1]."
    views = [partial_view(reply[:end], 2) for end in range(1, len(reply) + 1)]
    assert views[-1] == "Japan has entered a recession [1]. It shrank [1]."
    assert not any(v is not None and "evil.com" in v for v in views)
