"""Which retrieved passages may stand as evidence for an answer (pure).

A passage counts by meaning (its embedding cosine to the question) or by words (most of the
question's content words in its title and text). The two fail differently: the default
model, all-MiniLM-L6-v2, reads English only, so a question and an article in Arabic or Greek
score low against each other however closely they match, while the keyword search ranks the
article first; and names the model never saw ("Kherson", a company's new product) carry
little meaning for it. Words alone are not enough for a one-word question: any article
naming "Egypt" would then be evidence for "Egypt?". A year the searched text names must be
in the passage too (`evidence_for`).
"""

from __future__ import annotations

from collections.abc import Sequence

from retrieval.extractive import content_terms, matches_by_words
from retrieval.grounding import mentions_a_year, years_named
from retrieval.llm_reply import checkable_text
from retrieval.types import Passage


def is_evidence(passage: Passage, question_terms: Sequence[str], min_similarity: float) -> bool:
    """A passage close enough in meaning, or holding most of the question's words."""
    if passage.similarity >= min_similarity:
        return True
    return matches_by_words(question_terms, f"{passage.title} {passage.text}")


def evidence_for(passages: Sequence[Passage], query: str, min_similarity: float) -> list[Passage]:
    """The passages that may stand as evidence for the searched text `query`."""
    terms = content_terms(query)
    evidence = [p for p in passages if is_evidence(p, terms, min_similarity)]
    # Years left in the searched text (a date phrase, "in December 2025", became the
    # plan's period and has its own caveat): "the 2030 World Cup" is not the 2018 one.
    years = years_named(query)
    if years:
        evidence = [p for p in evidence if mentions_a_year(checkable_text(p), _year(p), years)]
    return evidence


def _year(passage: Passage) -> int | None:
    return passage.published_at.year if passage.published_at else None
