"""QA's two cases of alerts sent for clearly unrelated articles, with the real model (slow).

The background is the bundled Wikinews samples (a small general corpus, as on a first run)
plus the new batch itself, as in the bot: the background is made of the newest articles.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.chunking import chunk_article
from index.embedding import SentenceTransformerEmbedder
from index.parsing import iter_path
from index.types import Article
from retrieval.alert_background import Background, article_vectors, build_background
from retrieval.alerts import AlertTopic, NewArticles, build_topic_set, match_articles
from retrieval.topic_embedding import embed_topic

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "wikinews" / "articles.jsonl"

SPORTS_WIRE = [  # a batch on sports, computers and business: none is about elections
    (
        "Hosts cruise past Zimbabwe in one-day opener",
        "England's bowlers dismissed Zimbabwe for 139 at Edgbaston on Friday, and the hosts "
        "knocked off the runs with twenty overs to spare. The all-rounder returned from "
        "injury to take three wickets.",
    ),
    (
        "Manager calls a meeting as the slump goes on",
        "The manager gathered his players in the clubhouse before Monday's game and told them "
        "to forget a week of losses. The team has dropped six of its last eight games and its "
        "lead in the division is down to two games.",
    ),
    (
        "Quarterback leads late rally in rivalry win",
        "The backup quarterback threw for 205 yards and ran for a touchdown as the visitors "
        "came from behind to win 20-3 on Saturday. The defence held the hosts to a field goal.",
    ),
    (
        "Hockey season slipping away, commissioner says",
        "The league's commissioner said on Tuesday that the season is likely lost after talks "
        "with the players' union broke down again over a salary cap.",
    ),
    (
        "Rally leader stretches his lead on muddy forest stages",
        "The Finnish driver won four of the six stages on the second day of the rally and "
        "leads by 40 seconds going into the final leg.",
    ),
    (
        "Rootkit for Mac OS X found by researchers",
        "Security researchers have found a rootkit that hides itself on Apple computers "
        "running Mac OS X. It needs an administrator password to install.",
    ),
    (
        "Software maker warns of weak quarter, chief quits",
        "The company said revenue for the quarter would fall short of forecasts, and its chief "
        "executive resigned. Its shares fell 20 percent in late trading.",
    ),
    (
        "Top seed knocked out in the first round",
        "The world number one lost in straight sets to a qualifier on Monday, her earliest "
        "defeat at a grand slam in five years.",
    ),
]
AVIATION_NEWS = [  # an aviation outlet's items, and one that is not about aviation
    (
        "Airline orders 30 Boeing 737 jets",
        "The carrier agreed to buy 30 Boeing 737 MAX aircraft to replace its ageing fleet, "
        "with the first deliveries due next year.",
    ),
    (
        "Regulators clear the 787 to fly again",
        "Aviation regulators approved changes to the Boeing 787 Dreamliner's batteries, "
        "ending a three-month grounding of the jets.",
    ),
    (
        "New bakery opens downtown",
        "A family-run bakery opened on Main Street on Saturday, selling sourdough bread, "
        "croissants and cinnamon rolls. The owners said they had saved for years to open the "
        "shop. Neighbours queued around the block for the first loaves.",
    ),
]
BAKERY = "New bakery opens downtown"


def batch() -> list[Article]:
    return [Article(t, b, source="Sports Wire") for t, b in SPORTS_WIRE] + [
        Article(t, b, source="Example Aviation News") for t, b in AVIATION_NEWS
    ]


@pytest.fixture(scope="module")
def world(real_embedder: SentenceTransformerEmbedder) -> tuple[NewArticles, Background]:
    """The new batch as indexed (outlet in every chunk header), and the background: the
    samples (first chunk each, to keep the test short) and the batch."""
    samples = [a for a in iter_path(SAMPLES) if isinstance(a, Article)]
    assert len(samples) == 300
    sample_vectors = real_embedder.embed([chunk_article(a)[0].embed_text for a in samples])
    articles = batch()
    chunks = [(i, c) for i, a in enumerate(articles) for c in chunk_article(a)]
    owners = np.array([i for i, _ in chunks])
    vectors = real_embedder.embed([c.embed_text for _, c in chunks])
    new = NewArticles(
        article_ids=list(range(len(articles))),
        titles=[a.title for a in articles],
        bodies=[a.body for a in articles],
        chunk_vectors=vectors,
        chunk_article_ids=owners,
        chunk_texts=[c.text for _, c in chunks],
    )
    _, batch_vectors = article_vectors(vectors, owners)
    return new, build_background(np.concatenate([sample_vectors, batch_vectors]))


def alerts(
    world: tuple[NewArticles, Background], embedder: SentenceTransformerEmbedder, phrase: str
) -> dict[str, float]:
    """Title -> score of the batch's alerts to one subscriber of `phrase`, default settings."""
    new, background = world
    topic_set = build_topic_set([AlertTopic(1, embed_topic(phrase, embedder), phrase)], background)
    found = match_articles(topic_set, new, reason_embedder=embedder)
    return {new.titles[m.article_id]: m.score for m in found}


@pytest.mark.slow
def test_elections_are_not_sent_sports_news(world, real_embedder) -> None:
    # Was: the cricket item (cosine -0.004) and the rally item, through the corpus route.
    assert alerts(world, real_embedder, "elections") == {}
    # The corpus route still widens a topic among relevant articles: the rootkit item is
    # sent to "computer security" below the direct threshold.
    security = alerts(world, real_embedder, "computer security")
    assert list(security) == ["Rootkit for Mac OS X found by researchers"]
    assert 0.05 <= security["Rootkit for Mac OS X found by researchers"] < 0.45


@pytest.mark.slow
def test_an_aviation_outlet_name_does_not_make_a_bakery_about_boeing(world, real_embedder):
    # Was: the bakery, at 0.22 with "Example Aviation News" in its chunk header.
    found = alerts(world, real_embedder, "Boeing aircraft")
    assert BAKERY not in found
    assert "Regulators clear the 787 to fly again" in found
    assert all(score >= 0.05 for score in found.values())
