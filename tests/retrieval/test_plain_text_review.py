"""Review fixes of the plain-text sanitiser: a sentence naming a host or an @mention keeps
its words as written (the bot defuses them for Telegram, `bot/unlink.py`), and a URL with a
path goes, an IPv4 address's too."""

from __future__ import annotations

import pytest

from retrieval.plain_text import plain_text


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        # A host or a mention is kept as written: no sentence is dropped for it ...
        (
            "Shares of Amazon.com rose 5%, the company said [1].",
            "Shares of Amazon.com rose 5%, the company said [1].",
        ),
        ("Booking.com is one of them [1].", "Booking.com is one of them [1]."),
        ("Ping @durov about it, they said [1].", "Ping @durov about it, they said [1]."),
        # ... and a URL inside a sentence leaves its ending, however it ends.
        (
            "Prices rose (https://evil.com/a), the ministry said [1].",
            "Prices rose, the ministry said [1].",
        ),
    ],
)
def test_a_sentence_keeps_its_words(reply: str, expected: str) -> None:
    assert plain_text(reply) == expected


def test_a_url_ending_a_sentence_still_takes_it() -> None:
    assert plain_text("Japan shrank [1]. The ministry said https://evil.com/a.") == (
        "Japan shrank [1]."
    )


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        # Bare hosts of any case and any number of labels, and bare IPv4 addresses, stay ...
        ("It fell, see evil.coM [1].", "It fell, see evil.coM [1]."),
        ("Sales ended.The firm grew [1].", "Sales ended.The firm grew [1]."),
        (
            "It fell, see a.b.c.d.e.f.g.h.evil.com [1].",
            "It fell, see a.b.c.d.e.f.g.h.evil.com [1].",
        ),
        ("It fell, see 10.0.0.1 [1].", "It fell, see 10.0.0.1 [1]."),
        ("It cost 1.000.000.000 euros [1].", "It cost 1.000.000.000 euros [1]."),
        # ... but an IPv4 address with a path or a port is a URL, and goes.
        ("Get it at 8.8.8.8/x now [1].", "Get it now [1]."),
        ("It fell, see 10.0.0.1:8080/a [1].", "It fell [1]."),
    ],
)
def test_hosts_and_addresses(reply: str, expected: str) -> None:
    assert plain_text(reply) == expected
