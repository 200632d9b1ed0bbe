"""BM25 restricted to a few ids scores only those documents, with the very same scores
as a full scoring pass (main matrix, pending segment and tombstones alike)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import index.keyword as keyword_module
from index.keyword import Bm25Index

WORDS = ["bank", "rates", "flood", "cup", "rain", "market", "storm", "vote", "court", "oil"]


def corpus(rng: np.random.Generator, count: int, start: int = 0) -> tuple[np.ndarray, list[str]]:
    ids = np.arange(start, start + count, dtype=np.int64) * 2 + 1
    lengths = rng.integers(1, 12, count)
    texts = [" ".join(rng.choice(WORDS, size=int(n))) for n in lengths]
    return ids, texts


def both_routes(
    index: Bm25Index, query: str, k: int, allowed: np.ndarray
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """(subset route, full route) results of the same restricted search."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keyword_module, "_SUBSET_SHARE", 1.0)
        subset = index.search(query, k, allowed)
        patch.setattr(keyword_module, "_SUBSET_SHARE", 0.0)
        full = index.search(query, k, allowed)
    return subset, full


def assert_same(index: Bm25Index, query: str, k: int, allowed: np.ndarray) -> None:
    (subset_scores, subset_ids), (full_scores, full_ids) = both_routes(index, query, k, allowed)
    assert subset_ids.tolist() == full_ids.tolist()
    np.testing.assert_array_equal(subset_scores, full_scores)  # bit for bit


@pytest.fixture
def index() -> Bm25Index:
    rng = np.random.default_rng(3)
    built = Bm25Index()
    ids, texts = corpus(rng, 3000)
    built.add(ids, texts)
    built.search("bank", 1)  # merges everything into the main matrix
    more_ids, more_texts = corpus(rng, 40, start=3000)
    built.add(more_ids, more_texts)  # a pending segment beside it
    built.remove(ids[::7])  # tombstones in the main matrix
    built.add(ids[1:30:3], [f"flood {WORDS[i % 10]}" for i in range(10)])  # replaced rows
    return built


@pytest.mark.parametrize("query", ["bank", "flood rain storm", "oil oil court", "nothing"])
def test_subset_scores_equal_full_scores(index: Bm25Index, query: str) -> None:
    rng = np.random.default_rng(5)
    held = index.ids()
    for size in (1, 5, 30, 200):
        allowed = rng.choice(held, size, replace=False)
        assert_same(index, query, 10, allowed)
    unknown_and_removed = np.array([0, 2, 1, 15, 29, 10**9], dtype=np.int64)  # 1, 15, 29 gone
    assert_same(index, query, 10, np.concatenate([unknown_and_removed, held[:20]]))


def test_subset_route_is_taken_for_small_sets(index: Bm25Index, monkeypatch) -> None:
    calls: list[int] = []
    original = Bm25Index._score_subset

    def spy(self: Bm25Index, cols: list[int], ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        calls.append(len(ids))
        return original(self, cols, ids)

    monkeypatch.setattr(Bm25Index, "_score_subset", spy)
    index.search("bank rates", 5, index.ids()[:20])  # 20 of ~2.6k: under 1 %
    index.search("bank rates", 5, index.ids()[:2000])
    index.search("bank rates", 5)
    assert calls == [20]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
    st.lists(st.integers(0, 150), min_size=1, max_size=40),
    st.integers(1, 12),
)
def test_any_restricted_query_matches_the_full_route(
    words: list[str], picks: list[int], k: int
) -> None:
    rng = np.random.default_rng(len(picks))
    index = Bm25Index()
    ids, texts = corpus(rng, 60)
    index.add(ids, texts)
    index.search("bank", 1)
    index.add(*corpus(rng, 10, start=60))
    index.remove(ids[::5])
    assert_same(index, " ".join(words), k, np.asarray(picks, dtype=np.int64))
