"""A refresh after a run killed between storing and embedding: the repair is a phase of
its own, counted in the report; the time left counts the chunks still to embed; the index
lock says who holds it and can be waited for."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from index import store
from index.db import session_scope
from index.embedding import HashingEmbedder
from index.fetch import FetchPolicy
from index.pipeline import Indexer, IndexingConfig, NewChunks
from index.refresh import RefreshBusyError, refresh_lock, refresh_sources
from index.refresh_report import (
    DONE,
    FETCHING,
    INDEXING,
    REPAIRING,
    RefreshProgress,
    indexing_eta,
)
from index.types import Article
from tests.news_site import FETCH_TIMEOUT, story

ROOT = Path(__file__).resolve().parents[2]
LOCAL = FetchPolicy(allow_private=True, timeout_seconds=FETCH_TIMEOUT)


class Killed(BaseException):
    """SIGKILL stand-in: nothing after it runs."""


def _killed(chunks: NewChunks) -> None:
    raise Killed


def _indexer(sessions: sessionmaker[Session], index_dir: Path) -> Indexer:
    # One chunk per progress report: the tests see every step of the embedding.
    config = IndexingConfig(embed_slice=1)
    return Indexer(
        session_factory=sessions, embedder=HashingEmbedder(64), index_dir=index_dir, config=config
    )


def _articles(n: int) -> list[Article]:
    return [
        Article(title=s.title, body=s.body, source="Farm Weekly", url=f"https://farm.example/{i}")
        for i, s in enumerate(story(f"file{i}", f"harvest {i}", i + 1) for i in range(n))
    ]


def _chunk_count(sessions: sessionmaker[Session]) -> int:
    with session_scope(sessions) as session:
        return store.chunk_count(session=session)


def test_a_refresh_repairs_in_a_phase_of_its_own_and_counts_it(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    killed = _indexer(session_factory, index_dir)
    killed.open()
    with pytest.raises(Killed):  # stored, embedded in memory, never saved
        killed.ingest(_articles(4), on_chunks=_killed)
    stored = _chunk_count(session_factory)
    assert stored >= 4

    seen: list[RefreshProgress] = []
    report = refresh_sources(
        _indexer(session_factory, index_dir), session_factory, policy=LOCAL, progress=seen.append
    )
    assert (report.repaired, report.new, report.chunks_embedded) == (stored, 0, 0)
    assert report.as_summary()["repaired"] == stored
    phases = list(dict.fromkeys(p.phase for p in seen))
    assert phases == [FETCHING, REPAIRING, INDEXING, DONE]
    repairing = [p for p in seen if p.phase == REPAIRING]
    assert [p.chunks_embedded for p in repairing] == list(range(stored + 1))
    assert all(p.eta_seconds is not None for p in repairing[1:])
    assert repairing[-1].eta_seconds == 0
    # The run's progress keeps counting the repaired chunks.
    assert [p.chunks_embedded for p in seen if p.phase == INDEXING][-1] == stored

    again = refresh_sources(_indexer(session_factory, index_dir), session_factory, policy=LOCAL)
    assert again.repaired == 0


def test_the_time_left_counts_the_chunks_still_to_embed(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """Every article is read and stored long before its chunks are embedded: the time
    left is not 0 while chunks wait (it said "About 0 s left" with 460 to go)."""
    folder = tmp_path / "articles"
    folder.mkdir()
    for i, article in enumerate(_articles(6)):
        data = {"title": article.title, "body": article.body, "source": article.source}
        (folder / f"story{i}.json").write_text(json.dumps(data), encoding="utf-8")
    with session_scope(session_factory) as session:
        store.add_source(session=session, kind="folder", location=str(folder))

    seen: list[RefreshProgress] = []
    report = refresh_sources(
        _indexer(session_factory, tmp_path / "index"),
        session_factory,
        policy=LOCAL,
        progress=seen.append,
    )
    total = report.chunks_embedded
    assert total >= 6
    embedding = [p for p in seen if p.phase == INDEXING and 0 < p.chunks_embedded < total]
    assert embedding
    assert all(p.articles_parsed == 6 for p in embedding)  # everything read already
    for progress in embedding:
        assert progress.eta_seconds is not None
        assert progress.eta_seconds > 0, progress


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        # All 60 read, 256 chunks embedded in 10 s, 460 waiting: 460 at 25.6 per second.
        ({"parsed": 60, "expected": 60, "embedded": 256, "pending": 460}, 460 / 25.6),
        # Half read: the other half is expected to bring as many chunks again.
        ({"parsed": 30, "expected": 60, "embedded": 100, "pending": 0}, 10.0),
        # Nothing embedded yet while chunks wait: no pace to go by.
        ({"parsed": 60, "expected": 60, "embedded": 0, "pending": 460}, None),
        # Only articles already indexed so far: their own pace.
        ({"parsed": 20, "expected": 60, "embedded": 0, "pending": 0}, 20.0),
        ({"parsed": 0, "expected": 60, "embedded": 0, "pending": 0}, None),
        ({"parsed": 60, "expected": 60, "embedded": 716, "pending": 0}, 0.0),
    ],
)
def test_indexing_eta(state: dict[str, int], expected: float | None) -> None:
    eta = indexing_eta(elapsed=10.0, **state)
    assert eta == (pytest.approx(expected) if expected is not None else None)


def test_the_lock_names_the_process_that_holds_it(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from index.refresh import refresh_lock\n"
            "with refresh_lock(Path(sys.argv[1])):\n"
            "    print('held', flush=True); sys.stdin.read()",
            str(index_dir),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"
        with pytest.raises(RefreshBusyError) as refused, refresh_lock(index_dir):
            pass
        assert refused.value.holder == holder.pid
        assert refused.value.user_message == (
            f"An ingest or re-index is already running (pid {holder.pid}). "
            "Try again when it has finished."
        )
    finally:
        holder.communicate("", timeout=30)
    with refresh_lock(index_dir):  # free again; a holder killed holding it frees it too
        pass


def test_a_waiting_writer_gets_the_lock_when_the_holder_lets_go(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    told: list[int | None] = []
    waiting = threading.Event()
    acquired = threading.Event()

    def second() -> None:
        def wait_told(holder: int | None) -> None:
            told.append(holder)
            waiting.set()

        with refresh_lock(index_dir, waiting=wait_told):
            acquired.set()

    with refresh_lock(index_dir):
        thread = threading.Thread(target=second)
        thread.start()
        assert waiting.wait(timeout=30)
        assert not acquired.is_set()
    thread.join(timeout=30)
    assert acquired.is_set()
    assert told == [os.getpid()]
