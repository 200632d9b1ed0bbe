"""Reciprocal rank fusion arithmetic, and grouping chunks by article and story."""

from __future__ import annotations

import math

import numpy as np
import pytest

from retrieval.fusion import (
    convex_fusion,
    period_factor,
    rank_articles,
    reciprocal_rank_fusion,
    select_passages,
)

DAY = 86_400.0


def test_rrf_sums_reciprocal_ranks() -> None:
    fused = reciprocal_rank_fusion([[1, 2, 3], [3, 1]], k=60)
    assert [doc for doc, _ in fused] == [1, 3, 2]
    scores = dict(fused)
    assert scores[1] == pytest.approx(1 / 61 + 1 / 62)
    assert scores[3] == pytest.approx(1 / 63 + 1 / 61)
    assert scores[2] == pytest.approx(1 / 62)


def test_rrf_weights_scale_each_list() -> None:
    fused = dict(reciprocal_rank_fusion([[1, 2], [2, 1]], k=0, weights=[2.0, 1.0]))
    assert fused[1] == pytest.approx(2.0 / 1 + 1.0 / 2)
    assert fused[2] == pytest.approx(2.0 / 2 + 1.0 / 1)


def test_rrf_skips_padding_and_repeats() -> None:
    # -1 is FAISS padding; a repeated id keeps its first rank and does not shift later ones.
    fused = dict(reciprocal_rank_fusion([[5, -1, 5, 7, -1]], k=10))
    assert fused == pytest.approx({5: 1 / 11, 7: 1 / 12})


def test_rrf_ties_keep_first_seen_order() -> None:
    assert [doc for doc, _ in reciprocal_rank_fusion([[4, 9], [9, 4]])] == [4, 9]


def test_rrf_of_nothing_is_empty() -> None:
    assert reciprocal_rank_fusion([[], []]) == []


def test_rrf_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="weight"):
        reciprocal_rank_fusion([[1]], weights=[1.0, 2.0])
    with pytest.raises(ValueError, match="k"):
        reciprocal_rank_fusion([[1]], k=-1)


def ranked(count: int) -> list[tuple[int, float]]:
    return [(100 + i, 1.0 - i / 100) for i in range(count)]


def test_one_article_cannot_fill_the_list() -> None:
    # Chunks 100..111: the first eight belong to article 1, then articles 2..5.
    articles = [1] * 8 + [2, 3, 4, 5]
    chosen = select_passages(ranked(12), articles, [-1] * 12, k=10, max_per_article=2)
    assert [doc for doc, _ in chosen] == [100, 101, 108, 109, 110, 111]


def test_same_story_copies_collapse_to_the_best_article() -> None:
    # Articles 1, 2 and 3 are one syndicated story (7); article 4 stands alone.
    articles = [1, 2, 1, 3, 4, 2]
    stories = [7, 7, 7, 7, -1, 7]
    chosen = select_passages(ranked(6), articles, stories, k=10, max_per_article=3)
    assert [doc for doc, _ in chosen] == [100, 102, 104]


def test_collapse_can_be_turned_off_and_k_limits() -> None:
    articles, stories = [1, 2, 3, 4], [7, 7, 7, 7]
    chosen = select_passages(ranked(4), articles, stories, k=3, collapse_stories=False)
    assert [doc for doc, _ in chosen] == [100, 101, 102]


def test_scores_travel_with_their_chunks() -> None:
    chosen = select_passages([(5, 0.9), (6, 0.4)], [1, 2], [-1, -1], k=5)
    assert chosen == [(5, 0.9), (6, 0.4)]


def test_rank_articles_by_best_chunk() -> None:
    items = [(10, 0.9), (11, 0.8), (12, 0.7), (13, 0.6)]
    assert rank_articles(items, [2, 1, 2, 3]) == [(2, 0.9), (1, 0.8), (3, 0.6)]


def test_select_rejects_a_zero_cap() -> None:
    with pytest.raises(ValueError, match="max_per_article"):
        select_passages(ranked(1), [1], [-1], k=1, max_per_article=0)


def test_period_factor_favours_the_period_and_the_days_reporting_lags() -> None:
    # A one-day period (day 10) with a one-day lag: days 10 and 11 are in; the half-life
    # is the two-day span, so four days early is a quarter of the way above the floor.
    published = np.array([10, 11.5, 6, 13.5, math.nan]) * DAY
    factor = period_factor(
        published, start=10 * DAY, end=11 * DAY - 1, lag_days=1, min_half_life_days=1, floor=0.2
    )
    assert factor[:2] == pytest.approx([1.0, 1.0])
    assert factor[2] == pytest.approx(0.2 + 0.8 * 0.5 ** (4 / 2), abs=1e-5)
    assert factor[3] == pytest.approx(0.2 + 0.8 * 0.5 ** ((13.5 - 12) / 2), abs=1e-5)
    assert factor[4] == 0.2  # undated


def test_period_factor_open_ends_and_minimum_half_life() -> None:
    published = np.array([0, 100, 400]) * DAY
    since = period_factor(
        published, start=100 * DAY, end=None, lag_days=2, min_half_life_days=10, floor=0.0
    )
    assert since == pytest.approx([0.5**10, 1.0, 1.0])
    until = period_factor(
        published, start=None, end=100 * DAY, lag_days=0, min_half_life_days=100, floor=0.0
    )
    assert until == pytest.approx([1.0, 1.0, 0.5**3])


def test_convex_fusion_scales_each_retriever_by_its_best() -> None:
    dense = np.array([0.8, 0.4, -0.2, 0.0])
    keyword = np.array([0.0, 12.0, 6.0, -np.inf])
    fused = convex_fusion(dense, keyword, dense_share=0.5)
    assert fused == pytest.approx([0.5, 0.25 + 0.5, 0.25, 0.0])
    assert convex_fusion(dense, keyword, dense_share=1.0) == pytest.approx([1, 0.5, 0, 0])
    assert convex_fusion(np.zeros(2), np.zeros(2), dense_share=0.3) == pytest.approx([0, 0])
    with pytest.raises(ValueError, match="dense_share"):
        convex_fusion(dense, keyword, dense_share=1.5)
