"""The same-event rule on its own: a close vector within the window, the closest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from retrieval.same_event import EventMemory, EventSettings

T0 = datetime(2022, 10, 4, tzinfo=UTC)


def _unit(*values: float) -> np.ndarray:
    row = np.asarray(values, dtype=np.float32)
    return row / np.linalg.norm(row)


def test_the_closest_held_article_within_the_window_is_the_one_repeated() -> None:
    memory = EventMemory(EventSettings(cosine=0.9, window=timedelta(days=2)))
    memory.hold(1, _unit(1, 0.2, 0), T0)
    memory.hold(2, _unit(1, 0.05, 0), T0)
    memory.hold(3, _unit(1, 0, 0), T0 - timedelta(days=3))  # closest, but too old

    assert memory.same_event(_unit(1, 0, 0), T0 + timedelta(days=1)) == 2
    assert memory.same_event(_unit(0, 1, 0), T0) is None  # nothing close enough
    assert memory.same_event(_unit(1, 0, 0), T0 + timedelta(days=2, seconds=1)) is None


def test_an_empty_memory_repeats_nothing() -> None:
    assert EventMemory().same_event(_unit(1, 0), T0) is None


@pytest.mark.parametrize(
    "values", [{"cosine": 0.0}, {"cosine": 1.5}, {"window": timedelta(days=-1)}]
)
def test_settings_out_of_range_are_refused(values: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="must"):
        EventSettings(**values)  # type: ignore[arg-type]
