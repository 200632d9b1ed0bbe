"""Why an alert matched: the article sentence that says most about the topic (pure, cheap).

Only matched pairs get here. The matched chunk's sentences are cleaned and page furniture
is left out (credit lines, sign-up calls, notices about the page: `page_furniture`): it
never explains a match. Of the rest, the sentence holding the most of the topic's words
(by the anchors' rule, `named_words`) wins; among equals, with an embedder, the one nearest to
the topic in meaning (each chunk's sentences are embedded once, whatever number of
subscriptions matched it), without, the earliest. A chunk of furniture only gives "".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index.protocols import Embedder, FloatMatrix
from index.sentences import split_sentences
from index.tokenize import tokenize
from retrieval.named_words import text_keys, word_key
from retrieval.page_furniture import clean_sentence, is_furniture

MAX_REASON_CHARS = 300
_ENDS = (".", "!", "?", "…")
_CLOSERS = "\"'”’»)]"


def clip_reason(sentence: str) -> str:
    """A sentence cut to MAX_REASON_CHARS at a word boundary, with an ellipsis."""
    if len(sentence) <= MAX_REASON_CHARS:
        return sentence
    cut = sentence[: MAX_REASON_CHARS - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def candidate_sentences(passage: str) -> list[str]:
    """The sentences a reason is chosen from, cleaned, without page furniture (maybe none);
    headings and captions (pieces that end without a full stop, ? or !) only when the
    passage has nothing else: they name a topic's words without saying anything of it."""
    pieces = split_sentences(passage) or ([passage.strip()] if passage.strip() else [])
    cleaned = (clean_sentence(piece) for piece in pieces)
    sentences = [sentence for sentence in cleaned if sentence and not is_furniture(sentence)]
    return [s for s in sentences if _ends_a_sentence(s)] or sentences


def _ends_a_sentence(text: str) -> bool:
    return text.rstrip(_CLOSERS).endswith(_ENDS)


def lexical_choice(sentence_terms: Sequence[frozenset[str]], topic_terms: frozenset[str]) -> int:
    """Index of the sentence with the most distinct topic terms (earliest on ties, 0 if none)."""
    best, best_hits = 0, 0
    for index, terms in enumerate(sentence_terms):
        hits = len(topic_terms & terms)
        if hits > best_hits:
            best, best_hits = index, hits
    return best


def best_sentence(sentences: Sequence[str], topic_terms: frozenset[str]) -> str:
    """Of `sentences` (cleaned, no furniture), the one holding the most topic terms
    (tokens, stemmed here), the earliest on ties; "" for none. Clipped."""
    if not sentences:
        return ""
    keys = frozenset(word_key(term) for term in topic_terms)
    choice = lexical_choice([text_keys(s) for s in sentences], keys)
    return clip_reason(sentences[choice])


def pick_reasons(
    requests: Sequence[tuple[int, int]],
    passages: Sequence[str],
    topic_terms: Sequence[frozenset[str]],
    topic_vectors: Sequence[FloatMatrix],
    embedder: Embedder | None = None,
    fallbacks: Sequence[str] | None = None,
) -> list[str]:
    """For each (topic index, passage index): the passage sentence that best explains the
    match, clipped. Each passage is split (and tokenised or embedded) once.

    `fallbacks` (one text per request, the article's body): where the passage is page
    furniture only, the text's sentence holding the most topic words (`best_sentence`), so
    the stored reason is usable as it is and an alert never redoes this when it is sent."""
    sentences: dict[int, list[str]] = {}
    for _, passage in requests:
        if passage not in sentences:
            sentences[passage] = candidate_sentences(passages[passage])
    stems = {p: [text_keys(x) for x in s] for p, s in sentences.items()}
    topic_stems = [frozenset(word_key(term) for term in terms) for terms in topic_terms]
    hits = [[len(topic_stems[t] & x) for x in stems[p]] for t, p in requests]
    if embedder is not None:
        choices = embedded_choices(
            [(sentences[p], topic_vectors[t]) for t, p in requests], embedder, hits
        )
    else:
        choices = [lexical_choice(stems[p], topic_stems[t]) for t, p in requests]
    clipped = {p: [clip_reason(x) for x in s] for p, s in sentences.items()}
    reasons = [
        clipped[p][c] if clipped[p] else "" for (_, p), c in zip(requests, choices, strict=True)
    ]
    if fallbacks is not None:
        found: dict[tuple[int, str], str] = {}
        for i, ((topic, _), text) in enumerate(zip(requests, fallbacks, strict=True)):
            if not reasons[i]:
                key = (topic, text)
                if key not in found:
                    found[key] = best_sentence(candidate_sentences(text), topic_terms[topic])
                reasons[i] = found[key]
    return reasons


def embedded_choices(
    requests: Sequence[tuple[Sequence[str], FloatMatrix]],
    embedder: Embedder,
    hits: Sequence[Sequence[int]] | None = None,
) -> list[int]:
    """For each (sentences, topic part vectors): index of the sentence nearest the topic,
    among those with the most topic words when `hits` (per request, per sentence) is given.

    Identical sentence lists are embedded once.
    """
    unique: dict[tuple[str, ...], int] = {}
    texts: list[str] = []
    for sentences, _ in requests:
        key = tuple(sentences)
        if key not in unique:
            unique[key] = len(texts)
            texts.extend(key)
    vectors = embedder.embed(texts) if texts else np.zeros((0, 1), dtype=np.float32)
    choices = []
    for index, (sentences, topic) in enumerate(requests):
        if not sentences:
            choices.append(0)
            continue
        start = unique[tuple(sentences)]
        sims = (np.atleast_2d(topic) @ vectors[start : start + len(sentences)].T).max(axis=0)
        if hits is not None:
            most = max(hits[index])
            sims = np.where(np.asarray(hits[index]) == most, sims, -np.inf)
        choices.append(int(np.argmax(sims)))
    return choices


def shown_reason(stored: str, topic: str, body: str) -> str:
    """The reason an alert shows: the stored sentence cleaned, or, when it is page
    furniture (picked before furniture was told apart), the body sentence holding the most
    of the topic's words (`best_sentence`); "" when the body has none either."""
    reason = clean_sentence(stored)
    if reason and not is_furniture(reason):
        return reason
    return best_sentence(candidate_sentences(body), frozenset(tokenize(topic)))
