"""Sentence splitting of news text."""

from __future__ import annotations

import pytest

from index.sentences import split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Blinken met Mr. Yoon in Seoul. He left on Thursday.",
            ["Mr. Blinken met Mr. Yoon in Seoul.", "He left on Thursday."],
        ),
        (
            "The U.S. military said it was ready. Officials agreed.",
            ["The U.S. military said it was ready.", "Officials agreed."],
        ),
        (
            "He moved to the U.S. The next day he flew to Japan.",
            ["He moved to the U.S.", "The next day he flew to Japan."],
        ),
        (
            "Shares of Apple Inc. rose 3.5 percent. The company said so.",
            ["Shares of Apple Inc. rose 3.5 percent.", "The company said so."],
        ),
        (
            "The attack on Sept. 11 changed everything. It was 2001.",
            ["The attack on Sept. 11 changed everything.", "It was 2001."],
        ),
        (
            "J. K. Rowling wrote it. Then she left.",
            ["J. K. Rowling wrote it.", "Then she left."],
        ),
        (
            '"We are deeply concerned," Blinken said. "We will act." He left.',
            ['"We are deeply concerned," Blinken said.', '"We will act."', "He left."],
        ),
        (
            "“It is over.” Nobody believed him.",
            ["“It is over.”", "Nobody believed him."],
        ),
        ('"Is it over?" he asked. Nobody knew.', ['"Is it over?" he asked.', "Nobody knew."]),
        (
            "Prices rose... Then they fell! Why? Nobody knows",
            ["Prices rose...", "Then they fell!", "Why?", "Nobody knows"],
        ),
        ("He said no. Then he left.", ["He said no.", "Then he left."]),
        (
            "Gen. Lee met Dr. Kim at 10 a.m. on Monday.",
            ["Gen. Lee met Dr. Kim at 10 a.m. on Monday."],
        ),
        ("The rate is 4.25 percent, e.g. higher.", ["The rate is 4.25 percent, e.g. higher."]),
        (
            "Spain beat Italy 2-1 vs. last year. Fans cheered.",
            ["Spain beat Italy 2-1 vs. last year.", "Fans cheered."],
        ),
        ("A title\n\nFirst para. Second one.", ["A title", "First para.", "Second one."]),
        ("Line one\nwraps here. Next.", ["Line one wraps here.", "Next."]),
        (
            "Сеул принял переговоры. Москва отрицает.",
            ["Сеул принял переговоры.", "Москва отрицает."],
        ),
        ("", []),
        ("   \n\n  ", []),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_splitting_loses_no_words() -> None:
    text = "Mr. A met B. in the U.S. on Jan. 5. Then C. D. Smith spoke! Was it 3.5? Yes."
    assert " ".join(split_sentences(text)).split() == text.split()
