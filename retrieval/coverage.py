"""Does a passage hold what is rare in the question? (pure, given the corpus statistics)

The extractive composer quotes what is close in meaning; an article about Ford's plants is
close to a question about Tesla's Berlin factory. Capitalised names catch that in "Is the
Tesla factory in Berlin closing?" (`retrieval/grounding.py`), not in "tesla berlin
factory" or "nvidia new chips". What the names check really asks is that a passage hold
the question's rare words, and the corpus says which words are rare: each of the
question's keyword terms weighs its inverse document frequency in the keyword index, and a
passage must hold a share of that weight (`MIN_IDF_COVERAGE`). A term the corpus never saw
(Tesla, in a corpus without it) is held by no passage and weighs as the question's rarest
known term.

Measured with all-MiniLM-L6-v2 and no LLM on the 399 RealTime QA questions: replies
holding the answer 182 -> 181 (`newsbot eval realtimeqa DIR --answers`; "not found"
26 -> 50), and asked of corpora that do not cover them (`--corpus`), answers quoting
unrelated news fell from 157 to 50 on the demo corpus and from 153 to 29 on AG News. At
0.4 they fall to 32 and 21, for one more answer lost. Weighing unseen terms in full cuts a
few more but loses questions asked in another language than the news ("Warum ist der
BBC-Chef Entwistle zurückgetreten?"), whose words the corpus never saw.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

from index.tokenize import tokenize
from retrieval.extractive import STOPWORDS
from retrieval.word_forms import word_forms

# Share of the question's IDF mass a passage must hold for the composer to quote it.
MIN_IDF_COVERAGE = 0.35


class TermStats(Protocol):
    """The keyword index's statistics (`HybridSearcher.document_frequencies`)."""

    def document_frequencies(self, terms: Sequence[str]) -> tuple[list[int], int]: ...


def question_terms(query: str) -> list[str]:
    """The keyword terms of a query (the keyword index's tokens), each once, in order,
    without the words that ask rather than say what about ("say", "latest", "news")."""
    return list(dict.fromkeys(t for t in tokenize(query) if t not in STOPWORDS))


def idf_weights(
    terms: Sequence[str], frequencies: Sequence[int], documents: int
) -> dict[str, float]:
    """Each term's inverse document frequency (positive). A term the corpus never saw is
    held by no passage, but how rare it is cannot be told: it weighs as the rarest term
    of the question the corpus knows, so that it counts without outweighing the rest
    (the words of a question in another language than the news would, otherwise)."""
    weights = {
        term: math.log((documents + 1) / (df + 0.5))
        for term, df in zip(terms, frequencies, strict=True)
    }
    known = [weights[t] for t, df in zip(terms, frequencies, strict=True) if df > 0]
    if not known:
        return weights
    rarest = max(known)
    return {term: min(weight, rarest) for term, weight in weights.items()}


def family_weights(terms: Sequence[str], stats: TermStats) -> dict[str, float]:
    """`idf_weights` half-way to each term's word family: the mean of the weight of its own
    form and that of its most frequent form. "announce" is a rare form of a common word
    (news writes "announced") and must not outweigh "Apple" in "What did Apple announce?".
    A passage still holds a term only in its own form: crediting any form took off-corpus
    answers from 51 to 69 on the demo corpus. Measured with the composer's other rules
    (`newsbot eval realtimeqa DIR --answers`, and `--corpus`): replies holding the answer
    187 -> 187 of 399, off-corpus answers 52 -> 50 (demo) and 31 -> 31 (AG News); the full
    family weight instead: 188, 54 and 32."""
    forms = {term: word_forms(term) for term in terms}
    every = list(dict.fromkeys(f for fs in forms.values() for f in fs))
    frequencies, documents = stats.document_frequencies(every)
    by_form = dict(zip(every, frequencies, strict=True))
    own = idf_weights(terms, [by_form[t] for t in terms], documents)
    family = idf_weights(terms, [max(by_form[f] for f in forms[t]) for t in terms], documents)
    return {term: (own[term] + family[term]) / 2 for term in terms}


def idf_coverage(weights: dict[str, float], text: str) -> float:
    """Share of the weights' total whose terms occur in `text` (1.0 without weights)."""
    total = sum(weights.values())
    if total <= 0:
        return 1.0
    held = set(tokenize(text))
    return sum(w for term, w in weights.items() if term in held) / total
