"""Without an LLM, a short question about a new subject, or for the latest news, is not glued
to the previous question (it was: "Cressida Dick resign What happened in Munich?")."""

from __future__ import annotations

import pytest

from retrieval.condense import heuristic_condense, leans_back

HISTORY = [
    ("user", "Why did Cressida Dick resign?"),
    ("assistant", "She lost the mayor's confidence [1]."),
]


@pytest.mark.parametrize(
    "question",
    [
        "What happened in Munich?",
        "What happened in Bangkok?",
        "Tell me about Qubitrix",
        "Any news on Brexit?",
        "What did Biden say?",
        "what happened in munich",  # lower-cased: a new topic after "in"
        "tell me about qubitrix",
        "latest news",
        "What's the latest?",
        "What are the top headlines?",
    ],
)
def test_a_short_question_with_its_own_subject_stands_alone(question: str) -> None:
    assert heuristic_condense(question, HISTORY) == question


@pytest.mark.parametrize(
    "question",
    [
        "What about Germany?",
        "Why?",
        "How many died there?",
        "Who replaced her?",
        "How did Germany react?",
        "Did Biden respond?",
        "How much did it cost?",
        "Germany too?",
        "In Tokyo?",
        "How many died in the attack?",  # "the attack": the one just discussed
        "What's the latest on it?",
    ],
)
def test_follow_ups_still_lean_back(question: str) -> None:
    assert heuristic_condense(question, HISTORY).startswith("Cressida Dick ")


def test_a_topic_the_previous_question_had_is_no_new_subject() -> None:
    previous = "What happened in Munich on Sunday?"
    assert leans_back("what happened in munich", previous)
    assert not leans_back("what happened in munich", "Why did Cressida Dick resign?")


@pytest.mark.parametrize(
    "question",
    ["What happened on Tuesday?", "what happened on tuesday", "What happened in 2021?",
     "what happened at night?"],
)  # fmt: skip
def test_a_time_is_no_new_subject(question: str) -> None:
    history = [("user", "What happened in Gaza yesterday?"), ("assistant", "Strikes [1].")]
    assert heuristic_condense(question, history) == f"Gaza {question}"
