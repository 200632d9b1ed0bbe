"""An admin job: its settings, the state the worker keeps up to date, and being refused.

`AdminService` (`bot/admin_service.py`) runs one `AdminJob` at a time; a second request
meanwhile gets `AdminBusyError` carrying the running one.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime

from index.errors import NewsbotError
from index.refresh_report import RefreshProgress, RefreshReport

log = logging.getLogger(__name__)

# The error of a run a later process found still "running" with nobody at work: it was
# killed. When it stopped is not recorded, so it is shown without a duration.
INTERRUPTED = "interrupted: the process stopped before the re-index finished"


@dataclass(frozen=True)
class AdminConfig:
    progress_interval: float = 3.0  # seconds between edits of a progress message
    feed_poll_seconds: float | None = None  # None: feeds are not polled
    index_watch_seconds: float | None = 10.0  # None: snapshots of other processes not watched


@dataclass(eq=False)
class AdminJob:
    """A running index write. kind: "reindex", "full", "poll", "ingest" or "repair"."""

    kind: str
    started_at: datetime
    progress: RefreshProgress | None = None  # replaced by the worker thread as it goes
    report: RefreshReport | None = None
    error: BaseException | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)

    async def wait(self) -> RefreshReport | None:
        """The report once finished (None for /ingest); re-raises the job's error."""
        await self.done.wait()
        if self.error is not None:
            raise self.error
        return self.report


class AdminBusyError(NewsbotError):
    """Another index write is running; `job` is it (with its progress)."""

    default_message = "A re-index is running. Try again when it has finished."

    def __init__(self, job: AdminJob) -> None:
        super().__init__()
        self.job = job


def fail_job(job: AdminJob, exc: Exception) -> None:
    """Record `exc` as the job's error and log it (a NewsbotError as a stop, not a crash)."""
    job.error = exc
    if isinstance(exc, NewsbotError):
        log.info("%s stopped: %s", job.kind, exc.user_message)
    else:
        log.exception("%s failed", job.kind)
