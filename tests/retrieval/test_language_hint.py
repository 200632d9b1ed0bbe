"""A question in another language than the (English) news is told so, not "not found"."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from index.embedding import HashingEmbedder
from retrieval.answering import Answerer
from retrieval.not_found import (
    CLOSEST_HEADLINES,
    ENGLISH_ONLY_NOTE,
    ENGLISH_ONLY_TEXT,
    NOT_FOUND_TEXT,
    with_language_hint,
)
from retrieval.types import Answer, AnswerMode, Citation, Passage

GERMAN = "Was hat Biden zur Aussetzung der Benzinsteuer gesagt?"
KOREAN = "바이든은 유류세 면제에 대해 뭐라고 말했나요?"
ENGLISH = "What did Olaf Scholz say about Nord Stream?"


def passage(n: int, title: str, similarity: float) -> Passage:
    return Passage(
        chunk_id=n,
        article_id=n,
        title=title,
        source="CNN",
        published_at=datetime(2022, 6, 22, tzinfo=UTC),
        url=f"https://example.com/{n}",
        text=f"{title}. More text about it.",
        score=1.0 / n,
        similarity=similarity,
    )


# Far from the question as the English-only model reads it: no evidence.
FAR = [
    passage(1, "Biden calls for a three-month gas tax holiday", 0.21),
    passage(2, "Europe cannot live without Russian gas", 0.19),
]


async def ask(answerer: Answerer, question: str) -> Answer:
    return await answerer.answer(question, FAR, today=date(2022, 7, 1), query=question)


@pytest.mark.parametrize("question", [GERMAN, KOREAN])
async def test_not_found_in_another_language_says_questions_are_read_in_english(
    question: str,
) -> None:
    answer = await ask(Answerer(embedder=HashingEmbedder()), question)
    assert answer.mode is AnswerMode.NOT_FOUND
    assert answer.text.startswith(ENGLISH_ONLY_TEXT)
    assert NOT_FOUND_TEXT not in answer.text
    # The closest headlines stay: the first is the story asked about.
    assert CLOSEST_HEADLINES in answer.text
    assert [c.passage.chunk_id for c in answer.citations] == [1, 2]


async def test_english_question_with_foreign_names_is_plainly_not_found() -> None:
    answer = await ask(Answerer(embedder=HashingEmbedder()), ENGLISH)
    assert answer.text.startswith(NOT_FOUND_TEXT)
    assert ENGLISH_ONLY_TEXT not in answer.text


async def test_multilingual_model_gets_no_hint() -> None:
    model = HashingEmbedder(
        model_name="sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2"
    )
    answer = await ask(Answerer(embedder=model), GERMAN)
    assert answer.mode is AnswerMode.NOT_FOUND
    assert answer.text.startswith(NOT_FOUND_TEXT)


def _answered(similarity: float) -> Answer:
    cited = passage(1, "Biden calls for a three-month gas tax holiday", similarity)
    return Answer("Biden asked Congress to suspend the tax [1].", (Citation(1, cited),),
                  AnswerMode.EXTRACTIVE, query=GERMAN)  # fmt: skip


def test_answer_on_weak_evidence_carries_the_hint_last() -> None:
    hinted = with_language_hint(_answered(0.39), GERMAN)
    assert hinted.text == f"Biden asked Congress to suspend the tax [1].\n{ENGLISH_ONLY_NOTE}"
    assert hinted.citations == _answered(0.39).citations


def test_answer_on_strong_evidence_or_in_english_is_left_alone() -> None:
    assert with_language_hint(_answered(0.6), GERMAN) == _answered(0.6)
    english = dataclasses.replace(_answered(0.39), query=ENGLISH)
    assert with_language_hint(english, ENGLISH) == english
