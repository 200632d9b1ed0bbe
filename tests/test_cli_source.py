"""`newsbot ask --source OUTLET` reads the outlet as a question does: a spelling of an indexed
outlet filters on it, and an outlet with no articles is said in one line, not a bare
"not found"."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import _ask, _parser, source_options
from bot.runtime import Runtime
from index.types import Article
from tests.conftest import sqlite_url
from tests.small_corpus import index_articles, make_runtime, make_settings

WHEN = datetime(2026, 3, 2, tzinfo=UTC)
PORT = "Dock workers at the port of Rotterdam went on strike over pay on Monday."
FLOOD = "Floods in Porto Alegre forced thousands from their homes after days of rain."


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    runtime = make_runtime(make_settings(sqlite_url(tmp_path), tmp_path / "data"))
    index_articles(
        runtime,
        [
            Article("Rotterdam port strike", PORT, "Reuters", WHEN, "https://r.example/1"),
            Article("Porto Alegre floods", FLOOD, "The Guardian", WHEN, "https://g.example/1"),
        ],
    )
    yield runtime
    await runtime.aclose()


async def _run(runtime: Runtime, *argv: str) -> int:
    return await _ask(runtime, _parser().parse_args(["ask", *argv]))


@pytest.mark.parametrize("spelling", ["reuters.com", "reuters", "Reuters"])
async def test_a_spelling_of_an_indexed_outlet_filters_on_it(
    runtime: Runtime, spelling: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await _run(runtime, "port strike in Rotterdam", "--source", spelling, "--json") == 0
    out = capsys.readouterr()
    payload = json.loads(out.out)
    assert payload["citations"]
    assert {p["source"] for p in payload["passages"]} == {"Reuters"}
    assert out.err == ""


async def test_the_guardian_spelled_without_its_article(
    runtime: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    await _run(runtime, "floods in Porto Alegre", "--source", "Guardian", "--json")
    payload = json.loads(capsys.readouterr().out)
    assert {p["source"] for p in payload["passages"]} == {"The Guardian"}


async def test_an_outlet_with_no_articles_is_said_and_all_outlets_answer(
    runtime: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    await _run(runtime, "port strike in Rotterdam", "--source", "Le Monde")
    out = capsys.readouterr().out
    first, _, rest = out.partition("\n")
    assert first == "No articles from Le Monde are indexed; answering from all sources."
    assert "Rotterdam port strike" in rest  # answered from the other outlets


async def test_the_note_goes_beside_json(
    runtime: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    await _run(runtime, "port strike", "--source", "Le Monde", "--source", "Reuters", "--json")
    out = capsys.readouterr()
    assert {p["source"] for p in json.loads(out.out)["passages"]} == {"Reuters"}
    assert out.err == "No articles from Le Monde are indexed.\n"


def test_source_options() -> None:
    known = ["BBC News", "Reuters"]
    assert source_options([], known) == ((), None)
    assert source_options(["the BBC", "AP"], known) == (
        ("BBC News",),
        "No articles from AP are indexed.",
    )
    assert source_options(["Financial Times"], ["The Times"]) == (
        (),
        "No articles from Financial Times are indexed; answering from all sources.",
    )
