"""Review fixes of the plain-text sanitiser: a sentence naming a host or an @mention keeps
its words however it ends, and the hosts Telegram would still link lose their dots."""

from __future__ import annotations

import pytest

from retrieval.plain_text import plain_text


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        # A host or a mention only loses what links it: no sentence is dropped for it ...
        (
            "Shares of Amazon.com rose 5%, the company said [1].",
            "Shares of Amazon\u2024com rose 5%, the company said [1].",
        ),
        ("Booking.com is one of them [1].", "Booking\u2024com is one of them [1]."),
        ("Ping @durov about it, they said [1].", "Ping durov about it, they said [1]."),
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
        # Telegram links a top-level domain in any case but "Com" (a missing space) ...
        ("It fell, see evil.coM [1].", "It fell, see evil\u2024coM [1]."),
        ("It fell, see evil.cOm [1].", "It fell, see evil\u2024cOm [1]."),
        ("Sales ended.The firm grew [1].", "Sales ended.The firm grew [1]."),
        # ... a host of any number of labels ...
        (
            "It fell, see a.b.c.d.e.f.g.h.evil.com [1].",
            "It fell, see " + "\u2024".join("abcdefgh") + "\u2024evil\u2024com [1].",
        ),
        # ... and an IPv4 address, with or without a path; a number is no address.
        ("It fell, see 10.0.0.1 [1].", "It fell, see 10\u20240\u20240\u20241 [1]."),
        ("Get it at 8.8.8.8/x now [1].", "Get it at 8\u20248\u20248\u20248/x now [1]."),
        ("It cost 1.000.000.000 euros [1].", "It cost 1.000.000.000 euros [1]."),
    ],
)
def test_hosts_telegram_would_link(reply: str, expected: str) -> None:
    assert plain_text(reply) == expected
