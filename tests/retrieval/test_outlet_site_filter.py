"""A filter on any name of a site covers every indexed name of it, as /sources counts
them: "according to CNN" with "CNN", "cnn.com" and "edition.cnn.com" indexed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from retrieval.outlet_names import indexed_outlets, same_site_outlets, site_keys, sort_outlets
from retrieval.query import understand

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
KNOWN = ["CNN", "cnn.com", "edition.cnn.com", "Reuters"]
CNN = ("CNN", "cnn.com", "edition.cnn.com")


@pytest.mark.parametrize("name", ["CNN", "cnn", "cnn.com", "edition.cnn.com", "the CNN"])
def test_any_name_of_a_site_means_all_its_names(name: str) -> None:
    assert indexed_outlets(name, KNOWN) == CNN
    assert sort_outlets([name, "AP"], KNOWN) == (CNN, ("AP",))


@pytest.mark.parametrize(
    ("question", "text"),
    [
        ("According to CNN, who won the vote?", "who won the vote?"),
        ("What did CNN say about the strike?", "What did say about the strike?"),
        ("CNN reported what about the strike?", "reported what about the strike?"),
        ("according to cnn.com, who won the vote?", "who won the vote?"),
    ],
)
def test_a_question_naming_one_name_of_a_site_filters_on_all(question: str, text: str) -> None:
    plan = understand(question, now=NOW, known_sources=KNOWN)
    assert plan.filters.sources == CNN
    assert plan.text == text
    assert plan.unknown_sources == ()


def test_a_list_covers_each_site_whole() -> None:
    plan = understand("According to CNN and Reuters, who won?", now=NOW, known_sources=KNOWN)
    assert plan.filters.sources == (*CNN, "Reuters")
    assert plan.text == "who won?"


def test_a_site_indexed_under_one_name_filters_on_it_alone() -> None:
    plan = understand("According to CNN, who won?", now=NOW, known_sources=["CNN", "Reuters"])
    assert plan.filters.sources == ("CNN",)
    assert plan.text == "who won?"


@pytest.mark.parametrize(
    ("name", "known", "indexed"),
    [
        # Other outlets of a shared word, or of two sites' words, stay apart.
        ("The Times", ["The Times", "The Sunday Times", "Financial Times"], ("The Times",)),
        ("Reuters", ["Reuters", "Thomson", "Thomson Reuters"], ("Reuters",)),
        ("Sky News", ["Sky News", "Fox News", "News"], ("Sky News",)),
        # Two names of shared words are one site when its web address is indexed too.
        ("the BBC", ["BBC", "BBC News"], ("BBC",)),
        ("the BBC", ["BBC", "BBC News", "bbc.co.uk"], ("BBC", "BBC News", "bbc.co.uk")),
    ],
)
def test_which_names_a_filter_covers(name: str, known: list[str], indexed: tuple[str, ...]) -> None:
    assert indexed_outlets(name, known) == indexed


def test_filters_and_counts_group_names_alike() -> None:
    names = [*KNOWN, "BBC News", "bbc.co.uk", "The Times", "The Sunday Times", "Sky", "Sky News"]
    keys = site_keys(names)
    groups = {key: tuple(n for n in names if keys[n] == key) for key in keys.values()}
    counts = same_site_outlets([(name, 1) for name in names])
    assert counts[:2] == (("CNN", 3), ("BBC News", 2))
    assert sorted(name for name, n in counts if n == 1) == [
        "Reuters",
        "Sky",
        "Sky News",
        "The Sunday Times",
        "The Times",
    ]
    assert sorted(n for _, n in counts) == sorted(len(g) for g in groups.values())
    for group in groups.values():
        assert indexed_outlets(group[0], names) == group


def test_three_thousand_names_group_by_site() -> None:
    names = [
        spelled
        for i in range(1000)
        for spelled in (f"Outlet{i}", f"outlet{i}.com", f"edition.outlet{i}.com")
    ]
    counts = same_site_outlets([(name, 1) for name in names])
    assert len(counts) == 1000
    assert {n for _, n in counts} == {3}
    assert counts[0] == ("Outlet0", 3)
    assert indexed_outlets("outlet7.com", names) == (
        "Outlet7",
        "outlet7.com",
        "edition.outlet7.com",
    )
