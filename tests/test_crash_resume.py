"""A `newsbot reindex` killed with SIGKILL at several points, then run again to the end.

After every kill the previous index must still load and the database must be consistent;
the run after the kills must finish the work without duplicates: as many articles as
distinct articles, and index ids equal to chunk ids. The real command line and the real
embedding model run in a subprocess, on a corpus of 72 short wikinews articles (the first
index, of 8 of them, is built in-process with the same model).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from bot import admin_ops
from bot.runtime import Runtime
from bot.settings import Settings
from index.embedding import SentenceTransformerEmbedder
from index.snapshot_io import load_pair

REPO = Path(__file__).resolve().parents[1]
NEWSBOT = Path(sys.executable).parent / "newsbot"
CORPUS = REPO / "samples" / "wikinews" / "articles.jsonl"
FIRST, TOTAL = 8, 72
MODEL, DIMENSION = "all-MiniLM-L6-v2", 384

pytestmark = pytest.mark.slow


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "OPENAI_"))}
    env.update(NEWSBOT_DATA_DIR=str(data_dir), HF_HUB_OFFLINE="1", LOG_LEVEL="WARNING")
    env.pop("DATABASE_URL", None)
    return env


def _newsbot(
    tmp_path: Path, *args: str, timeout: float = 240.0
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(NEWSBOT), *args],
        cwd=tmp_path,  # no .env of the repository is read
        env=_env(tmp_path / "data"),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _write_articles(folder: Path, start: int, stop: int) -> None:
    """Articles cut to their first 100 words: one short chunk each keeps embedding quick."""
    records = CORPUS.read_text(encoding="utf-8").splitlines()
    for number in range(start, stop):
        record = json.loads(records[number])
        record["body"] = " ".join(record["body"].split()[:100])
        (folder / f"{number:03d}.json").write_text(json.dumps(record), encoding="utf-8")


def _query(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as connection:
        return connection.execute(sql).fetchall()


def _count(db: Path, sql: str) -> int:
    try:
        return int(_query(db, sql)[0][0])  # type: ignore[call-overload]
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0


def _kill_when(
    tmp_path: Path, trigger: Callable[[], bool], *, every: float = 0.001, limit: float = 120.0
) -> tuple[bool, str]:
    """Start `newsbot reindex`, SIGKILL it once `trigger()` holds (checked `every` seconds).

    Returns whether it was killed mid-run, and its log.
    """
    log = tmp_path / "reindex.log"
    with open(log, "w", encoding="utf-8") as stderr:
        process = subprocess.Popen(
            [str(NEWSBOT), "reindex", "--quiet"],
            cwd=tmp_path,
            env=_env(tmp_path / "data"),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        deadline = time.monotonic() + limit
        killed = False
        while process.poll() is None and time.monotonic() < deadline:
            if trigger():
                process.send_signal(signal.SIGKILL)
                killed = True
                break
            time.sleep(every)
        if process.poll() is None and not killed:
            process.kill()
        process.wait(timeout=30)
    return killed and process.returncode == -signal.SIGKILL, log.read_text(encoding="utf-8")


def _chunk_ids(db: Path) -> np.ndarray:
    return np.asarray(
        sorted(int(r[0]) for r in _query(db, "SELECT id FROM chunks")),  # type: ignore[call-overload]
        dtype=np.int64,
    )


def _assert_consistent(tmp_path: Path) -> np.ndarray:
    """The database passes its checks and the live index loads; returns the index's ids."""
    db = tmp_path / "data" / "newsbot.db"
    assert _query(db, "PRAGMA integrity_check") == [("ok",)]
    assert _query(db, "PRAGMA foreign_key_check") == []
    articles = _count(db, "SELECT count(*) FROM articles")
    assert articles == _count(db, "SELECT count(DISTINCT key) FROM articles")
    assert articles == _count(db, "SELECT count(DISTINCT content_hash) FROM articles")
    pair = load_pair(tmp_path / "data" / "index", model_name=MODEL, dimension=DIMENSION)
    assert pair is not None
    ids = np.sort(pair.vectors.ids())
    assert np.array_equal(ids, np.sort(pair.keywords.ids()))
    # Every indexed chunk is stored (new chunks may still wait for their vectors).
    assert np.isin(ids, _chunk_ids(db)).all()
    return ids


def _first_index(tmp_path: Path, folder: Path, embedder: SentenceTransformerEmbedder) -> None:
    """The index a killed run must leave serving: built in-process with the same model."""
    settings = Settings(_env_file=None, NEWSBOT_DATA_DIR=tmp_path / "data")  # type: ignore[call-arg]
    runtime = Runtime(settings, embedder=embedder)
    try:
        admin_ops.register_source(runtime, "folder", str(folder))
        assert admin_ops.run_reindex(runtime).new == FIRST
    finally:
        asyncio.run(runtime.aclose())


def test_reindex_killed_at_several_points_resumes_without_duplicates(
    tmp_path: Path, real_embedder: SentenceTransformerEmbedder
) -> None:
    db = tmp_path / "data" / "newsbot.db"
    index_dir = tmp_path / "data" / "index"
    folder = tmp_path / "articles"
    folder.mkdir()
    _write_articles(folder, 0, FIRST)
    _first_index(tmp_path, folder, real_embedder)
    previous = _assert_consistent(tmp_path)
    assert previous.size > 0
    _write_articles(folder, FIRST, TOTAL)

    def committed_more() -> bool:  # a batch of new articles is stored, not yet embedded
        return _count(db, "SELECT count(*) FROM articles") > FIRST

    def writing_snapshot() -> bool:  # a snapshot folder is being filled
        with os.scandir(index_dir) as entries:
            return any(entry.name.startswith(".tmp-") for entry in entries)

    def after(seconds: float) -> Callable[[], bool]:
        start = time.monotonic()
        return lambda: time.monotonic() - start > seconds

    seed = random.randrange(1_000_000)  # shown in failures, to replay the random kill
    kills = []
    for name, trigger, every in (
        ("after a commit, while embedding", committed_more, 0.05),
        ("while writing a snapshot", writing_snapshot, 0.001),
    ):
        killed, log = _kill_when(tmp_path, trigger, every=every)
        kills.append((name, killed))
        ids = _assert_consistent(tmp_path)
        assert np.isin(previous, ids).all(), log  # nothing indexed before was lost
    delay = random.Random(seed).uniform(1.0, 8.0)
    killed, _ = _kill_when(tmp_path, after(delay), every=0.01)
    kills.append((f"after {delay:.1f} s (seed {seed})", killed))
    _assert_consistent(tmp_path)
    assert kills[0][1], kills  # the first kill point is always reached mid-run

    final = _newsbot(tmp_path, "reindex", "--quiet")
    assert final.returncode == 0, final.stderr
    ids = _assert_consistent(tmp_path)
    assert _count(db, "SELECT count(*) FROM articles") == TOTAL
    assert np.array_equal(ids, _chunk_ids(db)), kills
    runs = _query(db, "SELECT status, error FROM reindex_runs ORDER BY id")
    assert runs[-1] == ("done", None)
    assert all(status != "running" for status, _ in runs)

    stats = _newsbot(tmp_path, "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    figures = json.loads(stats.stdout)
    assert figures["corpus"]["articles"] == TOTAL
    assert figures["index"]["vectors"] == ids.size
