"""The matcher with the real embedding model on a few realistic articles (slow)."""

from __future__ import annotations

import numpy as np
import pytest

from index.chunking import chunk_article
from index.embedding import SentenceTransformerEmbedder
from index.sentences import split_sentences
from index.types import Article
from retrieval.alerts import AlertTopic, NewArticles, build_topic_set, match_articles
from retrieval.topic_embedding import embed_topic
from retrieval.topics import parse_topic

ARTICLES = [
    Article(
        "OPEC agrees to cut oil output",
        "OPEC and its allies agreed on Wednesday to cut oil production by two million barrels "
        "a day. Oil prices rose after the announcement. Analysts expect petrol prices to climb "
        "before winter.",
    ),
    Article(
        "New rules curb chip exports to China",
        "The US Commerce Department announced export controls on advanced semiconductors bound "
        "for China. The rules bar sales of chipmaking equipment to Chinese factories. Beijing "
        "called the move an abuse of trade measures.",
    ),
    Article(
        "Heavy rain floods city streets",
        "Torrential rain flooded streets across the city on Monday. Emergency services rescued "
        "drivers from stranded cars. More storms are forecast for the week.",
    ),
    Article(
        "Nadal wins another French Open title",
        "Rafael Nadal beat Casper Ruud in straight sets to win the French Open on Sunday. The "
        "Spaniard said his foot injury had troubled him all tournament.",
    ),
]


def new_articles(embedder: SentenceTransformerEmbedder) -> NewArticles:
    chunks = [(i, c) for i, a in enumerate(ARTICLES) for c in chunk_article(a)]
    return NewArticles(
        article_ids=[100 + i for i in range(len(ARTICLES))],
        titles=[a.title for a in ARTICLES],
        bodies=[a.body for a in ARTICLES],
        chunk_vectors=embedder.embed([c.embed_text for _, c in chunks]),
        chunk_article_ids=np.array([100 + i for i, _ in chunks]),
        chunk_texts=[c.text for _, c in chunks],
    )


@pytest.mark.slow
def test_realistic_topics_match_their_articles(real_embedder: SentenceTransformerEmbedder) -> None:
    texts = [
        "oil prices",
        "oil prices -opec",
        "chip export controls +china",
        "floods and storms",
        "cooking recipes",
    ]
    topics = []
    for number, text in enumerate(texts):
        query = parse_topic(text)
        topics.append(
            AlertTopic(
                number,
                embed_topic(query.phrase, real_embedder),
                phrase=query.phrase,
                must_words=query.must_words,
                exclude_words=query.exclude_words,
            )
        )
    found = match_articles(
        build_topic_set(topics, None), new_articles(real_embedder), reason_embedder=real_embedder
    )
    alerts = {(m.subscription_id, m.article_id) for m in found}
    assert alerts == {(0, 100), (2, 101), (3, 102)}
    for match in found:
        body = ARTICLES[match.article_id - 100].body
        assert match.reason in split_sentences(body)
        assert 0.45 <= match.score <= 1.0
    chips = next(m for m in found if m.subscription_id == 2)
    assert "export controls" in chips.reason
