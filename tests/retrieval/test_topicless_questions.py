"""Questions that name no topic: the rule that spots them, weekend periods, the pure
ranking of their articles, the catalog's leads, and the digest and caveat texts."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from retrieval.assistant import digest, period_caveat
from retrieval.catalog import ChunkCatalog
from retrieval.dates import date_range_from_question, describe_range
from retrieval.fusion import browse_order, merge_candidates, period_distance
from retrieval.query import names_no_topic, understand
from retrieval.types import DateRange, Passage, SearchFilters

NOW = datetime(2024, 11, 15, 14, 30, tzinfo=UTC)  # a Friday
SUNDAY = datetime(2024, 11, 17, 10, 0, tzinfo=UTC)
DAY = 86_400.0
END = timedelta(microseconds=1)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# -- the rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rest", "timed", "expected"),
    [
        ("What happened?", True, True),
        ("", True, True),  # the question was nothing but a date: "yesterday?"
        ("Tell me the news", False, True),  # news words alone ask for news
        ("What's new?", False, True),
        ("Give me the top 5 stories", True, True),  # numbers are no topic
        ("What about him?", False, False),  # stop words only, and no news asked for
        ("What is 42?", False, False),
        ("Who said what about it?", False, False),  # a follow-up, not a request for news
        ("Where did he go?", False, False),
        ("", False, False),
        ("What happened to stock markets?", True, False),
        ("Any news about Ukraine?", False, False),
        ("What happened in Paris?", True, False),
    ],
)
def test_names_no_topic(rest: str, timed: bool, expected: bool) -> None:
    assert names_no_topic(rest, timed=timed) is expected


@pytest.mark.parametrize(
    ("question", "browse", "recency", "has_period"),
    [
        ("What happened yesterday?", True, False, True),
        ("Tell me the latest news", True, True, False),
        ("news from last week", True, False, True),
        ("anything new today?", True, False, True),
        ("What's new?", True, False, False),
        ("What's going on?", True, False, False),
        ("Summarize yesterday's headlines", True, False, True),
        ("What happened over the weekend?", True, False, True),
        ("yesterday?", True, False, True),
        ("What did CNN report yesterday?", True, False, True),
        ("What did CNN report?", True, False, False),
        ("What happened to stock markets last week?", False, False, True),
        ("What is the latest on the Gaza ceasefire?", False, True, False),
        ("Which film had the biggest opening weekend?", False, False, False),
        ("What about him?", False, False, False),
        # "US" tokenises to the stop word "us", and a number can be the topic.
        ("What happened in the U.S. yesterday?", False, False, True),
        ("What's the latest news in the US?", False, True, False),
        ("What happened on 9/11?", False, False, False),
        ("What are the top 5 stories today?", True, False, True),
    ],
)
def test_understand_marks_questions_without_a_topic(
    question: str, browse: bool, recency: bool, has_period: bool
) -> None:
    plan = understand(question, now=NOW, known_sources=["CNN", "Reuters"])
    assert plan.browse is browse
    assert plan.recency is recency
    assert (plan.period is not None) is has_period


def test_a_topic_question_keeps_its_search_text() -> None:
    plan = understand("What happened in Paris yesterday according to Reuters?", now=NOW,
                      known_sources=["Reuters"])  # fmt: skip
    assert plan.text == "What happened in Paris?"
    assert plan.filters.sources == ("Reuters",)
    assert not plan.browse


def test_a_date_only_question_searches_its_own_words() -> None:
    plan = understand("yesterday?", now=NOW)
    assert plan.text == "yesterday?"  # something to encode, though nothing is matched


# -- weekends ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "now", "saturday", "text"),
    [
        ("What happened over the weekend?", NOW, utc(2024, 11, 9), "What happened?"),
        ("What happened this weekend?", NOW, utc(2024, 11, 9), "What happened?"),
        ("Who won this past weekend?", NOW, utc(2024, 11, 9), "Who won?"),
        ("news from last weekend", NOW, utc(2024, 11, 9), "news"),
        ("What happened this weekend?", SUNDAY, utc(2024, 11, 16), "What happened?"),
        ("What happened last weekend?", SUNDAY, utc(2024, 11, 9), "What happened?"),
    ],
)
def test_weekends_run_from_saturday_to_sunday(
    question: str, now: datetime, saturday: datetime, text: str
) -> None:
    found, rest = date_range_from_question(question, now=now)
    # A weekend still under way ends now.
    assert found == DateRange(saturday, min(now, saturday + timedelta(days=2) - END))
    assert rest == text


@pytest.mark.parametrize(
    "question", ["Which film had the biggest opening weekend?", "Weekend sales hit a record"]
)
def test_a_weekend_that_names_no_time_is_left_alone(question: str) -> None:
    assert date_range_from_question(question, now=NOW) == (None, question)


def test_weekend_in_a_timezone() -> None:
    found, _ = date_range_from_question("What happened this weekend?", now=NOW,
                                        timezone="Asia/Seoul")  # fmt: skip
    assert found == DateRange(utc(2024, 11, 8, 15), utc(2024, 11, 10, 15) - END)


# -- ranges in words --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date_range", "timezone", "words"),
    [
        (DateRange(utc(2024, 11, 14), utc(2024, 11, 15) - END), "UTC", "from 14 Nov 2024"),
        (DateRange(NOW - timedelta(days=7), NOW), "UTC", "from 8 Nov 2024 to 15 Nov 2024"),
        (DateRange(utc(2024, 10, 1), None), "UTC", "since 1 Oct 2024"),
        (DateRange(None, utc(2024, 10, 1)), "UTC", "until 1 Oct 2024"),
        (DateRange(utc(2024, 11, 13, 15), utc(2024, 11, 14, 15) - END), "Asia/Seoul",
         "from 14 Nov 2024"),
    ],
)  # fmt: skip
def test_describe_range(date_range: DateRange, timezone: str, words: str) -> None:
    assert describe_range(date_range, timezone) == words


# -- pure ranking -----------------------------------------------------------------------


def test_merge_candidates_keeps_each_id_once_best_first() -> None:
    scores, ids = merge_candidates(
        (np.array([0.9, 0.5, -np.inf]), np.array([1, 2, -1])),
        (np.array([0.7, 0.5, 0.2]), np.array([3, 2, 4])),
    )
    assert ids.tolist() == [1, 3, 2, 4]
    assert scores.tolist() == [0.9, 0.7, 0.5, 0.2]


def test_period_distance_in_days() -> None:
    published = np.array([0.0, 5 * DAY, 12 * DAY, math.nan])
    distance = period_distance(published, start=2 * DAY, end=10 * DAY)
    assert distance.tolist() == [2.0, 0.0, 2.0, math.inf]
    assert period_distance(published[:3], start=None, end=None).tolist() == [0.0] * 3


def test_browse_order_puts_the_most_covered_story_first_and_collapses_it() -> None:
    # positions: 0 old single, 1 and 2 one story of two outlets, 3 newest single, 4 undated
    published = np.array([1 * DAY, 2 * DAY, 3 * DAY, 4 * DAY, math.nan])
    stories = np.array([-1, 7, 7, -1, -1])
    assert browse_order(published, stories, newest_first=False).tolist() == [2, 3, 0, 4]
    assert browse_order(published, stories, newest_first=True).tolist() == [3, 2, 0, 4]


def test_browse_order_puts_the_nearest_to_the_period_first() -> None:
    published = np.array([1 * DAY, 20 * DAY, 9 * DAY])
    distance = period_distance(published, start=10 * DAY, end=11 * DAY)
    order = browse_order(published, np.full(3, -1), newest_first=False, distance=distance)
    assert order.tolist() == [2, 1, 0]


# -- the catalog ------------------------------------------------------------------------


def catalog() -> ChunkCatalog:
    # article 1: chunks 10, 11 (day 1); article 2: chunks 12, 13 (day 3, story 5);
    # article 3: chunk 14 (day 3, story 5); article 4: chunk 15 (undated)
    return ChunkCatalog.from_rows(
        [
            (10, 1, utc(2024, 11, 1), "A", None),
            (11, 1, utc(2024, 11, 1), "A", None),
            (12, 2, utc(2024, 11, 3), "B", 5),
            (13, 2, utc(2024, 11, 3), "B", 5),
            (14, 3, utc(2024, 11, 3, 6), "C", 5),
            (15, 4, None, "A", None),
        ]
    )


def test_leads_are_the_first_allowed_chunk_of_each_article() -> None:
    chunks, articles, stories, _ = catalog().leads(None)
    assert chunks.tolist() == [10, 12, 14, 15]
    assert articles.tolist() == [1, 2, 3, 4]
    assert stories.tolist() == [-1, 5, 5, -1]
    assert catalog().leads(np.array([13, 11, 99]))[0].tolist() == [11, 13]


def test_published_in() -> None:
    inside = catalog().published_in([10, 12, 15, 99, -1], DateRange(utc(2024, 11, 2), None))
    assert inside.tolist() == [False, True, False, False, False]


def test_browse_lists_the_period_else_the_nearest_articles() -> None:
    chunks, _, _ = catalog().browse(
        SearchFilters(), DateRange(utc(2024, 11, 3), utc(2024, 11, 4)), newest_first=False,
        limit=10,
    )  # fmt: skip
    assert chunks.tolist() == [14]  # one article of story 5: its newest
    empty_period = DateRange(utc(2024, 11, 6), utc(2024, 11, 7))
    chunks, _, _ = catalog().browse(SearchFilters(), empty_period, newest_first=False, limit=10)
    assert chunks.tolist() == [14, 10, 15]
    chunks, _, _ = catalog().browse(SearchFilters(sources=("A",)), None, newest_first=True,
                                    limit=1)  # fmt: skip
    assert chunks.tolist() == [10]


# -- digest and caveat ------------------------------------------------------------------


def passage(n: int, published: datetime | None, text: str = "One. Two.") -> Passage:
    return Passage(
        chunk_id=100 + n,
        article_id=n,
        title=f"Title {n}",
        source="Wire",
        published_at=published,
        url=None,
        text=text,
        score=1.0,
    )


LAST_WEEK = DateRange(utc(2024, 11, 8), utc(2024, 11, 15))


def test_no_caveat_when_one_cited_article_is_from_the_period() -> None:
    cited = [passage(1, utc(2020, 1, 1)), passage(2, utc(2024, 11, 10))]
    assert period_caveat(cited, LAST_WEEK) is None


@pytest.mark.parametrize(
    ("dates", "side"),
    [
        ([utc(2020, 1, 1), utc(2023, 5, 1)], "older"),
        ([utc(2024, 11, 16)], "later"),
        ([utc(2020, 1, 1), utc(2024, 11, 16)], "other"),
        ([utc(2020, 1, 1), None], "other"),
    ],
)
def test_caveat_when_no_cited_article_is_from_the_period(
    dates: list[datetime | None], side: str
) -> None:
    cited = [passage(i, d) for i, d in enumerate(dates)]
    caveat = period_caveat(cited, LAST_WEEK)
    assert caveat == f"Nothing from 8 Nov 2024 to 15 Nov 2024; {side} coverage:"


def test_the_caveat_names_the_outlets_the_question_named() -> None:
    cited = [passage(1, datetime(2024, 11, 1, tzinfo=UTC))]
    caveat = period_caveat(cited, LAST_WEEK, outlets=["CNN"])
    assert caveat == "Nothing from 8 Nov 2024 to 15 Nov 2024 (CNN); older coverage:"


def test_digest_cites_one_headline_per_article() -> None:
    # Leads and headlines in detail: tests/retrieval/test_headlines.py.
    text, citations = digest(
        [passage(1, NOW, "First story here."), passage(2, NOW, "Second story here.")],
        "News from 15 Nov 2024:",
    )
    assert text.splitlines() == ["News from 15 Nov 2024:", "• Title 1 [1]", "• Title 2 [2]"]
    assert [c.passage.article_id for c in citations] == [1, 2]
