"""Time multipliers: which prior a question's time selects, and how they combine."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from retrieval.query import QueryPlan
from retrieval.search_settings import SearchSettings, time_multipliers
from retrieval.types import DateRange, SearchFilters

AS_OF = datetime(2022, 8, 19, 23, 59, tzinfo=UTC)
DAY = 86_400.0
# Published 0, 10 and 60 days before the as-of time, and one undated chunk.
PUBLISHED = np.array([AS_OF.timestamp() - d * DAY for d in (0, 10, 60)] + [np.nan])
THIS_WEEK = DateRange(datetime(2022, 8, 15, tzinfo=UTC), AS_OF)


def plan(**kwargs: object) -> QueryPlan:
    return QueryPlan("q", filters=SearchFilters(as_of=AS_OF), **kwargs)  # type: ignore[arg-type]


def test_no_time_named_gets_the_mild_background_prior() -> None:
    settings = SearchSettings(background_half_life_days=30, background_floor=0.7)
    factor = time_multipliers(plan(), PUBLISHED, settings)
    assert factor == pytest.approx([1.0, 0.7 + 0.3 * 0.5 ** (1 / 3), 0.7 + 0.3 * 0.25, 0.7])
    off = SearchSettings(background_half_life_days=0)
    assert time_multipliers(plan(), PUBLISHED, off) == 1.0


def test_a_named_period_replaces_the_background_prior() -> None:
    settings = SearchSettings(period_floor=0.3, period_lag_days=2, period_min_half_life_days=3)
    factor = time_multipliers(plan(period=THIS_WEEK), PUBLISHED, settings)
    assert factor[0] == 1.0
    assert 0.3 < factor[2] < factor[1] < 1.0
    assert factor[3] == 0.3  # undated
    # As a filter the period is applied by the catalog, not by multipliers.
    assert time_multipliers(plan(period=THIS_WEEK), PUBLISHED, SearchSettings(
        period_mode="filter", background_half_life_days=0)) == 1.0  # fmt: skip


def test_latest_and_a_period_multiply() -> None:
    settings = SearchSettings()
    both = time_multipliers(plan(period=THIS_WEEK, recency=True), PUBLISHED, settings)
    period = time_multipliers(plan(period=THIS_WEEK), PUBLISHED, settings)
    latest = time_multipliers(plan(recency=True), PUBLISHED, settings)
    assert both == pytest.approx(np.asarray(period) * np.asarray(latest))


def test_reference_is_the_newest_candidate_without_as_of() -> None:
    newest_first = time_multipliers(QueryPlan("q"), PUBLISHED + 400 * DAY, SearchSettings())
    assert newest_first[0] == 1.0
    assert newest_first[2] < newest_first[1] < 1.0
