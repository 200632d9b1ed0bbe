"""ChunkCatalog: filters on numpy columns, lookups, updates."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest

from retrieval.catalog import ChunkCatalog, to_epoch
from retrieval.types import DateRange, SearchFilters


def at(day: int) -> datetime:
    return datetime(2024, 11, day, 12, tzinfo=UTC)


@pytest.fixture
def catalog() -> ChunkCatalog:
    return ChunkCatalog.from_rows(
        [
            (30, 3, at(3), "Reuters", 9),
            (10, 1, at(1), "CNN", -1),
            (11, 1, at(1), "CNN", None),
            (20, 2, at(2), "cnn", 9),
            (40, 4, None, "The Week", None),
            (50, 5, at(5), None, None),
        ]
    )


def allowed(catalog: ChunkCatalog, **filters: object) -> list[int] | None:
    found = catalog.allowed_ids(SearchFilters(**filters))  # type: ignore[arg-type]
    return None if found is None else found.tolist()


def test_no_filter_is_no_restriction(catalog: ChunkCatalog) -> None:
    assert allowed(catalog) is None
    # A filter that everything passes is no restriction either.
    assert allowed(catalog, as_of=at(30)) is None


def test_date_range_is_inclusive_and_drops_undated(catalog: ChunkCatalog) -> None:
    assert allowed(catalog, date_range=DateRange(at(2), at(3))) == [20, 30]
    assert allowed(catalog, date_range=DateRange(None, at(1))) == [10, 11]
    assert allowed(catalog, date_range=DateRange(at(3), None)) == [30, 50]


def test_as_of_hides_later_articles_and_keeps_undated(catalog: ChunkCatalog) -> None:
    assert allowed(catalog, as_of=at(2)) == [10, 11, 20, 40]


def test_sources_match_case_insensitively(catalog: ChunkCatalog) -> None:
    assert allowed(catalog, sources=("CNN",)) == [10, 11, 20]
    assert allowed(catalog, sources=("the week", "REUTERS")) == [30, 40]
    assert allowed(catalog, sources=("Nobody",)) == []


def test_filters_combine(catalog: ChunkCatalog) -> None:
    found = allowed(catalog, sources=("cnn",), date_range=DateRange(at(2), None), as_of=at(9))
    assert found == [20]


def test_lookups_are_parallel_and_tolerate_unknown_ids(catalog: ChunkCatalog) -> None:
    ids = [20, 999, 10, 40]
    assert catalog.article_of(ids).tolist() == [2, -1, 1, 4]
    assert catalog.story_of(ids).tolist() == [9, -1, -1, -1]
    published = catalog.published_of(ids)
    assert published[0] == to_epoch(at(2))
    assert math.isnan(published[1])
    assert math.isnan(published[3])
    assert catalog.article_of(np.array([], dtype=np.int64)).tolist() == []


def test_sources_lists_each_outlet_once(catalog: ChunkCatalog) -> None:
    assert catalog.sources() == ["CNN", "Reuters", "The Week"]


def test_add_replaces_and_remove_forgets(catalog: ChunkCatalog) -> None:
    catalog.add_rows([(20, 7, at(9), "AP", None), (60, 6, at(6), "AP", 3)])
    assert len(catalog) == 7
    assert catalog.article_of([20, 60]).tolist() == [7, 6]
    assert allowed(catalog, sources=("ap",)) == [20, 60]
    assert catalog.remove_chunks([20, 60, 12345]) == 2
    assert catalog.ids().tolist() == [10, 11, 30, 40, 50]
    assert catalog.article_of([20]).tolist() == [-1]
    assert "AP" not in catalog.sources()


def test_from_arrays_takes_epoch_seconds_with_nan_for_undated() -> None:
    catalog = ChunkCatalog.from_arrays(
        np.array([2, 1], dtype=np.int64),
        np.array([5, 5], dtype=np.int64),
        np.array([to_epoch(at(1)), np.nan]),
        ["CNN", None],
        np.array([-1, 4], dtype=np.int64),
    )
    assert catalog.ids().tolist() == [1, 2]
    assert allowed(catalog, as_of=at(1)) is None
    assert allowed(catalog, date_range=DateRange(at(1), at(1))) == [2]


def test_bad_batches_are_refused() -> None:
    catalog = ChunkCatalog()
    with pytest.raises(ValueError, match="same length"):
        catalog.add_arrays([1, 2], [1], [0.0, 0.0], [None, None], [-1, -1])
    with pytest.raises(ValueError, match="duplicate"):
        catalog.add_arrays([1, 1], [1, 1], [0.0, 0.0], [None, None], [-1, -1])
    assert len(catalog) == 0
    assert catalog.allowed_ids(SearchFilters(sources=("CNN",))) is not None
