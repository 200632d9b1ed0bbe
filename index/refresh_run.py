"""One refresh run's mutable tally (phase, counts, ETA), and how it is stopped on request.

`refresh_sources` and `repair_index` (`index/refresh.py`) count into a `RefreshRun`; each
progress point passes a `RefreshProgress` snapshot on and raises `RefreshCancelled` once the
run's cancel event is set (until the DONE phase: then everything is committed).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from index.errors import NewsbotError
from index.refresh_report import DONE, FETCHING, ProgressCallback, RefreshProgress
from index.types import ParseFailure


class RefreshCancelled(NewsbotError):
    """The run was stopped on request (shutdown); what was committed stays."""

    default_message = "The re-index was stopped before it finished."


@dataclass
class RefreshRun:
    """Mutable tally of one run; progress snapshots are made from it."""

    started: float
    sources_total: int
    progress: ProgressCallback | None
    cancel: threading.Event | None
    phase: str = FETCHING
    sources_done: int = 0
    fetched: int = 0
    parsed: int = 0
    embedded: int = 0
    repaired: int = 0  # chunks missing from the index, embedded before the indexing
    pages_done: int = 0  # linked pages of teaser feed entries
    pages_total: int = 0
    expected: int = 0  # articles the indexing phase is expected to see (for the ETA)
    phase_started: float = 0.0
    eta: float | None = None
    keys: dict[int, list[str]] = field(default_factory=dict)  # source id -> article keys
    failed: dict[int, list[ParseFailure]] = field(default_factory=dict)  # of sources read

    def report(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise RefreshCancelled()
        self.show()

    def show(self) -> None:
        """Pass a snapshot on, without the cancel check (for callers that must not raise)."""
        if self.progress is None:
            return
        self.progress(
            RefreshProgress(
                phase=self.phase,
                sources_done=self.sources_done,
                sources_total=self.sources_total,
                articles_fetched=self.fetched,
                articles_parsed=self.parsed,
                chunks_embedded=self.embedded,
                elapsed_seconds=time.monotonic() - self.started,
                eta_seconds=self.eta,
                pages_done=self.pages_done,
                pages_total=self.pages_total,
            )
        )

    def enter(self, phase: str) -> None:
        self.phase, self.phase_started, self.eta = phase, time.monotonic(), None
        if phase == DONE and self.cancel is not None:
            self.cancel = None  # everything is committed: too late to stop
        self.report()
