"""Which retrieved passages may stand as evidence for an answer (pure).

A passage counts by meaning (its embedding cosine to the question) or by words (most of the
question's content words in its title and text). The two fail differently: the default
model, all-MiniLM-L6-v2, reads English only, so a question and an article in Arabic or Greek
score low against each other however closely they match, while the keyword search ranks the
article first; and names the model never saw ("Kherson", a company's new product) carry
little meaning for it. Words alone are not enough for a one-word question: any article
naming "Egypt" would then be evidence for "Egypt?".
"""

from __future__ import annotations

from collections.abc import Sequence

from retrieval.extractive import matches_by_words
from retrieval.types import Passage


def is_evidence(passage: Passage, question_terms: Sequence[str], min_similarity: float) -> bool:
    """A passage close enough in meaning, or holding most of the question's words."""
    if passage.similarity >= min_similarity:
        return True
    return matches_by_words(question_terms, f"{passage.title} {passage.text}")
