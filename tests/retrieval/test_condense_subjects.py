"""Without an LLM, a question with a subject of its own is not read as a follow-up."""

from __future__ import annotations

import pytest

from retrieval.condense import heuristic_condense

HISTORY = [
    ("user", "Why did Cressida Dick resign?"),
    ("assistant", "She lost the mayor's confidence [1]."),
]


@pytest.mark.parametrize(
    "question",
    [
        "Why did Steve Jobs resign?",  # "why" is no reference back; a name of its own
        "why did steve jobs resign?",  # lower-cased: three words after "why did"
        "Why did Macron resign?",
    ],
)
def test_a_question_naming_its_own_subject_stands_alone(question: str) -> None:
    assert heuristic_condense(question, HISTORY) == question


@pytest.mark.parametrize(
    "question",
    [
        "What about Germany?",
        "and the UK?",
        "Why?",
        "How many died there?",
        "How many people died?",
        "In Tokyo?",
        "Who replaced her?",
        "Why did the minister resign?",
        # A reaction without what to: to the previous question's subject.
        "How did Boris Johnson react?",
        "How did Germany react?",
        "Did Biden respond?",
        "Has the EU commented?",
    ],
)
def test_follow_ups_still_lean_on_the_previous_question(question: str) -> None:
    assert heuristic_condense(question, HISTORY).startswith("Cressida Dick ")
