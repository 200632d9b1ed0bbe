"""Which evidence passages the extractive composer may quote (pure, but for the statistics).

The composer quotes what is close in meaning; it cannot tell that an article on Ford's
plants does not answer a question about Tesla's, as a model can. So it quotes only
passages that
- name at least half of the names an English question asks about, under any of the ways
  news writes them ("Britain", "UK", "British"; `retrieval/name_variants.py`), and
- hold a share of the question's rare words, weighed by their rarity in the corpus
  and in part by that of their word family ("announce" by "announced" too;
  `retrieval/coverage.py`), which also checks lowercase and keyword questions ("tesla
  berlin factory") that have no capitalised names.
An LLM reads every evidence passage instead: it judges what they say.

Measured with all-MiniLM-L6-v2 and no LLM (`newsbot eval realtimeqa DIR --answers`, and
`--corpus` for corpora that do not cover the questions): the name variants took replies
holding the answer from 181 to 182 of 399 ("not found" 50 -> 47), answers quoting
unrelated news from 50 to 51 on the demo corpus and from 29 to 31 on AG News (US gas
prices of 2004 for a question on 2022's: the right country, the wrong year).
Passages after the first that hold much less of the question's rare-word weight are
often another story (Victoria's mask rule after England's), but dropping them cost
answers: 182 -> 170 replies holding the answer with a slack of 0.1, 179 with 0.25.
"""

from __future__ import annotations

from collections.abc import Sequence

from retrieval.coverage import (
    MIN_IDF_COVERAGE,
    TermStats,
    family_weights,
    idf_coverage,
    question_terms,
)
from retrieval.llm_reply import checkable_text
from retrieval.name_variants import name_groups, names_most_of
from retrieval.types import Passage


def quotable(
    question: str,
    query: str,
    evidence: Sequence[Passage],
    *,
    term_stats: TermStats | None,
    english: bool | None = None,
    min_coverage: float = MIN_IDF_COVERAGE,
) -> list[Passage]:
    """The passages of `evidence` the composer may quote, in order (maybe none). `english`:
    whether the question reads as English, when the caller has judged it (else judged here,
    `retrieval/name_variants.py`)."""
    chosen = list(evidence)
    groups = name_groups(question, query, term_stats, english=english)
    if groups:
        chosen = [p for p in chosen if names_most_of(checkable_text(p), groups)]
    terms = question_terms(query)
    if chosen and terms and term_stats is not None:
        weights = family_weights(terms, term_stats)
        chosen = [p for p in chosen if idf_coverage(weights, checkable_text(p)) >= min_coverage]
    return chosen
