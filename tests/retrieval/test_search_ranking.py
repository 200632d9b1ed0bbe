"""Ranking with the real embedding model on a handful of hand-written news articles."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from index.embedding import SentenceTransformerEmbedder
from retrieval.query import understand
from retrieval.search import HybridSearcher, SearchSettings
from retrieval.types import Passage
from tests.retrieval.search_world import Doc, World, build_world

pytestmark = pytest.mark.slow

NOW = datetime(2024, 11, 15, 12, tzinfo=UTC)


def on(month: int, day: int) -> datetime:
    return datetime(2024, month, day, 8, tzinfo=UTC)


BOK = (
    "The Bank of Korea kept its benchmark interest rate at 3.5 percent on Thursday, citing "
    "household debt and a weak won. Governor Rhee Chang-yong said the board would watch "
    "housing prices in Seoul before any cut.",
    "Economists had expected the pause. Two board members said a rate cut within three "
    "months remained possible if inflation keeps easing toward the 2 percent target.",
)
ARTICLES = [
    Doc("Bank of Korea holds rates steady", BOK, source="Yonhap", published_at=on(11, 14),
        story_id=1),
    Doc("BOK keeps rate at 3.5%", BOK, source="Korea Herald", published_at=on(11, 14),
        story_id=1),
    Doc("Fed cuts rates by a quarter point",
        ("The US Federal Reserve lowered its policy rate by 25 basis points, its second "
         "reduction this year, as officials judged that inflation was cooling and the labour "
         "market had softened.",
         "Chair Jerome Powell told reporters that borrowing costs would fall gradually and "
         "that the central bank was not in a hurry."),
        source="Reuters", published_at=on(11, 7)),
    Doc("North Korea fires ballistic missile into sea",
        ("Pyongyang launched a long-range ballistic missile that flew for 86 minutes before "
         "landing in waters off Japan's west coast, Japanese and South Korean officials said.",
         "The launch came days before the US presidential election; Seoul condemned it as "
         "a provocation."),
        source="AP", published_at=on(10, 31)),
    Doc("Typhoon Kong-rey slams into Taiwan",
        ("Typhoon Kong-rey made landfall on Taiwan's east coast with gusts above 180 km/h, "
         "killing two people and cutting electricity to more than half a million homes.",),
        source="Reuters", published_at=on(10, 31)),
    Doc("Wildfire forces evacuations near Los Angeles",
        ("A fast-moving brush fire driven by Santa Ana winds destroyed dozens of houses in "
         "Ventura County, and thousands of residents were ordered to leave.",),
        source="CNN", published_at=on(11, 7)),
    Doc("Real Madrid win the Champions League",
        ("Real Madrid beat Borussia Dortmund 2-0 at Wembley to lift the European Cup for a "
         "record 15th time; Carvajal and Vinicius Junior scored late in the second half.",),
        source="BBC", published_at=on(6, 2)),
    Doc("EU lawmakers approve AI Act",
        ("The European Parliament gave final approval to the AI Act, the first comprehensive "
         "law regulating artificial intelligence, banning some uses of facial recognition "
         "and imposing duties on developers of powerful models.",),
        source="Reuters", published_at=on(3, 13)),
    Doc("Apple unveils iPhone 16 with AI features",
        ("Apple introduced the iPhone 16, built around its Apple Intelligence software, "
         "with a new camera button and a faster chip.",),
        source="CNN", published_at=on(9, 9)),
    Doc("WHO warns over bird flu in dairy cows",
        ("The World Health Organization said the spread of H5N1 avian influenza among dairy "
         "cattle in the United States was a growing concern, though the risk to people "
         "remained low.",),
        source="AP", published_at=on(7, 20)),
    Doc("Oil prices jump after drone strike on refinery",
        ("Brent crude rose 3 percent after a Ukrainian drone attack set fire to a large "
         "Russian oil refinery, raising fears over fuel supplies.",),
        source="Reuters", published_at=on(11, 13)),
]  # fmt: skip

SOURCES = ("Yonhap", "Korea Herald", "Reuters", "AP", "CNN", "BBC")


@pytest.fixture(scope="module")
def world(real_embedder: SentenceTransformerEmbedder) -> World:
    return build_world(ARTICLES, real_embedder)


def ask(world: World, question: str, k: int = 5) -> list[Passage]:
    plan = understand(question, now=NOW, known_sources=SOURCES)
    return world.searcher.search(plan, k=k)


@pytest.mark.parametrize(
    ("question", "title"),
    [
        ("Did the Bank of Korea change interest rates?", "Bank of Korea holds rates steady"),
        ("Did America's central bank lower borrowing costs?", "Fed cuts rates by a quarter point"),
        ("What did Pyongyang launch?", "North Korea fires ballistic missile into sea"),
        ("Which storm hit Taiwan and how many died?", "Typhoon Kong-rey slams into Taiwan"),
        ("Who won the European football final?", "Real Madrid win the Champions League"),
        ("How is Europe regulating artificial intelligence?", "EU lawmakers approve AI Act"),
        ("Is avian flu a danger to humans?", "WHO warns over bird flu in dairy cows"),
        ("Why did crude prices rise?", "Oil prices jump after drone strike on refinery"),
        ("Where were residents evacuated because of a fire?",
         "Wildfire forces evacuations near Los Angeles"),
    ],
)  # fmt: skip
def test_the_matching_article_ranks_first(world: World, question: str, title: str) -> None:
    passages = ask(world, question)
    assert passages[0].title == title
    assert 0.0 < passages[0].similarity <= 1.0
    assert passages[0].similarity >= max(p.similarity for p in passages[1:]) - 0.1


def test_syndicated_copy_does_not_take_a_second_slot(world: World) -> None:
    passages = ask(world, "Bank of Korea interest rate decision", k=10)
    assert {p.source for p in passages if p.story_id == 1} in ({"Yonhap"}, {"Korea Herald"})
    assert len({p.article_id for p in passages if p.story_id == 1}) == 1


def test_outlets_filter_and_dates_favour_their_period(world: World) -> None:
    # "interest rates" matches the Fed and the BOK: Reuters leaves the Fed only.
    assert {p.title for p in ask(world, "interest rates according to Reuters")} <= {
        a.title for a in ARTICLES if a.source == "Reuters"
    }
    # Last week holds the BOK decision; the Fed's, a day earlier, is favoured less but
    # still found: a period is what the question is about, not a wall.
    last_week = [p.title for p in ask(world, "What happened to interest rates last week?")]
    assert last_week[0] == "Bank of Korea holds rates steady"
    assert "Fed cuts rates by a quarter point" in last_week
    assert ask(world, "Who won in June?")[0].title == "Real Madrid win the Champions League"


def test_latest_prefers_the_newest_of_related_articles(world: World) -> None:
    # Both Korea stories are relevant; the missile story matches better, the rate one is
    # two weeks newer. Without any time prior the better match leads.
    timeless = HybridSearcher(
        world.embedder,
        world.vectors,
        world.keywords,
        world.catalog,
        world.load,
        settings=SearchSettings(background_half_life_days=0),
    )
    plan = understand("What happened in Korea?", now=NOW, known_sources=SOURCES)
    assert timeless.search(plan, k=5)[0].title == "North Korea fires ballistic missile into sea"
    # By default a plain question mildly favours recent news: both stories stay on top.
    plain = ask(world, "What happened in Korea?")
    assert {p.title for p in plain[:2]} == {
        "North Korea fires ballistic missile into sea",
        "Bank of Korea holds rates steady",
    }
    latest = ask(world, "What is the latest news about Korea?")
    assert latest[0].title == "Bank of Korea holds rates steady"
    assert "North Korea fires ballistic missile into sea" in {p.title for p in latest}
