"""What kind of thing a question asks for, and whether a sentence holds one (pure).

"How much did the wind farm cost?" is answered by the sentence holding "2.1 billion
dollars", not by the one closest in meaning ("…unveiled on Monday a wind farm…"); "How
many people died?" by "killing 107", not by "the death toll would have been higher". The
extractive composer scores sentences by meaning and words; a sentence holding the kind of
thing the question asks for (an amount, a date) gets a bonus on top. Only the kinds a
pattern can see are told: "who" and "where" answers (names, places) are capitalised words,
which most news sentences hold anyway, so they would tell nothing apart.
"""

from __future__ import annotations

import re
from enum import StrEnum


class AnswerType(StrEnum):
    QUANTITY = "quantity"  # how much / how many / what percentage: a number or an amount
    DATE = "date"  # when / what year / what day: a date, a weekday, a year


_QUANTITY_QUESTION = re.compile(
    r"\bhow\s+(?:much|many|long|old|far|big|large|high|fast|tall)\b"
    r"|\bwhat\s+(?:percentage|percent|share|proportion|number|amount|price|sum|fine)\b"
    r"|\bwhat\s+(?:was|is|were|are)\s+the\s+(?:cost|price|toll|death\s+toll|number|amount|fine)\b",
    re.IGNORECASE,
)
_DATE_QUESTION = re.compile(
    r"^\W*(?:by\s+|until\s+|since\s+)?when\b|\bwhat\s+(?:year|day|date|month|time)\b|\bon\s+which\s+day\b|\bwhich\s+"
    r"(?:year|day|date|month)\b",
    re.IGNORECASE,
)

_NUMBER_WORDS = (
    r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|sixty|seventy|eighty|ninety|dozens?|hundreds?|thousands?|millions?|"
    r"billions?|trillions?"
)
_QUANTITY = re.compile(
    rf"\d|[$€£¥₹]|\bper\s*cent\b|\bpercent\b|%|\b(?:{_NUMBER_WORDS})\b", re.IGNORECASE
)
_MONTHS = (
    r"January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec"
)
_DATE = re.compile(
    rf"\b(?:{_MONTHS})\.?\s+\d{{1,2}}\b|\b\d{{1,2}}\s+(?:{_MONTHS})\b"
    r"|\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
    r"|\b(?:1[89]|20)\d\d\b|\b(?:yesterday|today|tomorrow|last\s+(?:week|month|year|night))\b",
)


def answer_type(question: str) -> AnswerType | None:
    """The kind of answer `question` asks for, when a pattern can tell (else None)."""
    if _QUANTITY_QUESTION.search(question):
        return AnswerType.QUANTITY
    if _DATE_QUESTION.search(question):
        return AnswerType.DATE
    return None


def holds_answer_type(sentence: str, kind: AnswerType) -> bool:
    """Whether `sentence` holds something of the kind (a number, an amount, a date)."""
    pattern = _QUANTITY if kind is AnswerType.QUANTITY else _DATE
    return pattern.search(sentence) is not None
