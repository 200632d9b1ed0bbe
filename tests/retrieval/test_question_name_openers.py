"""English questions opening with a name whose first word is another language's article
("Los Angeles", "Las Vegas", "Les Misérables") are no foreign questions, and the words
the indexed news uses often count as English for the foreign check as for the share."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from retrieval.question_language import judged_words, looks_english, reads_foreign

NAME_FIRST = ["Los Angeles earthquake?", "Las Vegas shooting?", "Les Misérables revival?"]


class FakeStats:
    """Keyword-index statistics: given document frequencies over `chunks` chunks."""

    def __init__(self, frequencies: dict[str, int], chunks: int) -> None:
        self.frequencies = frequencies
        self.chunks = chunks
        self.asked: list[str] = []

    def document_frequencies(self, terms: Sequence[str]) -> tuple[list[int], int]:
        self.asked.extend(terms)
        return [self.frequencies.get(t, 0) for t in terms], self.chunks


@pytest.mark.parametrize("question", NAME_FIRST)
def test_a_name_opening_with_an_article_is_no_foreign_question(question: str) -> None:
    assert not reads_foreign(question)
    assert looks_english(question)


def test_the_first_word_of_a_name_is_not_judged() -> None:
    assert judged_words("Los Angeles earthquake: how many died?") == [
        "earthquake",
        "how",
        "many",
        "died",
    ]
    # A question's first word before a name is judged, in English or not.
    assert judged_words("Did Biden win?") == ["did", "win"]
    assert judged_words("Pourquoi Liz Truss a-t-elle démissionné ?")[0] == "pourquoi"
    # An article before a lower-case word opens no name.
    assert judged_words("Los incendios de California?") == ["los", "incendios", "de"]


@pytest.mark.parametrize(
    "question",
    [
        "Los incendios en California, ¿cuántos muertos hay?",
        "Las elecciones en Brasil, ¿quién ganó?",
        "Les élections au Brésil, qui a gagné ?",
    ],
)
def test_questions_opening_with_an_article_before_a_lower_case_word_stay_foreign(
    question: str,
) -> None:
    assert reads_foreign(question)
    assert not looks_english(question)


NEWS = {"athletes": 900, "boycott": 400, "sponsors": 300}


def test_common_words_of_the_news_count_as_english_against_foreign_words() -> None:
    question = "Para athletes boycott sponsors?"  # "para": Spanish, Portuguese
    assert reads_foreign(question)
    stats = FakeStats(NEWS, chunks=40_000)
    assert not reads_foreign(question, stats)
    assert looks_english(question, stats)
    # A small index cannot tell common words from rare ones.
    assert reads_foreign(question, FakeStats(NEWS, chunks=200))


def test_the_index_is_asked_only_when_a_question_has_foreign_words() -> None:
    stats = FakeStats(NEWS, chunks=40_000)
    assert not reads_foreign("Why did athletes boycott sponsors?", stats)
    assert stats.asked == []
    # A foreign question stays foreign whatever the news holds of English words.
    assert reads_foreign("¿Qué dijo Biden sobre los impuestos?", stats)
