"""Digest lines: an article's clean headline, and a lead sentence only when it is about it."""

from __future__ import annotations

import pytest

from retrieval.assistant import digest
from retrieval.headlines import headline, lead
from retrieval.types import Passage


def article(
    title: str, text: str, *, source: str = "CNN", url: str | None = None, n: int = 1
) -> Passage:
    return Passage(
        chunk_id=100 + n,
        article_id=n,
        title=title,
        source=source,
        published_at=None,
        url=url,
        text=text,
        score=1.0,
    )


@pytest.mark.parametrize(
    ("title", "source", "clean"),
    [
        ("Artemis 1: behind Nasa's mission | The Week UK", "The Week",
         "Artemis 1: behind Nasa's mission"),
        ("Floods in Pakistan - CNN", "CNN", "Floods in Pakistan"),
        ("Ukraine war - what we know", "CNN", "Ukraine war - what we know"),
        ("The water crisis in Jackson has gotten so bad, the city ...", "CNN",
         "The water crisis in Jackson has gotten so bad, the city…"),
    ],
)  # fmt: skip
def test_headline_is_the_title_clean(title: str, source: str, clean: str) -> None:
    assert headline(article(title, "Unrelated body text.", source=source)) == clean


def test_a_title_derived_from_a_newsletter_plug_gives_way_to_the_first_real_sentence() -> None:
    text = (
        "Sign up for CNN’s Wonder Theory science newsletter. Explore the universe with news on "
        "fascinating discoveries.\n\nCNN —\n\nThe uncrewed Artemis I mission will get another "
        "attempt at launching on Saturday. The launch window opens at 2:17 p.m."
    )
    url = "https://www.cnn.com/2022/08/30/world/artemis-1-nasa-update-scn/index.html"
    passage = article("Sign up for CNN’s Wonder Theory science newsletter.", text, url=url)
    assert headline(passage) == (
        "The uncrewed Artemis I mission will get another attempt at launching on Saturday."
    )
    assert lead(passage) == ""  # the headline is itself a sentence of the opening


def test_a_derived_title_without_a_url_is_the_opening_sentence_without_its_dateline() -> None:
    passage = article("CNN — A shipment of baby wipes turned out…", "CNN — A shipment of baby "
                      "wipes turned out to be cocaine. Officers seized it.")  # fmt: skip
    assert headline(passage) == "A shipment of baby wipes turned out to be cocaine."


def test_a_lead_about_the_headline_follows_it_without_a_dateline() -> None:
    passage = article(
        "Water crisis in Jackson, Mississippi",
        "(CNN) Recent rain has left Jackson without safe water. Schools closed.",
    )
    assert lead(passage) == "Recent rain has left Jackson without safe water."
    widened = article("Storm hits the coast", "Before. CNN — The storm hit the coast. More.")
    widened = Passage(**{**widened.__dict__, "span": (8, 44)})
    assert lead(widened) == "The storm hit the coast."


def test_boilerplate_leads_are_left_out() -> None:
    consent = article(
        "Quiz of The Week: 5 – 11 November | The Week UK",
        "We will use the details you have shared to manage your registration. You agree to "
        "the processing of this information. Good luck!",
        source="The Week",
    )
    assert headline(consent) == "Quiz of The Week: 5 – 11 November"
    assert lead(consent) == ""


def test_a_long_lead_is_cut_at_a_word() -> None:
    passage = article("Storm report", "The storm " + "word " * 100 + "end.")
    assert len(lead(passage, limit=50)) <= 50
    assert lead(passage, limit=50).endswith("…")


def test_digest_lines_are_headlines_with_a_lead_when_it_is_about_them() -> None:
    text, citations = digest(
        [
            article("Storm hits the coast | Wire", "CNN — The storm hit the coast at dawn.", n=1),
            article("Sign up for our newsletter", "Sign up for our newsletter. Rates rose.", n=2),
        ],
        "News from 15 Nov 2024:",
    )
    assert text.splitlines() == [
        "News from 15 Nov 2024:",
        "• Storm hits the coast — The storm hit the coast at dawn. [1]",
        "• Sign up for our newsletter. [2]",
    ]
    assert [c.passage.article_id for c in citations] == [1, 2]


@pytest.mark.parametrize(
    "title",
    [
        "Floods hit Spain and...",  # the outlet's title is the opening, cut with "..."
        "Floods hit Spain - CNN",  # the opening once the site suffix is cut
    ],
)
def test_a_title_taken_from_the_opening_is_not_listed_twice(title: str) -> None:
    passage = article(title, "Floods hit Spain and kill many people. More rain is due.")
    text, _ = digest([passage], "Top stories")
    assert text.count("Floods hit Spain and kill many people.") == 1
    assert lead(passage) == ""
