"""Which evidence passages the extractive composer may quote (pure, but for the statistics).

The composer quotes what is close in meaning; it cannot tell that an article on Ford's
plants does not answer a question about Tesla's, as a model can. So it quotes only
passages that
- name at least half of the names the question asks about (`names_most`), and
- hold a share of the question's rare words, weighed by their rarity in the corpus
  (`retrieval/coverage.py`), which also checks lowercase and keyword questions ("tesla
  berlin factory") that have no capitalised names.
An LLM reads every evidence passage instead: it judges what they say.
"""

from __future__ import annotations

from collections.abc import Sequence

from retrieval.coverage import (
    MIN_IDF_COVERAGE,
    TermStats,
    idf_coverage,
    idf_weights,
    question_terms,
)
from retrieval.grounding import names_most, names_named
from retrieval.llm_reply import checkable_text
from retrieval.types import Passage


def quotable(
    question: str,
    query: str,
    evidence: Sequence[Passage],
    *,
    term_stats: TermStats | None,
    min_coverage: float = MIN_IDF_COVERAGE,
) -> list[Passage]:
    """The passages of `evidence` the composer may quote, in order (maybe none)."""
    chosen = list(evidence)
    names = names_named(question, query)
    if names:
        chosen = [p for p in chosen if names_most(checkable_text(p), names)]
    terms = question_terms(query)
    if chosen and terms and term_stats is not None:
        weights = idf_weights(terms, *term_stats.document_frequencies(terms))
        chosen = [p for p in chosen if idf_coverage(weights, checkable_text(p)) >= min_coverage]
    return chosen
