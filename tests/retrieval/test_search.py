"""HybridSearcher and AsyncSearcher on real FAISS, BM25 and the hashing fake embedder."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from index.embedding import HashingEmbedder
from index.errors import IndexMismatchError
from index.vectors import FaissVectorIndex
from retrieval.async_search import AsyncSearcher
from retrieval.catalog import ChunkCatalog
from retrieval.query import QueryPlan
from retrieval.search import SearchSettings
from retrieval.types import DateRange, Passage, SearchFilters
from tests.retrieval.search_world import Doc, World, build_world

DAY = timedelta(days=1)
T0 = datetime(2024, 11, 1, 9, tzinfo=UTC)


@pytest.fixture
def embedder() -> HashingEmbedder:
    return HashingEmbedder(dimension=256)


def rice(i: int) -> str:
    return f"The rice harvest in Gimpo province reached a record, farmers said. Note {i}."


NOISE = [
    "Parliament debated the budget for road repairs until late evening.",
    "The central bank left its benchmark interest rate unchanged on Thursday.",
    "A football club signed a young striker from Brazil for a record fee.",
    "Heavy snow closed mountain passes and delayed trains across the north.",
]


def titles(world: World, passages: list[Passage]) -> list[str]:
    by_id = {v: k for k, v in world.article_of_title.items()}
    return [by_id[p.article_id] for p in passages]


def test_one_long_article_cannot_fill_the_top_ten(embedder: HashingEmbedder) -> None:
    docs = [Doc("Rice everywhere", tuple(rice(i) for i in range(12)), published_at=T0)]
    docs += [Doc(f"Rice {i}", (rice(100 + i),), published_at=T0) for i in range(5)]
    docs += [Doc(f"Noise {i}", (text,), published_at=T0) for i, text in enumerate(NOISE)]
    world = build_world(docs, embedder)
    passages = world.searcher.search(QueryPlan("rice harvest record Gimpo"), k=10)
    found = titles(world, passages)
    assert len(passages) == 10
    assert found.count("Rice everywhere") == 2
    assert {f"Rice {i}" for i in range(5)} <= set(found)
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)


def test_syndicated_copies_of_one_story_collapse(embedder: HashingEmbedder) -> None:
    text = "Typhoon Krathon made landfall in Kaohsiung, cutting power to thousands of homes."
    docs = [
        Doc("Typhoon hits Taiwan", (text,), source="Reuters", story_id=7, published_at=T0),
        Doc("Typhoon hits Taiwan", (text,), source="AP", story_id=7, published_at=T0),
        Doc("Typhoon hits Taiwan!", (text + " More.",), source="AFP", story_id=7),
        Doc("Typhoon season outlook", ("Forecasters expect a busy typhoon season.",)),
    ] + [Doc(f"Noise {i}", (t,)) for i, t in enumerate(NOISE)]
    world = build_world(docs, embedder)
    passages = world.searcher.search(QueryPlan("typhoon landfall Kaohsiung power"), k=5)
    assert sum(p.story_id == 7 for p in passages) == 1
    assert passages[0].story_id == 7
    assert "Typhoon season outlook" in titles(world, passages)


def filtered_world(embedder: HashingEmbedder) -> World:
    docs = [
        Doc("Old rice", (rice(1),), source="CNN", published_at=T0),
        Doc("Mid rice", (rice(2),), source="Reuters", published_at=T0 + 5 * DAY),
        Doc("New rice", (rice(3),), source="cnn", published_at=T0 + 10 * DAY),
        Doc("Undated rice", (rice(4),), source="Reuters"),
    ]
    return build_world(docs, embedder)


def search_titles(world: World, filters: SearchFilters) -> set[str]:
    plan = QueryPlan("rice harvest", filters=filters)
    return set(titles(world, world.searcher.search(plan, k=10)))


def test_date_range_filter_drops_undated(embedder: HashingEmbedder) -> None:
    world = filtered_world(embedder)
    window = DateRange(T0 + 4 * DAY, T0 + 12 * DAY)
    assert search_titles(world, SearchFilters(date_range=window)) == {"Mid rice", "New rice"}


def test_as_of_keeps_undated(embedder: HashingEmbedder) -> None:
    world = filtered_world(embedder)
    found = search_titles(world, SearchFilters(as_of=T0 + 6 * DAY))
    assert found == {"Old rice", "Mid rice", "Undated rice"}


def test_source_filter_ignores_case(embedder: HashingEmbedder) -> None:
    world = filtered_world(embedder)
    assert search_titles(world, SearchFilters(sources=("CNN",))) == {"Old rice", "New rice"}


def test_nothing_allowed_means_no_search_and_no_load(embedder: HashingEmbedder) -> None:
    world = filtered_world(embedder)
    assert search_titles(world, SearchFilters(sources=("Nobody",))) == set()
    assert world.loads == []


def test_recency_puts_newer_first(embedder: HashingEmbedder) -> None:
    docs = [
        Doc("Old", ("Election results: the election count ended, election officials said.",),
            published_at=T0),
        Doc("New", ("Election results: the count ended, officials said.",),
            published_at=T0 + 60 * DAY),
    ] + [Doc(f"Noise {i}", (t,), published_at=T0) for i, t in enumerate(NOISE)]  # fmt: skip
    world = build_world(docs, embedder)
    plain = QueryPlan("election results election officials")
    assert titles(world, world.searcher.search(plain, k=2)) == ["Old", "New"]
    latest = replace(plain, recency=True)
    assert titles(world, world.searcher.search(latest, k=2)) == ["New", "Old"]


def test_similarity_is_the_cosine_even_for_keyword_only_hits(embedder: HashingEmbedder) -> None:
    # Dense candidates are the top 9 of 14 chunks and rank nothing (weight 0): the chunk
    # with the rare word "Zyxt" comes from BM25 alone.
    settings = SearchSettings(candidates=1, max_chunks_per_article=1, dense_weight=0.0)
    docs = [Doc(f"Rice {i}", (rice(i),)) for i in range(12)]
    docs.append(Doc("Zyxt", ("Zyxt " + " ".join(NOISE),)))
    docs.append(Doc("Other", (NOISE[0],)))
    world = build_world(docs, embedder, settings=settings)
    query = "rice harvest record Zyxt"
    passages = world.searcher.search(QueryPlan(query), k=3)
    assert "Zyxt" in titles(world, passages)
    vector = embedder.embed_query(query)
    _, dense_ids = world.vectors.search(vector, 9)
    assert world.article_of_title["Zyxt"] not in world.catalog.article_of(dense_ids[0])
    for passage in passages:
        chunk_vector = embedder.embed([world.rows[passage.chunk_id][0].embed_text])[0]
        assert passage.similarity == pytest.approx(float(chunk_vector @ vector), abs=1e-5)


class NoRestrictedSearch:
    """A vector index that finds nothing in filtered searches (like a missed IVF probe)."""

    def __init__(self, inner: FaissVectorIndex) -> None:
        self.inner = inner
        self.dimension = inner.dimension

    def search(self, queries, k, allowed_ids=None):  # type: ignore[no-untyped-def]
        scores, ids = self.inner.search(queries, k)
        if allowed_ids is not None:
            ids[:] = -1
        return scores, ids


def test_similarity_falls_back_to_embedding(embedder: HashingEmbedder) -> None:
    settings = SearchSettings(candidates=1, max_chunks_per_article=1, dense_weight=0.0)
    docs = [Doc(f"Rice {i}", (rice(i),)) for i in range(12)]
    docs.append(Doc("Zyxt", ("Zyxt " + " ".join(NOISE),)))
    world = build_world(docs, embedder, settings=settings)
    vectors = NoRestrictedSearch(world.vectors)
    world.searcher.replace(vectors, world.keywords, world.catalog)  # type: ignore[arg-type]
    passages = world.searcher.search(QueryPlan("rice harvest Zyxt"), k=3)
    zyxt = next(p for p in passages if p.title == "Zyxt")
    chunk_vector = embedder.embed([world.rows[zyxt.chunk_id][0].embed_text])[0]
    expected = float(chunk_vector @ embedder.embed_query("rice harvest Zyxt"))
    assert zyxt.similarity == pytest.approx(expected, abs=1e-5)


def test_texts_are_loaded_for_the_final_k_only(embedder: HashingEmbedder) -> None:
    docs = [Doc(f"Rice {i}", (rice(i),), url=f"https://x.test/{i}") for i in range(20)]
    world = build_world(docs, embedder)
    passages = world.searcher.search(QueryPlan("rice harvest"), k=4)
    assert world.loads == [[p.chunk_id for p in passages]]
    first = passages[0]
    chunk, article = world.rows[first.chunk_id]
    assert (first.text, first.title, first.url) == (chunk.text, article.title, article.url)


def test_chunks_deleted_since_indexing_are_skipped(embedder: HashingEmbedder) -> None:
    docs = [Doc(f"Rice {i}", (rice(i),)) for i in range(8)]
    world = build_world(docs, embedder)
    plan = QueryPlan("rice harvest")
    before = world.searcher.search(plan, k=3)
    del world.rows[before[0].chunk_id]  # deleted from the store, still in the indexes
    after = world.searcher.search(plan, k=3)
    assert len(after) == 3
    assert before[0].chunk_id not in {p.chunk_id for p in after}


def test_replace_swaps_all_indexes(embedder: HashingEmbedder) -> None:
    docs = [Doc(f"Rice {i}", (rice(i),)) for i in range(6)]
    world = build_world(docs, embedder)
    keep = np.array([100, 101], dtype=np.int64)
    vectors = FaissVectorIndex(embedder.dimension, threads=1)
    vectors.add(keep, embedder.embed([world.rows[i][0].embed_text for i in keep.tolist()]))
    catalog = ChunkCatalog.from_rows([(i, world.rows[i][1].id, None, None, None) for i in keep])
    world.searcher.replace(vectors, world.keywords, catalog)
    found = {p.chunk_id for p in world.searcher.search(QueryPlan("rice"), k=10)}
    assert found == {100, 101}  # keyword hits unknown to the new catalog are dropped
    with pytest.raises(IndexMismatchError):
        world.searcher.replace(FaissVectorIndex(8), world.keywords, catalog)


def test_search_many_matches_search(embedder: HashingEmbedder) -> None:
    world = filtered_world(embedder)
    plans = [
        QueryPlan("rice harvest"),
        QueryPlan("rice", filters=SearchFilters(sources=("Reuters",))),
        QueryPlan("Gimpo farmers", recency=True),
    ]
    many = world.searcher.search_many(plans, k=3)
    assert many == [world.searcher.search(plan, k=3) for plan in plans]
    assert world.searcher.search_many([], k=3) == []


def test_zero_k_finds_nothing(embedder: HashingEmbedder) -> None:
    assert filtered_world(embedder).searcher.search(QueryPlan("rice"), k=0) == []


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="recency_floor"):
        SearchSettings(recency_floor=1.5)
    with pytest.raises(ValueError, match="candidates"):
        SearchSettings(candidates=0)
    with pytest.raises(ValueError, match="dense_share"):
        SearchSettings(dense_share=-0.1)
    with pytest.raises(ValueError, match="period_mode"):
        SearchSettings(period_mode="ignore")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="background_floor"):
        SearchSettings(background_floor=2.0)


async def test_async_searcher_runs_off_the_event_loop(embedder: HashingEmbedder) -> None:
    world = filtered_world(embedder)
    plans = [QueryPlan("rice harvest"), QueryPlan("Gimpo")]
    expected = [world.searcher.search(plan, k=2) for plan in plans]
    threads: set[str] = set()
    load = world.searcher._load_passages

    def recording_load(ids):  # type: ignore[no-untyped-def]
        threads.add(threading.current_thread().name)
        return load(ids)

    world.searcher._load_passages = recording_load
    searcher = AsyncSearcher(world.searcher)
    results = await asyncio.gather(*(searcher.search(plan, k=2) for plan in plans))
    assert results == expected
    assert await searcher.search_many(plans, k=2) == results
    assert len(threads) == 1
    assert threading.current_thread().name not in threads
    searcher.close()
    with pytest.raises(RuntimeError, match="closed"):
        await searcher.search(plans[0])


async def test_async_searcher_as_context_manager(embedder: HashingEmbedder) -> None:
    world = filtered_world(embedder)
    async with AsyncSearcher(world.searcher) as searcher:
        assert await searcher.run(len, [1, 2, 3]) == 3
        searcher.replace(world.vectors, world.keywords, world.catalog)
        assert len(await searcher.search(QueryPlan("rice"), k=2)) == 2


def test_a_period_is_favoured_not_filtered(embedder: HashingEmbedder) -> None:
    world = filtered_world(embedder)
    period = DateRange(T0 + 4 * DAY, T0 + 6 * DAY)
    plan = QueryPlan("rice harvest", period=period)
    found = titles(world, world.searcher.search(plan, k=10))
    assert found[0] == "Mid rice"
    assert set(found) == {"Old rice", "Mid rice", "New rice", "Undated rice"}
    strict = build_world(
        [Doc(t, (rice(i),), published_at=d) for i, (t, d) in enumerate(
            [("Old rice", T0), ("Mid rice", T0 + 5 * DAY), ("New rice", T0 + 10 * DAY)])],
        embedder,
        settings=SearchSettings(period_mode="filter"),
    )  # fmt: skip
    assert titles(strict, strict.searcher.search(plan, k=10)) == ["Mid rice"]


def test_reports_published_just_after_the_period_count_as_in_it(
    embedder: HashingEmbedder,
) -> None:
    # "On Monday" news is published on Tuesday; a week later it is another story.
    monday = DateRange(T0, T0 + DAY - timedelta(microseconds=1))
    docs = [
        Doc("Tuesday report", (rice(1),), published_at=T0 + DAY + timedelta(hours=3)),
        Doc("Next week", (rice(2),), published_at=T0 + 8 * DAY),
    ] + [Doc(f"Noise {i}", (t,), published_at=T0) for i, t in enumerate(NOISE)]
    world = build_world(docs, embedder)
    passages = world.searcher.search(QueryPlan("rice harvest Gimpo", period=monday), k=2)
    assert titles(world, passages) == ["Tuesday report", "Next week"]
    assert passages[1].score < 0.6 * passages[0].score


def election_world(embedder: HashingEmbedder, settings: SearchSettings | None = None) -> World:
    # The old report matches the question a little better; the new one is 90 days newer.
    docs = [
        Doc("Old", ("Election results: the count ended and officials certified it.",),
            published_at=T0),
        Doc("New", ("Election results: the count ended, officials said.",),
            published_at=T0 + 90 * DAY),
    ] + [Doc(f"Noise {i}", (t,), published_at=T0) for i, t in enumerate(NOISE)]  # fmt: skip
    return build_world(docs, embedder, settings=settings)


def test_plain_questions_mildly_favour_recent_news(embedder: HashingEmbedder) -> None:
    plan = QueryPlan("election results count certified officials")
    timeless = election_world(embedder, SearchSettings(background_half_life_days=0))
    assert titles(timeless, timeless.searcher.search(plan, k=2)) == ["Old", "New"]
    world = election_world(embedder)
    assert titles(world, world.searcher.search(plan, k=2)) == ["New", "Old"]
    # A named period replaces the background prior.
    early = replace(plan, period=DateRange(T0 - DAY, T0 + DAY))
    assert titles(world, world.searcher.search(early, k=2)) == ["Old", "New"]


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_score_fusion_at_its_extremes_is_one_retriever(
    embedder: HashingEmbedder, share: float
) -> None:
    texts = [
        "Rice harvest in Gimpo reached a record, farmers said.",
        "The rice harvest festival drew crowds to the province.",
        "Farmers in Gimpo protested over fertiliser prices.",
        "A record crowd watched the football final.",
        "Harvest workers struck for higher pay in the north.",
    ]
    settings = SearchSettings(
        dense_share=share, background_half_life_days=0, candidates=20, max_chunks_per_article=5
    )
    world = build_world([Doc(f"Doc {i}", (t,)) for i, t in enumerate(texts)], embedder,
                        settings=settings)  # fmt: skip
    query = "record rice harvest Gimpo farmers"
    found = [p.chunk_id for p in world.searcher.search(QueryPlan(query), k=3)]
    if share == 1.0:
        _, expected = world.vectors.search(embedder.embed_query(query), 3)
        assert found == expected[0].tolist()
    else:
        _, expected = world.keywords.search(query, 3)
        assert found == expected.tolist()


def test_rrf_fusion_is_still_available(embedder: HashingEmbedder) -> None:
    docs = [Doc(f"Rice {i}", (rice(i),)) for i in range(3)]
    docs += [Doc(f"Noise {i}", (t,)) for i, t in enumerate(NOISE)]
    settings = SearchSettings(fusion="rrf", background_half_life_days=0)
    world = build_world(docs, embedder, settings=settings)
    passages = world.searcher.search(QueryPlan("rice harvest Gimpo"), k=3)
    assert {p.title for p in passages} == {"Rice 0", "Rice 1", "Rice 2"}
    assert 1 / 61 < passages[0].score <= 2 / 61  # reciprocal ranks, k = 60
