"""Dropping generated sentences whose numbers or names their cited sources do not hold."""

from __future__ import annotations

import pytest

from retrieval.grounding import (
    drop_unsupported,
    is_supported,
    mentions_a_year,
    names_most,
    names_named,
    split_reply,
    years_named,
)

SEOUL = (
    "Blinken in Seoul — Wire, 2024-05-02\n"
    "US Secretary of State Antony Blinken arrived in Seoul on Thursday for talks with "
    "President Yoon Suk Yeol. South Korea and the US signed a deal worth $1,500 million."
)
MARKETS = (
    "Markets slide — Wire, 2024-05-02\n"
    "Asian stock markets fell 2.5 percent on Thursday as investors weighed interest rates."
)


@pytest.mark.parametrize(
    "text",
    [
        "One. Two! Three?",
        "Blinken arrived [1]. He met Yoon [1][2].\n\n- a list item [2]\n- another",
        "Claim one. [1] Claim two. [2]",
        "No end punctuation",
        "",
        "Trailing space. ",
    ],
)
def test_split_reply_keeps_every_character(text: str) -> None:
    assert "".join(s + sep for s, sep in split_reply(text)) == text


def test_split_reply_keeps_a_marker_after_the_full_stop_with_its_sentence() -> None:
    parts = split_reply("Blinken arrived in Seoul. [1] Markets fell. [2]")
    assert [s for s, _ in parts] == ["Blinken arrived in Seoul. [1]", "Markets fell. [2]"]


def test_a_number_the_cited_source_lacks_makes_the_sentence_unsupported() -> None:
    assert is_supported("Asian markets fell 2.5 percent [2].", [MARKETS])
    assert not is_supported("The Seoul stock market fell 20% [2].", [MARKETS])


def test_numbers_match_without_separators_and_with_the_question() -> None:
    assert is_supported("The deal is worth $1500 million [1].", [SEOUL])
    assert is_supported("The 2024 talks went well [1].", [SEOUL])  # the date line
    assert is_supported("They met on May 2 [1].", [SEOUL])  # 2024-05-02
    assert is_supported("It happened in 2019.", [SEOUL], question="What happened in 2019?")


def test_names_are_compared_by_stem_and_most_must_be_known() -> None:
    assert is_supported("He met South Korean President Yoon [1].", [SEOUL])
    # One unknown name among several known ones is tolerated (a paraphrase, "America")...
    assert is_supported("Then Blinken, America's envoy, saw Yoon in Seoul [1].", [SEOUL])
    # ...a sentence about people and places the source never names is not.
    assert not is_supported("Later Kishida and Macron met in Paris [1].", [SEOUL])


def test_drop_unsupported_checks_each_sentence_against_what_it_cites() -> None:
    reply = (
        "Blinken arrived in Seoul on Thursday [1]. "
        "The Seoul stock market fell 20% [2]. "
        "Asian markets fell 2.5 percent [2]."
    )
    grounded = drop_unsupported(reply, [SEOUL, MARKETS])
    assert (
        grounded.text
        == "Blinken arrived in Seoul on Thursday [1]. Asian markets fell 2.5 percent [2]."
    )
    assert grounded.dropped == ("The Seoul stock market fell 20% [2].",)


def test_a_sentence_citing_nothing_valid_must_hold_up_against_all_sources() -> None:
    reply = "Blinken met Yoon [1]. They signed a deal worth $1,500 million [7]. Tokyo paid 90 [7]."
    grounded = drop_unsupported(reply, [SEOUL, MARKETS])
    assert "deal worth $1,500 million" in grounded.text
    assert "Tokyo" not in grounded.text
    # The same number cited to the wrong source is dropped.
    wrong = drop_unsupported("The deal was worth $1,500 million [2].", [SEOUL, MARKETS])
    assert wrong.text == ""


@pytest.mark.parametrize(
    ("reply", "kept"),
    [
        # Initials and abbreviations end no sentence: nothing is cut off a claim.
        (
            "Blinken said the U.S. and South Korea signed a deal [1].",
            "Blinken said the U.S. and South Korea signed a deal [1].",
        ),
        (
            "Mr. Blinken met President Yoon in Seoul [1].",
            "Mr. Blinken met President Yoon in Seoul [1].",
        ),
        # A numbered list keeps its numbers, and they are no facts to check.
        (
            "1. Blinken arrived in Seoul [1].\n2. Markets fell 2.5 percent [2].",
            "1. Blinken arrived in Seoul [1].\n2. Markets fell 2.5 percent [2].",
        ),
        ("1) Blinken arrived in Seoul [1].", "1) Blinken arrived in Seoul [1]."),
        ("**1.** Blinken arrived in Seoul [1].", "**1.** Blinken arrived in Seoul [1]."),
    ],
)
def test_realistic_markdown_and_abbreviations_survive(reply: str, kept: str) -> None:
    assert drop_unsupported(reply, [SEOUL, MARKETS]).text == kept


def test_a_reply_in_another_language_is_checked_on_its_numbers_only() -> None:
    german = "Südkorea und die USA unterzeichneten ein Abkommen über 1500 Millionen [1]."
    assert is_supported(german, [SEOUL], question="Was hat Blinken in Seoul gemacht?")
    invented = "Südkorea zahlte 90 Millionen [1]."
    assert not is_supported(invented, [SEOUL], question="Was hat Blinken in Seoul gemacht?")
    # Accents are folded for names in English replies too.
    assert is_supported("Blinken landed in Séoul [1].", [SEOUL], question="Where did he go?")


def test_years_named_by_a_question() -> None:
    assert years_named("Who won the 2030 World Cup?") == {"2030"}
    assert years_named("What happened in 1998 and 2008?") == {"1998", "2008"}
    # Not years: amounts, decimals, other numbers.
    assert years_named("Is 20305 or 2,030 or 20.30 or 12 a year?") == frozenset()


def test_a_source_is_about_a_year_it_names_or_was_published_in() -> None:
    years = frozenset({"2030"})
    assert mentions_a_year("The 2030 World Cup will be held in three continents.", None, years)
    assert mentions_a_year("The final will be played in Madrid.", 2030, years)
    assert not mentions_a_year("Sweden won the 2018 match.", 2018, years)


def test_names_named_by_a_question() -> None:
    question = "Is the Tesla factory in Berlin closing? What's next for Grünheide?"
    assert names_named(question, question) == {"tesla", "berli", "grunh"}
    # Each sentence's first word is no name, nor is a contraction; stop words never are.
    assert names_named("Who won? Sweden did. What's The score?", "Who won? Sweden did.") == set()
    # The searched text decides (dates and outlets are cut from it), the question's language
    # whether names are checked at all: German capitalises its nouns.
    assert names_named("Warum schließt die Fabrik in Berlin?", "Fabrik Berlin") == frozenset()


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("Is Tesla closing its Berlin factory?", {"tesla", "berli"}),
        ("What's new with Apple?", {"apple"}),
        ("What’s new with Apple?", {"apple"}),
        ("Can Macron survive a vote in Paris?", {"macro", "paris"}),
        ("Does Nvidia still lead?", {"nvidi"}),
        ("Isn't Nvidia ahead?", {"nvidi"}),
    ],
)
def test_plain_english_questions_have_their_names_checked(question: str, names: set[str]) -> None:
    # No "the", "what" or "did" in them: English all the same, so names are checked.
    assert names_named(question, question) == names


@pytest.mark.parametrize(
    "question",
    ["Was wird aus dem Werk in Berlin?", "Ist Tesla in Berlin?", "Kann Macron in Paris gewinnen?"],
)
def test_german_questions_still_have_no_names_checked(question: str) -> None:
    assert names_named(question, question) == frozenset()


def test_a_text_names_at_least_half_of_the_names_by_their_stems() -> None:
    names = names_named("Is the Tesla plant closing?", "Is the Tesla plant closing?")
    assert names_most("Tesla's plant near Berlin will stay open.", names)
    assert not names_most("Ford will close its plant in Cologne.", names)
    three = names_named("Did Musk meet Scholz in Berlin?", "Did Musk meet Scholz in Berlin?")
    assert names_most("Musk toured the plant near Berlin.", three)  # two of three
    assert not names_most("Scholz spoke in the Bundestag.", three)  # one of three
