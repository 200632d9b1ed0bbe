"""A name asked about is met under the other ways news writes it (retrieval/name_variants.py),
and the composer's passages are chosen by it (retrieval/quotable.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from retrieval.name_variants import collapse_abbreviations, name_groups, names_most_of, text_keys
from retrieval.quotable import quotable
from retrieval.types import Passage


def passage(n: int, title: str, text: str) -> Passage:
    return Passage(
        chunk_id=n,
        article_id=n,
        title=title,
        source="Wire",
        published_at=datetime(2024, 5, 1, tzinfo=UTC),
        url=None,
        text=text,
        score=1.0 / n,
        similarity=0.5,
    )


def names(question: str, text: str) -> bool:
    return names_most_of(text, name_groups(question, question))


def test_dotted_abbreviations_are_one_word() -> None:
    assert collapse_abbreviations("U.S. troops left the E.U. on 3 p.m.") == (
        "US troops left the EU on 3 p.m."
    )


@pytest.mark.parametrize(
    "text",
    [
        "Sales of automobiles in the United States fell 35% in January.",
        "U.S. car sales fell 35% in January.",
        "US car sales fell 35% in January.",
        "American car sales fell 35% in January.",
    ],
)
@pytest.mark.parametrize(
    "question", ["How much did car sales in America fall?", "Did US car sales fall?"]
)
def test_the_united_states_under_its_names_abbreviations_and_adjective(
    question: str, text: str
) -> None:
    assert names(question, text)


@pytest.mark.parametrize(
    "text",
    [
        "The UK Home Office is to replace asylum interviews with a questionnaire.",
        "The U.K. Home Office is to replace asylum interviews with a questionnaire.",
        "The United Kingdom is to replace asylum interviews with a questionnaire.",
        "British officials will replace asylum interviews with a questionnaire.",
        "Britons seeking asylum elsewhere will be interviewed.",
    ],
)
def test_britain_is_the_uk_and_the_british(text: str) -> None:
    assert names("What is Britain changing about asylum interviews?", text)
    assert names("What is the UK changing about asylum interviews?", text)


def test_another_country_or_a_part_of_one_is_not_the_country() -> None:
    question = "What is Britain changing about asylum interviews?"
    assert not names(question, "Australia will replace asylum interviews with a form.")
    # England is not the United Kingdom.
    assert not names("Did England make masks mandatory?", "UK ministers made masks mandatory.")
    # "us" is a pronoun, "US" the country.
    assert not names("Why did US gas prices rise?", "Prices rose, a dealer told us.")


def test_initialisms_meet_the_words_they_stand_for_either_way() -> None:
    shooting = "A mass shooting took place on a train of the New York City Subway."
    assert names("What happened in the NYC subway shooting?", shooting)
    assert names(
        "What did the International Monetary Fund say?", "The IMF said it remained operational."
    )
    # Connectors inside a run are skipped, an acronym inside one kept whole.
    keys = text_keys("European Aeronautic Defence and Space (EADS) won a US Air Force deal.")
    assert {"^eads", "^usaf", "^af", "^us"} <= keys
    assert not names("What happened in the NYC subway shooting?", "A shooting in Chicago.")


def test_a_questions_dotted_abbreviation_is_still_met_as_written() -> None:
    assert names("Why did U.S. stocks tumble?", "U.S. stocks tumbled on Monday.")


def test_the_composer_may_quote_the_uk_for_britain() -> None:
    uk = passage(
        1,
        "UK asylum process to replace interviews with questionnaire",
        "The United Kingdom Home Office is to issue questionnaires in place of interviews.",
    )
    question = "What is Britain changing about asylum interviews?"
    assert quotable(question, question, [uk], term_stats=None) == [uk]


def test_the_composer_may_quote_u_s_for_us() -> None:
    prices = passage(1, "Gas prices rise", "U.S. average retail gasoline prices rose again.")
    question = "Why did US gas prices rise?"
    assert quotable(question, question, [prices], term_stats=None) == [prices]
