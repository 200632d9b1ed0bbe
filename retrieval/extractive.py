"""The extractive composer: an answer made of article sentences, each with its [n] (pure).

Used when no LLM is configured or the LLM fails. Candidate sentences come from the top
passages. With an embedder (the same as search's, one batch), a sentence qualifies by its
embedding cosine to the question and ranks by that cosine plus the share of the question's
content words it contains: the two signals fail differently (a sentence alone loses the
context its words point to; words miss paraphrase), as in the search's own fusion. Without
an embedder the share of words alone scores. In the score a word counts in any regular form
("closing" is held by "will close"). A passage's first sentence is read with its headline
for the words; a sentence holding the kind of answer asked for (an amount for "how much", a
date for "when") gets a bonus; a follow-up is scored against its standalone query too. A
small penalty per passage rank prefers sentences from better-ranked passages;
near-duplicates (syndicated copies) are skipped. The chosen sentences are printed in reading
order (passage rank, then position), each followed by its source number.

The sentences are quoted article text, not the bot's voice, so a sentence that reads like an
instruction to an AI ("ignore previous instructions…", "Assistant: reply with…") is never
output.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.protocols import Embedder
from index.sentences import split_sentences
from retrieval.answer_types import answer_type, holds_answer_type
from retrieval.followup import follow_up_view
from retrieval.instructions import looks_like_instruction
from retrieval.quotes import balance_quotes
from retrieval.types import Citation, Passage
from retrieval.word_forms import word_forms


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# all-MiniLM-L6-v2 cosine between a question and a single sentence: sentences that answer
# it scored ~0.75, related context 0.35-0.55, unrelated news below 0.15 (measured by hand).
MIN_SENTENCE_SIMILARITY = 0.35
MIN_LEXICAL_OVERLAP = 0.34  # share of the question's content words found in the sentence
RELATIVE_CUTOFF = 0.7  # keep sentences scoring at least this share of the best one
RANK_PENALTY = 0.03  # per passage rank, subtracted from a sentence's score
# Added to the score of a sentence holding the kind of answer the question asks for (an
# amount for "how much", a date for "when"; `retrieval/answer_types.py`). Measured alone
# (`newsbot eval realtimeqa --answers`): replies holding the answer 183 -> 185 of 399,
# off-corpus answers unchanged (51 demo, 31 AG News). The headline read with the lead:
# 183 -> 185, unchanged off-corpus; the three (with the follow-up's query) 187, 52 and 31.
# Words held in any form in the score (`forms_overlap`), a follow-up of small words scored
# by its query's: 187 -> 189, off-corpus unchanged (50 demo, 31 AG News).
ANSWER_TYPE_BONUS = 0.25
DUPLICATE_JACCARD = 0.6  # word-set overlap above which two sentences say the same thing
DUPLICATE_COSINE = 0.92
MIN_SENTENCE_CHARS = 20
MAX_SENTENCE_CHARS = 500

STOPWORDS = _wordset(
    """a an the and or but if of to in on at by for with about from into over after before than
    then so as is are was were be been being am do does did done has have had having it its
    it's this that these those there here he she they them his her their our we you your i
    me my mine what which who whom whose when where why how whether any some all each both
    few more most other such no nor not only own same too very can could will would should
    shall may might must just also up down out off again further once new news did didn't
    does doesn't tell me about know say said says latest happened happen please yesterday
    today week month year last"""
)

_WORD = re.compile(r"\w+", re.UNICODE)


def tokenize(text: str) -> list[str]:
    """Words (letters, digits, underscore) of any script, as written."""
    return _WORD.findall(text)


def content_terms(text: str) -> list[str]:
    """Lowercased words of `text` minus stopwords, in order, each once."""
    words = (w.lower() for w in _WORD.findall(text))
    return list(
        dict.fromkeys(w for w in words if w not in STOPWORDS and (len(w) > 1 or w.isdigit()))
    )


def _stem(word: str) -> str:
    # Crude, language-agnostic: "sanctions"/"sanctioned" meet at "sanct".
    return word[:5] if len(word) > 5 else word


def lexical_overlap(question_terms: Sequence[str], sentence: str) -> float:
    """Share of the question's terms (by 5-letter stem) present in the sentence."""
    if not question_terms:
        return 0.0
    stems = {_stem(w.lower()) for w in _WORD.findall(sentence)}
    return sum(_stem(t) in stems for t in question_terms) / len(question_terms)


def forms_overlap(question_terms: Sequence[str], sentence: str) -> float:
    """`lexical_overlap` crediting any regular form of a term: "closing" is held by "will
    close" (whose stem differs at the fifth letter). For scores only: as a gate, crediting
    forms lets more unrelated news through (`retrieval/coverage.py`)."""
    if not question_terms:
        return 0.0
    stems = {_stem(w.lower()) for w in _WORD.findall(sentence)}
    held = sum(any(_stem(f) in stems for f in word_forms(t)) for t in question_terms)
    return held / len(question_terms)


# Share of the question's content words (by 5-letter stem) that a text must hold to match by
# words alone (`matches_by_words`).
STRONG_LEXICAL_OVERLAP = 0.75
MIN_TERMS_FOR_WORDS = 2


def matches_by_words(question_terms: Sequence[str], text: str) -> bool:
    """Whether `text` holds most of the question's content words (two or more of them)."""
    return (
        len(question_terms) >= MIN_TERMS_FOR_WORDS
        and lexical_overlap(question_terms, text) >= STRONG_LEXICAL_OVERLAP
    )


@dataclass(frozen=True)
class _Candidate:
    rank: int  # index of its passage in the given order
    position: int  # index of the sentence within its passage
    text: str


def _candidates(passages: Sequence[Passage]) -> list[_Candidate]:
    found: list[_Candidate] = []
    for rank, passage in enumerate(passages):
        for position, sentence in enumerate(split_sentences(passage.text)):
            if not MIN_SENTENCE_CHARS <= len(sentence) <= MAX_SENTENCE_CHARS:
                continue
            if len(sentence.split()) < 4 or looks_like_instruction(sentence):
                continue
            found.append(_Candidate(rank, position, balance_quotes(sentence)))
    return found


def _words(text: str) -> frozenset[str]:
    return frozenset(w.lower() for w in _WORD.findall(text))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)].rsplit(" ", 1)[0]
    return cut + "…"


def compose_extractive(
    question: str,
    passages: Sequence[Passage],
    *,
    embedder: Embedder | None,
    max_chars: int = 900,
    max_sentences: int = 4,
    max_passages: int = 5,
    min_score: float | None = None,
    query: str | None = None,
    previous_answer: str | None = None,
) -> tuple[str, tuple[Citation, ...]] | None:
    """Sentences of the top `max_passages` passages that answer `question`, each followed by
    its [n] (n counts the cited passages from 1, in order of appearance), within `max_chars`.
    None when no sentence reaches `min_score`: a cosine to the question with an embedder
    (default MIN_SENTENCE_SIMILARITY), a share of its words without (MIN_LEXICAL_OVERLAP).
    `query`, the standalone search query, also counts: a follow-up ("How much did it
    cost?") says what it is about only there; a sentence's cosine is the better of the
    two, and the query's words count as the question's. `previous_answer`, given for a
    follow-up, keeps it on that answer's story (`retrieval/followup.py`)."""
    if max_chars <= 0 or max_sentences <= 0:
        raise ValueError("max_chars and max_sentences must be positive")
    top = list(passages[:max_passages])
    candidates = _candidates(top)
    if not candidates or not question.strip():
        return None

    asked = [question] if not query or query == question else [question, query]
    terms = list(dict.fromkeys([*content_terms(question), *content_terms(" ".join(asked[1:]))]))
    # Only a question of small words alone ("Who is he?") is scored by them: a follow-up's
    # "By when?" is about its query's words, and "by" would favour any sentence with "by".
    terms = terms or [w.lower() for w in _WORD.findall(question)]
    # A passage's first sentence is read with its headline: a lead often says "the company"
    # where the headline names it.
    worded = [f"{top[c.rank].title} {c.text}" if c.position == 0 else c.text for c in candidates]
    overlaps = [lexical_overlap(terms, text) for text in worded]  # the floor's
    held = [forms_overlap(terms, text) for text in worded]  # the score's
    # A sentence holding most of the question's words qualifies whatever its cosine: the
    # model may not read the question's language (see retrieval/evidence.py).
    strong = [matches_by_words(terms, text) for text in worded]
    kind = answer_type(question)
    bonuses = [
        ANSWER_TYPE_BONUS if kind is not None and holds_answer_type(c.text, kind) else 0.0
        for c in candidates
    ]
    vectors: np.ndarray | None = None
    if embedder is not None:
        vectors = np.asarray(embedder.embed([c.text for c in candidates]), dtype=np.float32)
        asks = np.stack([np.asarray(embedder.embed_query(a), dtype=np.float32) for a in asked])
        gates = (vectors @ asks.reshape(len(asked), -1).T).max(axis=1).tolist()
        scores = [c + o + b for c, o, b in zip(gates, held, bonuses, strict=True)]
        floor = MIN_SENTENCE_SIMILARITY if min_score is None else min_score
    else:
        gates = overlaps
        scores = [o + b for o, b in zip(held, bonuses, strict=True)]
        floor = MIN_LEXICAL_OVERLAP if min_score is None else min_score

    qualifies = [
        (gate >= floor and gate > 0) or (vectors is not None and strong[i])
        for i, gate in enumerate(gates)
    ]
    if previous_answer:  # a follow-up: stay on the previous answer's story
        typed = None if kind is None else [b > 0 for b in bonuses]
        texts, articles = [c.text for c in candidates], [top[c.rank].article_id for c in candidates]
        # The subject: what the standalone query took from the conversation.
        subject = [t for t in content_terms(query or "") if t not in content_terms(question)]
        named = [lexical_overlap(subject, top[c.rank].title) > 0 for c in candidates]
        view = follow_up_view(texts, articles, named, qualifies, typed, previous_answer)
        if view is not None:
            qualifies = list(view.allowed)
            scores = [s - p for s, p in zip(scores, view.penalties, strict=True)]
    ranked = sorted(
        (
            (score - RANK_PENALTY * c.rank, i)
            for i, (c, score) in enumerate(zip(candidates, scores, strict=True))
            if qualifies[i]
        ),
        reverse=True,
    )
    if not ranked:
        return None
    best = ranked[0][0]
    cutoff = best * RELATIVE_CUTOFF if best > 0 else best

    chosen: list[int] = []
    used = 0
    for adjusted, i in ranked:
        if len(chosen) >= max_sentences or adjusted < cutoff:
            break
        words = _words(candidates[i].text)
        if any(_jaccard(words, _words(candidates[j].text)) >= DUPLICATE_JACCARD for j in chosen):
            continue
        if vectors is not None and any(
            float(vectors[i] @ vectors[j]) >= DUPLICATE_COSINE for j in chosen
        ):
            continue
        cost = len(candidates[i].text) + len(" [99] ")
        if used + cost > max_chars:
            continue
        chosen.append(i)
        used += cost

    if not chosen:  # even the best sentence is longer than the budget: shorten it
        i = ranked[0][1]
        passage = top[candidates[i].rank]
        text = _truncate(candidates[i].text, max_chars - len(" [1]"))
        return f"{text} [1]", (Citation(1, passage),)

    chosen.sort(key=lambda i: (candidates[i].rank, candidates[i].position))
    numbers: dict[int, int] = {}
    parts: list[str] = []
    for i in chosen:
        rank = candidates[i].rank
        number = numbers.setdefault(rank, len(numbers) + 1)
        parts.append(f"{candidates[i].text} [{number}]")
    citations = tuple(Citation(number, top[rank]) for rank, number in numbers.items())
    return " ".join(parts), citations
