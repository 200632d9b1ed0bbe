"""Why an alert matched: the article sentence closest to the topic (pure, cheap).

Only matched pairs get here. With an embedder, the sentences of each matched chunk are
embedded once (whatever number of subscriptions matched it) and the one nearest to the topic
wins; without, the sentence sharing the most topic words wins, and with none shared, the
first sentence of the best chunk (usually the lead of the passage).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index.protocols import Embedder, FloatMatrix
from index.sentences import split_sentences
from index.tokenize import tokenize

MAX_REASON_CHARS = 300


def clip_reason(sentence: str) -> str:
    """A sentence cut to MAX_REASON_CHARS at a word boundary, with an ellipsis."""
    if len(sentence) <= MAX_REASON_CHARS:
        return sentence
    cut = sentence[: MAX_REASON_CHARS - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def candidate_sentences(passage: str) -> list[str]:
    """The sentences a reason is chosen from; a passage with none yields itself."""
    return split_sentences(passage) or ([passage.strip()] if passage.strip() else [])


def lexical_choice(sentence_terms: Sequence[frozenset[str]], topic_terms: frozenset[str]) -> int:
    """Index of the sentence with the most distinct topic terms (earliest on ties, 0 if none)."""
    best, best_hits = 0, 0
    for index, terms in enumerate(sentence_terms):
        hits = len(topic_terms & terms)
        if hits > best_hits:
            best, best_hits = index, hits
    return best


def pick_reasons(
    requests: Sequence[tuple[int, int]],
    passages: Sequence[str],
    topic_terms: Sequence[frozenset[str]],
    topic_vectors: Sequence[FloatMatrix],
    embedder: Embedder | None = None,
) -> list[str]:
    """For each (topic index, passage index): the passage sentence that best explains the
    match, clipped. Each passage is split (and tokenised or embedded) once."""
    sentences: dict[int, list[str]] = {}
    for _, passage in requests:
        if passage not in sentences:
            sentences[passage] = candidate_sentences(passages[passage])
    if embedder is not None:
        choices = embedded_choices(
            [(sentences[p], topic_vectors[t]) for t, p in requests], embedder
        )
    else:
        tokens = {p: [frozenset(tokenize(x)) for x in s] for p, s in sentences.items()}
        choices = [lexical_choice(tokens[p], topic_terms[t]) for t, p in requests]
    clipped = {p: [clip_reason(x) for x in s] for p, s in sentences.items()}
    return [
        clipped[p][c] if clipped[p] else "" for (_, p), c in zip(requests, choices, strict=True)
    ]


def embedded_choices(
    requests: Sequence[tuple[Sequence[str], FloatMatrix]], embedder: Embedder
) -> list[int]:
    """For each (sentences, topic part vectors): index of the sentence nearest the topic.

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
    for sentences, topic in requests:
        if not sentences:
            choices.append(0)
            continue
        start = unique[tuple(sentences)]
        sims = np.atleast_2d(topic) @ vectors[start : start + len(sentences)].T
        choices.append(int(np.argmax(sims.max(axis=0))))
    return choices
