"""The composer checks the names of every English question (retrieval/name_variants.py):
"Was polio found in London sewage?" holds none of the reply check's English cue words, and
before the London articles were indexed it quoted a Virginia sewage spill."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
import pytest

from index.keyword import Bm25Index
from retrieval.name_variants import asked_names, name_groups
from retrieval.quotable import quotable
from retrieval.types import Passage

POLIO = "Was polio found in London sewage?"
# From the USA Today "50 States" round-up QA's bot quoted (Virginia's item), shortened.
SPILL = (
    "Health officials are warning people and pets to avoid swimming in the James River after "
    "hundreds of thousands of gallons of sewage spilled from a Goochland County sewer line. "
    "Police and friends searched the house before someone found the boy inside a toy chest."
)
LONDON = (
    "UK health officials are urging people to get vaccinated after poliovirus was found "
    "during routine surveillance of London sewage samples."
)
OTHERS = [
    *(f"Officials counted {n} new cases of flu in the city." for n in range(6)),
    "Rescuers found two hikers on the ridge.",
    "Sewage leaked into the bay overnight.",
    "London buses ran late on Monday.",
    "The council will fix the drains in Leeds.",
    "A storm hit the coast.",
    "Prices rose again.",
]


class IndexStats:
    """The keyword index's statistics over `texts`, as the searcher gives them."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._index = Bm25Index()
        self._index.add(np.arange(1, len(texts) + 1), list(texts))

    def document_frequencies(self, terms: Sequence[str]) -> tuple[list[int], int]:
        return self._index.document_frequencies(list(terms)), len(self._index)


def passage(n: int, title: str, text: str) -> Passage:
    return Passage(
        chunk_id=n,
        article_id=n,
        title=title,
        source="USA Today",
        published_at=datetime(2021, 7, 30, tzinfo=UTC),
        url=None,
        text=text,
        score=1.0 / n,
        similarity=0.39,
    )


@pytest.mark.parametrize(
    ("question", "names"),
    [
        (POLIO, {"londo"}),
        ("Will Tesla close its Berlin factory?", {"tesla", "berli"}),
        ("Why did Cressida Dick resign?", {"cress", "dick"}),  # the cue words read it too
    ],
)
def test_the_names_of_an_english_question_are_asked(question: str, names: set[str]) -> None:
    assert asked_names(question, question) == names


@pytest.mark.parametrize(
    "question",
    ["Was ist mit Olaf Scholz passiert?", "Warum ist der BBC-Chef Entwistle zurückgetreten?"],
)
def test_a_question_in_another_language_asks_no_names(question: str) -> None:
    # German capitalises its nouns: they are not names to find in English news.
    assert name_groups(question, question) == ()


def test_a_story_that_does_not_name_london_is_not_quoted_for_it() -> None:
    spill = passage(1, "50 States", SPILL)
    # The spill holds 41 % of the question's rare-word weight ("sewage", "found"), over the
    # coverage rule's 35 %: only the name rule tells it apart.
    stats = IndexStats([SPILL, *OTHERS])
    assert quotable(POLIO, POLIO, [spill], term_stats=stats) == []


def test_the_london_story_is_still_quoted_once_indexed() -> None:
    spill = passage(1, "50 States", SPILL)
    london = passage(2, "Poliovirus identified in London sewage", LONDON)
    stats = IndexStats([SPILL, LONDON, *OTHERS])
    assert quotable(POLIO, POLIO, [spill, london], term_stats=stats) == [london]
