"""The composer's sentence scores credit a word in any regular form, and a follow-up of small
words ("By when?") is scored by its standalone query's words (retrieval/extractive.py)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from index.chunking import chunk_article
from index.protocols import Embedder
from index.types import Article
from retrieval.answering import Answerer
from retrieval.condense import heuristic_condense
from retrieval.extractive import forms_overlap, lexical_overlap
from retrieval.types import AnswerMode, Passage

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "wikinews" / "articles.jsonl"
FORD = "Ford Motor Company cutting 30,000 jobs by 2012"
ANSWER = "Two more plants will close in 2008, another two in 2012."


def test_a_word_is_held_in_any_regular_form() -> None:
    terms = ["closing", "plants"]
    assert lexical_overlap(terms, ANSWER) == 0.5  # "closi" is not "close"
    assert forms_overlap(terms, ANSWER) == 1.0
    assert forms_overlap(["announce"], "Apple announced a phone.") == 1.0
    assert forms_overlap(["closing"], "The closure was delayed.") == 0.0


def _ford_passages() -> list[Passage]:
    """The demo corpus's Ford article, as the search gives its chunks."""
    with SAMPLES.open(encoding="utf-8") as lines:
        record = next(r for r in map(json.loads, lines) if r["title"] == FORD)
    article = Article(
        title=record["title"],
        body=record["body"],
        source="Wikinews",
        published_at=datetime(2006, 1, 23, tzinfo=UTC),
        url=None,
    )
    chunks = chunk_article(article, target_words=200, overlap_words=40)
    return [
        Passage(
            chunk_id=n,
            article_id=1,
            title=article.title,
            source=article.source,
            published_at=article.published_at,
            url=None,
            text=chunk.text,
            score=1.0 / n,
            similarity=0.6,
        )
        for n, chunk in enumerate(chunks, start=1)
    ]


@pytest.mark.slow
async def test_by_when_after_why_ford_is_closing_plants_quotes_the_years(
    real_embedder: Embedder,
) -> None:
    passages = _ford_passages()
    assert any(ANSWER in p.text for p in passages)
    answerer = Answerer(embedder=real_embedder)
    first = "Why is Ford closing plants?"
    asked = await answerer.answer(first, passages, today=date(2006, 1, 30), query=first)
    history = [("user", first), ("assistant", asked.text)]
    follow_up = "By when?"
    query = heuristic_condense(follow_up, history)
    assert query == "Ford closing plants By when?"
    answer = await answerer.answer(
        follow_up, passages, today=date(2006, 1, 30), history=history, query=query
    )
    # Before, "by" and "when" counted as the question's words (favouring "announced by
    # Ford") and "close" did not meet "closing": the sentence was left out.
    assert answer.mode is AnswerMode.EXTRACTIVE
    assert ANSWER in answer.text
