"""`newsbot sources`, `newsbot reindex` and `newsbot stats`, dispatched as the CLI does."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import cli_admin
from bot.cli import _parser
from bot.runtime import Runtime
from index import store
from index.db import session_scope
from index.errors import BadInputError
from tests.bot.admin_world import make_runtime
from tests.news_site import NewsSite, story


@pytest.fixture
async def site() -> AsyncIterator[NewsSite]:
    async with NewsSite(items=[story("rain", "rain"), story("vote", "election")]) as server:
        yield server


@pytest.fixture
def runtime(tmp_path: Path) -> Runtime:
    return make_runtime(tmp_path / "data")


def _run(runtime: Runtime, *argv: str) -> int | None:
    return cli_admin.dispatch(runtime, _parser().parse_args(list(argv)))


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for i in range(3):
        record = story(f"f{i}", f"harvest {i}", i + 1)
        (folder / f"{i}.json").write_text(
            json.dumps({"title": record.title, "body": record.body, "source": "Farm Weekly"}),
            encoding="utf-8",
        )
    (folder / "README.md").write_text("not an article", encoding="utf-8")
    return folder


async def test_sources_reindex_and_stats(
    runtime: Runtime, site: NewsSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path)
    assert await asyncio.to_thread(_run, runtime, "sources", "add", str(folder)) == 0
    assert capsys.readouterr().out == (
        f"Added folder #1: {folder.resolve()}.\nnewsbot reindex fetches and indexes it.\n"
    )
    assert await asyncio.to_thread(_run, runtime, "sources", "add", site.url("/feed.xml")) == 0
    assert "Added feed #2" in capsys.readouterr().out
    forced = site.url("/missing.xml")
    assert await asyncio.to_thread(_run, runtime, "sources", "add", forced, "--kind", "feed") == 0
    assert "Added feed #3" in capsys.readouterr().out  # told the kind: not fetched now

    assert await asyncio.to_thread(_run, runtime, "reindex", "--quiet") == 0
    out = capsys.readouterr().out
    assert "3 sources: 5 new, 0 updated, 0 already indexed." in out
    assert f"#3 {forced}: The site answered with HTTP 404." in out

    assert _run(runtime, "sources", "list") == 0
    listing = capsys.readouterr().out
    assert f"#1 folder: {folder.resolve()}\n   3 articles, last fetch " in listing
    assert "last error: The site answered with HTTP 404." in listing

    assert _run(runtime, "stats", "--json") == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["corpus"]["articles"] == 5
    assert figures["index"]["kind"] == "flat"
    assert figures["index"]["vectors"] == figures["corpus"]["chunks"]
    assert figures["last_run"]["status"] == "done"
    assert figures["last_run"]["summary"]["trigger"] == "cli"

    assert _run(runtime, "stats") == 0
    assert "Articles: 5 (5 stories)" in capsys.readouterr().out

    assert await asyncio.to_thread(_run, runtime, "reindex", "--full", "--quiet") == 0
    assert "Full re-index finished" in capsys.readouterr().out

    assert _run(runtime, "sources", "remove", "3") == 0
    assert capsys.readouterr().out.startswith("Removed source #3")
    with pytest.raises(BadInputError, match="already a source"):
        await asyncio.to_thread(_run, runtime, "sources", "add", str(folder))
    with pytest.raises(BadInputError, match="no file or folder"):
        await asyncio.to_thread(_run, runtime, "sources", "add", str(tmp_path / "nowhere"))
    with pytest.raises(BadInputError, match="only be a folder"):
        await asyncio.to_thread(_run, runtime, "sources", "add", str(folder), "--kind", "feed")


async def test_reindex_fails_when_every_source_fails(
    runtime: Runtime, site: NewsSite, capsys: pytest.CaptureFixture[str]
) -> None:
    with session_scope(runtime.sessions) as session:
        store.add_source(session=session, kind="feed", location=site.url("/broken.xml"))
    assert await asyncio.to_thread(_run, runtime, "reindex", "--quiet") == 1
    assert "#1 " in capsys.readouterr().out
    assert _run(runtime, "ask", "anything") is None  # not an admin command


def test_stats_show_a_killed_reindex_as_interrupted_but_a_live_one_as_running(
    runtime: Runtime,
) -> None:
    from datetime import UTC, datetime

    from bot.admin_ops import INTERRUPTED, collect_stats
    from index.refresh import refresh_lock

    with session_scope(runtime.sessions) as session:
        store.start_reindex_run(session=session, full=True)  # its process was then killed
    now = datetime.now(UTC)
    # Someone holds the index: the run may be alive, it stays "running".
    with refresh_lock(runtime.index_dir):
        assert collect_stats(runtime, now).last_run.status == "running"
    # Nobody holds it: the run is gone, and stats say so (and record it).
    run = collect_stats(runtime, now).last_run
    assert (run.status, run.error) == ("failed", INTERRUPTED)
    with session_scope(runtime.sessions) as session:
        assert store.last_reindex_run(session=session).status == "failed"
