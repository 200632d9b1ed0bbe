"""HybridSearcher on real FAISS and BM25 (hashing embedder): a question's period is
searched on its own when the text finds nothing from it, and a question without a topic
lists the articles of its period, else the newest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from index.embedding import HashingEmbedder
from retrieval.query import QueryPlan
from retrieval.search import SearchSettings
from retrieval.types import DateRange, SearchFilters
from tests.retrieval.search_world import Doc, World, build_world

NOW = datetime(2024, 11, 15, 12, tzinfo=UTC)
DAY = timedelta(days=1)
LAST_WEEK = DateRange(NOW - 7 * DAY, NOW)


@pytest.fixture
def embedder() -> HashingEmbedder:
    return HashingEmbedder(dimension=256)


def rice(i: int) -> str:
    return f"The rice harvest in Gimpo reached a record, farmers said. Report number {i}."


FRESH_RICE = (
    "Farmers in Gimpo began the rice harvest this week. Prices for fertiliser, diesel and "
    "machinery have risen, and several cooperatives asked the province for support."
)


def rice_world(embedder: HashingEmbedder, settings: SearchSettings) -> World:
    """Twelve old reports that match "rice harvest record" better than the one of this week."""
    docs = [Doc(f"Old rice {i}", (rice(i),), published_at=NOW - (400 + i) * DAY) for i in range(12)]
    docs.append(Doc("Fresh rice", (FRESH_RICE,), published_at=NOW - 2 * DAY))
    return build_world(docs, embedder, settings=settings)


def titles(world: World, plan: QueryPlan, k: int) -> list[str]:
    by_id = {v: t for t, v in world.article_of_title.items()}
    return [by_id[p.article_id] for p in world.searcher.search(plan, k=k)]


def test_the_period_is_searched_when_the_text_finds_nothing_from_it(
    embedder: HashingEmbedder,
) -> None:
    plan = QueryPlan("rice harvest record Gimpo", period=LAST_WEEK)
    # Few candidates per retriever: the old reports fill them all.
    narrow = SearchSettings(candidates=4, context_chunks=0)
    assert titles(rice_world(embedder, narrow), plan, k=1)[0] == "Fresh rice"
    # Without the period's own search the text alone never reaches this week's report.
    off = SearchSettings(candidates=4, context_chunks=0, period_candidates=0)
    assert "Fresh rice" not in titles(rice_world(embedder, off), plan, k=1)


def test_without_a_period_the_best_text_matches_win(embedder: HashingEmbedder) -> None:
    world = rice_world(embedder, SearchSettings(candidates=4, context_chunks=0))
    assert "Fresh rice" not in titles(world, QueryPlan("rice harvest record Gimpo"), k=3)


def news_world(embedder: HashingEmbedder) -> World:
    yesterday = NOW - DAY
    docs = [
        Doc("Tram approved", ("The council approved a tram line. It opens in 2027.",),
            source="Courier", published_at=yesterday.replace(hour=9)),
        Doc("Storm hits coast", ("A storm cut power to 40,000 homes.",), source="Coast",
            published_at=yesterday.replace(hour=10), story_id=3),
        Doc("Storm hits coast!", ("A storm cut power to 40,000 homes. More.",),
            source="Post", published_at=yesterday.replace(hour=11), story_id=3),
        Doc("Markets fall", ("Stock markets fell as oil jumped.", "Bonds rallied."),
            source="Wire", published_at=yesterday.replace(hour=16)),
        Doc("Old election", ("Voters chose a new parliament.",), source="Courier",
            published_at=NOW - 300 * DAY),
        Doc("Undated museum", ("The museum reopened.",), source="Courier"),
    ]  # fmt: skip
    return build_world(docs, embedder)


YESTERDAY = DateRange(datetime(2024, 11, 14, tzinfo=UTC), datetime(2024, 11, 15, tzinfo=UTC))


def test_a_question_without_a_topic_lists_its_periods_articles(embedder: HashingEmbedder) -> None:
    world = news_world(embedder)
    plan = QueryPlan("What happened to the storm?", period=YESTERDAY, browse=True)
    found = world.searcher.search(plan, k=10)
    by_id = {v: t for t, v in world.article_of_title.items()}
    # The story two outlets covered first (its newest copy), then the newest; one chunk each.
    assert [by_id[p.article_id] for p in found] == [
        "Storm hits coast!",
        "Markets fall",
        "Tram approved",
    ]
    markets = found[1]
    assert markets.text.startswith("Stock markets fell")  # the lead, widened by its neighbour
    assert "Bonds rallied." in markets.text

    # Cosines to the question, as for any search.
    question = world.embedder.embed_query(plan.text)
    for passage in found:
        chunk = world.embedder.embed([world.rows[passage.chunk_id][0].embed_text])[0]
        assert passage.similarity == pytest.approx(float(chunk @ question), abs=1e-5)
    assert found[0].similarity > 0.1  # "What happened to the storm?" shares its words


def test_latest_news_lists_the_newest_articles(embedder: HashingEmbedder) -> None:
    world = news_world(embedder)
    plan = QueryPlan("news", recency=True, browse=True)
    by_id = {v: t for t, v in world.article_of_title.items()}
    found = [by_id[p.article_id] for p in world.searcher.search(plan, k=10)]
    assert found == ["Markets fall", "Storm hits coast!", "Tram approved", "Old election",
                     "Undated museum"]  # fmt: skip
    filtered = QueryPlan("news", SearchFilters(sources=("Courier",), as_of=NOW - 2 * DAY),
                         recency=True, browse=True)  # fmt: skip
    found = [by_id[p.article_id] for p in world.searcher.search(filtered, k=10)]
    assert found == ["Old election", "Undated museum"]


def test_browse_plans_are_searched_in_batches_too(embedder: HashingEmbedder) -> None:
    world = news_world(embedder)
    plans = [
        QueryPlan("What happened?", period=YESTERDAY, browse=True),
        QueryPlan("stock markets oil"),
    ]
    batched = world.searcher.search_many(plans, k=3)
    assert batched == [world.searcher.search(plan, k=3) for plan in plans]
