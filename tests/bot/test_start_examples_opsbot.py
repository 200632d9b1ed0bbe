"""/start's example topics drop the site's name pages put after a headline (" | CNN",
" - BBC News", "– 24/7 Wall St."), and keep a dash that belongs to the headline."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.cli_run import build_service
from bot.start_examples import example_topic
from tests.conftest import sqlite_url
from tests.small_corpus import index_articles, make_runtime, make_settings, sample_articles


@pytest.mark.parametrize(
    ("title", "topic"),
    [
        (
            "CDC activates Emergency Operations Center for monkeypox | CNN",
            "CDC activates Emergency Operations Center for monkeypox",
        ),
        ("Storm hits the coast - BBC News", "Storm hits the coast"),
        ("US set to offer vaccines — The Washington Post", "US set to offer vaccines"),
        ("Mars rover finds water | Science | The Guardian", "Mars rover finds water"),
        ("Inside the bid to expand NATO - CNNPolitics", "Inside the bid to expand NATO"),
        ("How Each State Got Its Name – 24/7 Wall St.", "How Each State Got Its Name"),
        ("Gas prices fall again | CNN ...", "Gas prices fall again"),  # a cut title
    ],
)
def test_a_site_suffix_is_cut(title: str, topic: str) -> None:
    assert example_topic(title) == topic


@pytest.mark.parametrize(
    "title",
    [
        "Biden - Putin summit ends without a deal",
        "Ford behind in electric vehicle race — and CEO Farley has to fix it",
        "Oil Prices Rise – What It Means",
        "Kyiv invasion intensifies as explosions rock Ukraine - live updates",
    ],
)
def test_a_dash_of_the_headline_stays(title: str) -> None:
    assert example_topic(title) == title


async def test_start_topics_from_the_index_carry_no_outlet_suffix(tmp_path: Path) -> None:
    runtime = make_runtime(make_settings(sqlite_url(tmp_path), tmp_path / "data"))
    articles = [
        dataclasses.replace(article, title=f"{article.title} | CNN")
        for article in sample_articles(6)
    ]
    index_articles(runtime, articles)
    service = build_service(runtime)
    try:
        topics = await service.example_questions(3)
    finally:
        service.assistant.searcher.close()
        await runtime.aclose()
    assert topics
    assert not [topic for topic in topics if "CNN" in topic or "|" in topic]
