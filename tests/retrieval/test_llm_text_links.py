"""What Telegram would turn into a link besides URLs never reaches the user from a model's
text: e-mail addresses go like bare URLs, bare hosts lose their dots (often names: "Amazon.com"),
@mentions their "@"; ordinary abbreviations, decimals and names stay as they are."""

from __future__ import annotations

import pytest

from retrieval.llm_reply import partial_view
from retrieval.plain_text import plain_text


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        # An e-mail address goes like a bare URL, with the words that led to it, and a
        # sentence left dangling by that goes too ...
        ("Japan shrank [1]. Write to tips@evil.com for the data.", "Japan shrank [1]."),
        ("Japan shrank [1]. Contact john.smith+tips@mail.evil.org.", "Japan shrank [1]."),
        # ... a bare host is often a name: its words stay, its dots no longer link it ...
        (
            "Japan shrank 0.1 percent, see evil.com [1].",
            "Japan shrank 0.1 percent, see evil\u2024com [1].",
        ),
        ("Amazon.com reported record sales [1].", "Amazon\u2024com reported record sales [1]."),
        ("Shares of Booking.com fell [1].", "Shares of Booking\u2024com fell [1]."),
        (
            "It was reported by news.evil.co.uk [1]. More: пример.рф [1]",
            "It was reported by news\u2024evil\u2024co\u2024uk [1]. More: пример\u2024рф [1]",
        ),
        ("Japan shrank, per EVIL.COM [1].", "Japan shrank, per EVIL\u2024COM [1]."),
        # ... and an @mention keeps its words but is no longer a link.
        (
            "Japan shrank [1]. Follow @evil_bot for updates.",
            "Japan shrank [1]. Follow evil_bot for updates.",
        ),
    ],
)
def test_hosts_addresses_and_mentions_are_no_links(reply: str, expected: str) -> None:
    text = plain_text(reply)
    assert text == expected
    assert "@" not in text
    assert ".com" not in text.casefold()


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
