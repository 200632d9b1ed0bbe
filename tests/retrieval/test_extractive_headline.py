"""The composer reads a passage's first sentence with its headline (retrieval/extractive.py):
a lead says "the company" where the headline names it."""

from __future__ import annotations

from dataclasses import replace

from retrieval.extractive import compose_extractive
from tests.retrieval.test_extractive import TableEmbedder, passage

LEAD = "During a media event in Cupertino, the company released its long awaited software kit."
OTHER = "Analysts expect more products from Apple before the end of the year."


def test_the_headline_counts_for_the_lead_sentence() -> None:
    # By cosine and its own words the other sentence wins; with "Apple releases …" read
    # before it, the lead holds all of the question's words and is quoted.
    article = replace(passage(1, f"{LEAD} {OTHER}"), title="Apple releases iPhone SDK")
    result = compose_extractive(
        "What did Apple release?",
        [article],
        embedder=TableEmbedder({LEAD: 0.45, OTHER: 0.50}),
        max_sentences=1,
    )
    assert result is not None
    assert result[0] == f"{LEAD} [1]"


def test_the_headline_does_not_count_for_later_sentences() -> None:
    article = replace(passage(1, f"{OTHER} {LEAD}"), title="Apple releases iPhone SDK")
    result = compose_extractive(
        "What did Apple release?",
        [article],
        embedder=TableEmbedder({LEAD: 0.45, OTHER: 0.50}),
        max_sentences=1,
    )
    assert result is not None
    assert result[0] == f"{OTHER} [1]"
