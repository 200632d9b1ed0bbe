"""A URL on an internationalised host goes whole: no piece of its host is left behind, in
any script, composed or decomposed (letters written with combining marks), punycode too."""

from __future__ import annotations

import unicodedata

import pytest

from retrieval.plain_text import plain_text

HOSTS = [
    "пример.рф",  # Cyrillic
    "при\u0301мер.рф",  # Cyrillic with a combining acute (stress mark)
    "παράδειγμα.ελ",  # Greek
    "例子.中国",  # Chinese
    "xn--e1afmkfd.xn--p1ai",  # punycode
    "सरकार.भारत",  # Devanagari: vowel signs are combining marks
    "இந்தியா.இந்தியா",  # Tamil: virama and vowel signs
    "เว็บ.ไทย",  # Thai: a tone mark
    "می\u200cخواهم.ایران",  # Persian: a zero-width non-joiner inside a label
    "col·legi.cat",  # Catalan: the middle dot IDNA allows between two l's
    "über.de",
    "mañana.es",
    "новости.пример.рф",
]
# Each as written, and with its letters decomposed (NFD, as macOS file names and some
# copy-pastes give them): "ü" as "u" + U+0308.
FORMS = sorted({form for host in HOSTS for form in (host, unicodedata.normalize("NFD", host))})
URLS = [
    pattern.format(host)
    for host in FORMS
    for pattern in ("https://{}/x", "{}/x", "{}/новости/статья", "{}:8080/x", "{}?id=7")
]


@pytest.mark.parametrize("url", URLS)
def test_a_url_on_an_idn_host_goes_whole(url: str) -> None:
    for reply, expected in (
        (
            f"The firm apologised, see {url} for details [1].",
            "The firm apologised for details [1].",
        ),
        (f"The firm apologised ({url}) on Monday [1].", "The firm apologised on Monday [1]."),
        (f"Shares fell [2]. Read more at {url} [1].", "Shares fell [2]."),
        (f"Shares fell [2]. The firm apologised and {url} [1].", "Shares fell [2]."),
    ):
        assert plain_text(reply) == expected, reply


@pytest.mark.parametrize("host", FORMS)
def test_a_bare_idn_host_stays_whole(host: str) -> None:
    # A bare host is a name ("Amazon.com"), kept as written (the bot defuses it for Telegram).
    reply = f"The firm apologised to {host} readers [1]."
    assert plain_text(reply) == reply


@pytest.mark.parametrize(
    "reply",
    [
        "Did you see Amazon.com? Shares rose [1].",
        "Is it Booking.com?! Shares rose [1].",
        "Shares rose at Amazon.com#1 store, the chain said [1].",
        "Naïve readers of Café.fr liked the story [1].",
    ],
)
def test_hosts_before_a_question_mark_or_hash_stay(reply: str) -> None:
    assert plain_text(reply) == reply


def test_an_idn_email_address_goes_whole() -> None:
    for address in ("jürgen@über.de", unicodedata.normalize("NFD", "jürgen@über.de")):
        assert plain_text(f"Japan shrank [1]. Write to {address} for data.") == "Japan shrank [1]."
