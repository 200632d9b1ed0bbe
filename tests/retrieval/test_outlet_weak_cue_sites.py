"""An outlet named by a weak cue ("news from CNN", "In BBC News, ...") filters on every
indexed name of its site, as a strong cue or a list does (retrieval/query.py `_outlets`)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from retrieval.query import understand

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
CNN = ("CNN", "cnn.com", "edition.cnn.com")
BBC = ("BBC", "BBC News", "bbc.co.uk")


@pytest.mark.parametrize(
    ("question", "known", "sources", "text"),
    [
        ("Any news from CNN today?", [*CNN, "Reuters"], CNN, "Any news?"),
        ("In BBC News, what happened to the strike?", [*BBC, "Reuters"], BBC, None),
        ("What did edition.cnn.com report on the strike?", [*CNN, "Reuters"], CNN, None),
    ],
)
def test_a_weak_cue_filters_on_every_name_of_the_site(
    question: str, known: list[str], sources: tuple[str, ...], text: str | None
) -> None:
    plan = understand(question, now=NOW, known_sources=known)
    # Before, the one name written: ("CNN",), ("BBC News",), ("edition.cnn.com",).
    assert plan.filters.sources == sources
    assert plan.unknown_sources == ()
    assert not any(name in plan.text for name in ("CNN", "BBC", "cnn"))
    if text is not None:
        assert plan.text == text


def test_an_outlet_of_another_site_is_not_added() -> None:
    known = ["Sky", "Sky News", "Fox News", "Reuters"]  # no address ties Sky to Sky News
    plan = understand("Any news from Sky News today?", now=NOW, known_sources=known)
    assert plan.filters.sources == ("Sky News",)
