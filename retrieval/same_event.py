"""One event, one alert: is a new article another write-up of an event a chat was alerted to?

Stories (`index/story_clusters.py`) group copies of one text only; two outlets writing up
one missile launch are two stories, and a subscriber got one alert for each. Here two
articles report the same event when their vectors (the mean of their chunk vectors, see
`bot/alerts_events.py`) are very close and they were published within `SAME_EVENT_WINDOW`
of each other. The cut was chosen on hand-labelled pairs (`bench/same_event_pairs.py`) to
almost never take two different events for one: a missed alert is worse than a repeated
one. Follow-ups (tributes after a death, the analysis a day later) count as other events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from index.protocols import FloatMatrix

SAME_EVENT_COSINE = 0.93  # 1 of 61 other-event pairs above it; 0.92: 1, 0.90: 10
SAME_EVENT_WINDOW = timedelta(days=2)  # of publication time; later news is news again


@dataclass(frozen=True)
class EventSettings:
    """`cosine`: how close two articles' vectors must be; `window`: how far apart in
    publication time two write-ups of one event may be."""

    cosine: float = SAME_EVENT_COSINE
    window: timedelta = SAME_EVENT_WINDOW

    def __post_init__(self) -> None:
        if not 0.0 < self.cosine <= 1.0:
            raise ValueError("cosine must be between 0 (excluded) and 1")
        if self.window < timedelta(0):
            raise ValueError("window must not be negative")


@dataclass
class EventMemory:
    """The articles one subscription has as alerts: unit vectors and publication times."""

    settings: EventSettings = field(default_factory=EventSettings)
    _ids: list[int] = field(default_factory=list)
    _vectors: list[FloatMatrix] = field(default_factory=list)
    _times: list[datetime] = field(default_factory=list)

    def hold(self, article_id: int, vector: FloatMatrix, published: datetime) -> None:
        self._ids.append(article_id)
        self._vectors.append(np.asarray(vector, dtype=np.float32).ravel())
        self._times.append(published)

    def same_event(self, vector: FloatMatrix, published: datetime) -> int | None:
        """The held article this one repeats (the closest), or None."""
        return first_same_event(
            np.asarray(vector, dtype=np.float32).ravel(),
            published,
            self._ids,
            self._vectors,
            self._times,
            self.settings,
        )


def first_same_event(
    vector: FloatMatrix,
    published: datetime,
    ids: Sequence[int],
    vectors: Sequence[FloatMatrix],
    times: Sequence[datetime],
    settings: EventSettings,
) -> int | None:
    """Of the articles `ids` (unit `vectors`, publication `times`), the one closest to
    `vector` among those within the window of `published` and at least `settings.cosine`
    close; None when there is none."""
    near = [i for i, when in enumerate(times) if abs(when - published) <= settings.window]
    if not near:
        return None
    cosines = np.stack([vectors[i] for i in near]) @ vector
    best = int(np.argmax(cosines))
    return ids[near[best]] if float(cosines[best]) >= settings.cosine else None
