"""Pure ranking arithmetic: reciprocal rank fusion, and grouping chunks by article and story."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[int]], k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[int, float]]:
    """Fuse ranked id lists: score(id) = sum of weight / (k + rank), ranks counted from 1.

    Negative ids are padding (FAISS fills missing slots with -1) and are skipped; an id
    repeated within one list counts at its first rank. Ties keep first-seen order.
    """
    if k < 0:
        raise ValueError("k must be >= 0")
    if weights is None:
        weights = [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    scores: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        seen: set[int] = set()
        rank = 0
        for raw in ranking:
            doc = int(raw)
            if doc < 0 or doc in seen:
                continue
            seen.add(doc)
            rank += 1
            scores[doc] = scores.get(doc, 0.0) + weight / (k + rank)
    order = {doc: i for i, doc in enumerate(scores)}
    return sorted(scores.items(), key=lambda item: (-item[1], order[item[0]]))


def rank_articles(
    ranked: Sequence[tuple[int, float]], article_ids: Sequence[int]
) -> list[tuple[int, float]]:
    """Articles in the order of their best chunk, with that chunk's score.

    `ranked` is (chunk id, score) best first; `article_ids` is parallel to it.
    """
    best: dict[int, float] = {}
    for (_, score), article in zip(ranked, article_ids, strict=True):
        best.setdefault(int(article), score)
    return list(best.items())


def select_passages(
    ranked: Sequence[tuple[int, float]],
    article_ids: Sequence[int],
    story_ids: Sequence[int],
    *,
    k: int,
    max_per_article: int = 2,
    collapse_stories: bool = True,
) -> list[tuple[int, float]]:
    """The top `k` chunks, at most `max_per_article` from one article, one article per story.

    `ranked` is (chunk id, score) best first, `article_ids` and `story_ids` parallel to it
    (story -1: not clustered). Articles of one story cluster are syndicated copies of each
    other: only the best-ranked one stays, so copies do not crowd the list.
    """
    if max_per_article < 1:
        raise ValueError("max_per_article must be >= 1")
    kept: list[tuple[int, float]] = []
    per_article: dict[int, int] = {}
    story_owner: dict[int, int] = {}  # story -> the article that represents it
    for item, article, story in zip(ranked, article_ids, story_ids, strict=True):
        if len(kept) >= k:
            break
        article, story = int(article), int(story)
        if collapse_stories and story >= 0 and story_owner.setdefault(story, article) != article:
            continue
        count = per_article.get(article, 0)
        if count >= max_per_article:
            continue
        per_article[article] = count + 1
        kept.append(item)
    return kept


def recency_factor(
    published: npt.NDArray[np.float64],
    *,
    reference: float | None,
    half_life_days: float,
    floor: float,
) -> npt.NDArray[np.float64]:
    """Score multipliers in [floor, 1] that favour newer chunks.

    `published` holds epoch seconds (NaN: undated). Age counts from `reference` (the as-of
    time), else from the newest dated chunk; the part above `floor` halves every half-life.
    Undated chunks get the floor.
    """
    factor = np.full(published.shape, floor, dtype=np.float64)
    dated = ~np.isnan(published)
    if not dated.any():
        return factor
    newest = float(np.max(published[dated])) if reference is None else reference
    age_days = np.maximum(newest - published[dated], 0.0) / 86_400.0
    factor[dated] = floor + (1.0 - floor) * np.exp2(-age_days / half_life_days)
    return factor


def period_factor(
    published: npt.NDArray[np.float64],
    *,
    start: float | None,
    end: float | None,
    lag_days: float,
    min_half_life_days: float,
    floor: float,
) -> npt.NDArray[np.float64]:
    """Score multipliers in [floor, 1] that favour chunks published in a period.

    The period [start, end] (epoch seconds, either end open) is the time a question is
    about; reporting runs `lag_days` behind the events, so the period's end is moved that
    much later. Outside it the part above `floor` halves with every period length (at
    least `min_half_life_days`) of distance: a day-long period is strict, a year lenient.
    Undated chunks get the floor.
    """
    factor = np.full(published.shape, floor, dtype=np.float64)
    dated = ~np.isnan(published)
    if not dated.any():
        return factor
    day = 86_400.0
    late = None if end is None else end + lag_days * day
    length = 0.0 if start is None or late is None else (late - start) / day
    half_life = max(length, min_half_life_days)
    times = published[dated]
    before = np.zeros_like(times) if start is None else np.maximum(start - times, 0.0)
    after = np.zeros_like(times) if late is None else np.maximum(times - late, 0.0)
    distance = (before + after) / day
    factor[dated] = floor + (1.0 - floor) * np.exp2(-distance / half_life)
    return factor


def convex_fusion(
    dense: npt.NDArray[np.float64], keyword: npt.NDArray[np.float64], *, dense_share: float
) -> npt.NDArray[np.float64]:
    """Scores of candidates from both retrievers, combined on a common scale.

    `dense` holds cosines, `keyword` BM25 scores, parallel arrays over the same candidates
    (0 where a retriever gives nothing). Each is divided by its best value, the best a
    query can reach here: cosines below 0 count as 0, BM25 starts at 0. Unlike ranks, the
    scaled scores keep how far ahead the best candidates are.
    """
    if not 0.0 <= dense_share <= 1.0:
        raise ValueError("dense_share must be within [0, 1]")
    dense = np.maximum(np.nan_to_num(dense, nan=0.0, neginf=0.0), 0.0)
    keyword = np.maximum(np.nan_to_num(keyword, nan=0.0, neginf=0.0), 0.0)
    top_dense = float(dense.max()) if dense.size else 0.0
    top_keyword = float(keyword.max()) if keyword.size else 0.0
    scaled_dense = dense / top_dense if top_dense > 0 else dense
    scaled_keyword = keyword / top_keyword if top_keyword > 0 else keyword
    return dense_share * scaled_dense + (1.0 - dense_share) * scaled_keyword


def merge_candidates(
    first: tuple[npt.ArrayLike, npt.ArrayLike], second: tuple[npt.ArrayLike, npt.ArrayLike]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Two (scores, ids) candidate lists of one query as one, best first, each id once
    (its best score); negative ids are padding and dropped. Scores must be comparable:
    the same retriever and query, searched over two sets of allowed ids."""
    scores = np.concatenate([np.ravel(first[0]), np.ravel(second[0])]).astype(np.float64)
    ids = np.concatenate([np.ravel(first[1]), np.ravel(second[1])]).astype(np.int64)
    real = ids >= 0
    scores, ids = scores[real], ids[real]
    order = np.argsort(-scores, kind="stable")
    scores, ids = scores[order], ids[order]
    _, first = np.unique(ids, return_index=True)  # an id's first place is its best
    keep = np.sort(first)
    return scores[keep], ids[keep]


def period_distance(
    published: npt.NDArray[np.float64], *, start: float | None, end: float | None
) -> npt.NDArray[np.float64]:
    """Days from each publication time (epoch seconds) to the period [start, end] (either
    end open): 0 inside it, infinite when undated."""
    before = np.zeros_like(published) if start is None else np.maximum(start - published, 0.0)
    after = np.zeros_like(published) if end is None else np.maximum(published - end, 0.0)
    return np.where(np.isnan(published), np.inf, (before + after) / 86_400.0)


def browse_order(
    published: npt.NDArray[np.float64],
    story_ids: npt.NDArray[np.int64],
    *,
    newest_first: bool,
    distance: npt.NDArray[np.float64] | None = None,
) -> npt.NDArray[np.intp]:
    """Positions of candidate articles for a question that names no topic, best first,
    one article per story cluster (story -1: not clustered).

    Closest to the question's period first when `distance` (days) is given; then the
    stories most outlets covered (articles of one cluster among the candidates) and the
    newest, or with `newest_first` the newest and then the most covered. Undated last.
    """
    stories = np.asarray(story_ids, dtype=np.int64)
    count = len(stories)
    coverage = np.ones(count, dtype=np.float64)
    clustered = stories >= 0
    if clustered.any():
        _, inverse, counts = np.unique(stories[clustered], return_inverse=True, return_counts=True)
        coverage[clustered] = counts[inverse]
    newest = np.where(np.isnan(published), -np.inf, published)
    near = np.zeros(count) if distance is None else np.asarray(distance, dtype=np.float64)
    ties = np.arange(count)
    if newest_first:
        order = np.lexsort((ties, -coverage, -newest, near))  # the last key sorts first
    else:
        order = np.lexsort((ties, -newest, -coverage, near))
    ordered = stories[order]
    keep = np.ones(count, dtype=bool)
    in_story = np.flatnonzero(ordered >= 0)
    _, first = np.unique(ordered[in_story], return_index=True)
    keep[in_story] = False
    keep[in_story[first]] = True
    return order[keep]
