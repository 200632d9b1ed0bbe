"""Questions that name only a time, or a topic and a time, through the whole question path:
the real pipeline stores and indexes Wikinews samples plus a few fresh articles into SQLite
and FAISS (hashing embedder), and `NewsAssistant.ask` answers as the bot does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from index.types import Article
from retrieval.assistant import NewsAssistant
from retrieval.types import Answer, AnswerMode
from tests.conftest import sqlite_url
from tests.small_corpus import index_articles, make_runtime, make_settings, sample_articles

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # a Tuesday
YESTERDAY = NOW - timedelta(days=1)

TRAM = "City council approves new tram line"
MARKETS = "Stock markets fall as oil prices jump"
STORM = "Storm cuts power to thousands on the coast"
STORM_COPY = "Storm cuts power to thousands along the coast"
UNDATED = "Museum reopens after renovation"

STORM_BODY = (
    "A winter storm brought winds of 120 km/h to the coast on Monday, cutting power to "
    "40,000 homes. Ferries were cancelled and schools will stay closed on Tuesday, the "
    "regional government said. Crews worked through the night to restore the lines, and "
    "the weather service warned of more wind and heavy rain for the rest of the week."
)


def fresh(title: str, body: str, source: str, hour: int) -> Article:
    return Article(
        title=title,
        body=body,
        source=source,
        published_at=YESTERDAY.replace(hour=hour),
        url=f"https://{source.lower().replace(' ', '')}.example/{hour}",
    )


FRESH = [
    fresh(
        TRAM,
        "The city council voted on Monday to approve a new tram line linking the harbour "
        "to the university district. Construction starts next spring and will cost 400 "
        "million euros, officials said.",
        "Daily Courier",
        9,
    ),
    fresh(
        MARKETS,
        "Stock markets in Europe and Asia fell sharply on Monday after oil prices jumped "
        "6 percent. The FTSE lost 2 percent and the Nikkei dropped 1.8 percent as traders "
        "moved into bonds and gold.",
        "Market Wire",
        16,
    ),
    fresh(STORM, STORM_BODY, "Coast News", 11),
    # The same story syndicated by a second outlet: one story cluster, two articles.
    fresh(STORM_COPY, STORM_BODY + " Updated.", "Harbour Post", 12),
]
# An undated article: nothing says it is from yesterday, or recent at all.
NO_DATE = Article(
    title=UNDATED,
    body="The city museum reopened its doors after a two-year renovation of its halls.",
    source="Daily Courier",
    published_at=None,
    url="https://dailycourier.example/museum",
)


@dataclass
class Bot:
    assistant: NewsAssistant

    async def ask(self, question: str) -> Answer:
        return await self.assistant.ask(question, now=NOW)


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    runtime = make_runtime(make_settings(sqlite_url(tmp_path), tmp_path / "data"))
    old = sample_articles(30)
    assert all(
        a.published_at is not None and a.published_at < NOW - timedelta(days=30) for a in old
    )
    report = index_articles(runtime, [*old, *FRESH, NO_DATE])
    assert report.new == len(old) + len(FRESH) + 1
    assistant = runtime.assistant(runtime.searcher(runtime.open_index()))
    async with assistant.searcher:
        yield Bot(assistant)
    await runtime.aclose()


def cited_titles(answer: Answer) -> list[str]:
    return [c.passage.title for c in answer.citations]


async def test_what_happened_yesterday_lists_yesterdays_articles(bot: Bot) -> None:
    answer = await bot.ask("What happened yesterday?")
    assert answer.mode is AnswerMode.EXTRACTIVE
    titles = cited_titles(answer)
    # Every story of yesterday once: the syndicated storm copy is left out, and the storm,
    # covered by two outlets, comes first.
    assert len(titles) == 3
    assert titles[0] in (STORM, STORM_COPY)
    assert set(titles[1:]) == {TRAM, MARKETS}
    assert answer.text.startswith("News from 9 Mar 2026:")
    for citation in answer.citations:
        assert f"[{citation.number}]" in answer.text


async def test_latest_news_lists_the_newest_articles_first(bot: Bot) -> None:
    answer = await bot.ask("Tell me the latest news")
    assert answer.mode is AnswerMode.EXTRACTIVE
    published = [c.passage.published_at for c in answer.citations]
    assert len(published) == 6  # the assistant's default number of passages
    assert None not in published
    assert published == sorted(published, reverse=True)  # type: ignore[type-var]
    assert cited_titles(answer)[0] == MARKETS  # published last
    assert set(cited_titles(answer)[:3]) <= {TRAM, MARKETS, STORM, STORM_COPY}
    assert UNDATED not in cited_titles(answer)


async def test_whats_new_without_a_time_is_the_latest_news(bot: Bot) -> None:
    answer = await bot.ask("What's new?")
    assert cited_titles(answer)[0] == MARKETS


async def test_a_topic_and_a_period_ranks_the_period_first(bot: Bot) -> None:
    answer = await bot.ask("What happened to stock markets last week?")
    assert answer.mode is not AnswerMode.NOT_FOUND
    assert answer.passages[0].title == MARKETS  # the search's ranking
    # The composer picks what it cites; the caveat is there exactly when none is recent.
    recent = [
        c
        for c in answer.citations
        if c.passage.published_at and c.passage.published_at >= NOW - timedelta(days=7)
    ]
    assert answer.text.startswith("Nothing from 3 Mar 2026 to 10 Mar 2026;") == (not recent)


async def test_a_period_holding_no_match_gets_a_caveat(bot: Bot) -> None:
    # Stock market coverage exists, but none from December 2025.
    answer = await bot.ask("What happened to stock markets in December 2025?")
    assert answer.mode is not AnswerMode.NOT_FOUND
    assert answer.text.startswith("Nothing from 1 Dec 2025 to 31 Dec 2025;")
    assert all(
        c.passage.published_at is None or c.passage.published_at.month != 12
        for c in answer.citations
    )


async def test_an_empty_period_lists_the_nearest_articles_with_a_caveat(bot: Bot) -> None:
    answer = await bot.ask("What happened today?")
    assert answer.text.startswith("Nothing from 10 Mar 2026; older coverage:")
    assert cited_titles(answer)[0] in (STORM, STORM_COPY, MARKETS, TRAM)


async def test_an_outlet_without_a_topic_lists_its_newest_articles(bot: Bot) -> None:
    answer = await bot.ask("What did Daily Courier report?")
    assert answer.text.startswith("The latest from Daily Courier:")
    assert cited_titles(answer) == [TRAM, UNDATED]  # dated first, the undated one last


async def test_a_report_from_the_day_after_the_period_needs_no_caveat(bot: Bot) -> None:
    # Sunday's markets, reported on Monday: within the search's reporting lag.
    # (Worded like the article: the test's hashing embedder scores words, not meaning.)
    answer = await bot.ask("Did stock markets in Europe and Asia fall sharply on Sunday?")
    assert MARKETS in cited_titles(answer)
    assert not answer.text.startswith("Nothing"), answer.text
