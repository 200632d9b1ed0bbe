"""Short questions in Latin-script languages that share small words with English
("as", "no", "in", "was") do not pass as English; English ones naming foreign people and
places still do, and no RealTime QA question reads as foreign."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval.question_language import looks_english, reads_foreign

QUESTIONS = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "realtimeqa" / "questions.jsonl"
)

FOREIGN = [
    "Quem ganhou as eleições no Brasil?",  # Portuguese
    "O que aconteceu no Brasil?",
    "O que disse Lula sobre a economia?",
    "¿Quién ganó las elecciones en Brasil?",  # Spanish
    "Qui a gagné les élections au Brésil ?",  # French
    "Que s'est-il passé à Paris ?",
    "Wer hat die Wahl in Brasilien gewonnen?",  # German
    "Was ist in Berlin passiert?",
    "Kann Macron in Paris gewinnen?",
    "Chi ha vinto le elezioni in Brasile?",  # Italian
    "Cosa è successo a Roma?",
    "Wie heeft de verkiezingen in Brazilië gewonnen?",  # Dutch
    "Wat is er gebeurd in Amsterdam?",
]

ENGLISH = [
    "Who is Luiz Inácio Lula da Silva?",
    "What did Olaf Scholz say in München?",
    "Who is Ursula von der Leyen?",
    "Is Lula da Silva president?",
    "Did Charles de Gaulle say that?",
    "Did Mbappé sign with Real Madrid?",
    "Was Beyoncé at the Grammys?",
    "What is the crème brûlée trend?",
    "Where did Mahsa Amini die?",
    "Who won the war in Ukraine?",
    "Did Mohammed bin Salman meet Biden in Jeddah?",
]


@pytest.mark.parametrize("question", FOREIGN)
def test_latin_script_questions_in_other_languages_are_not_english(question: str) -> None:
    assert reads_foreign(question)
    assert not looks_english(question)


@pytest.mark.parametrize("question", ENGLISH)
def test_english_questions_with_foreign_names_stay_english(question: str) -> None:
    assert not reads_foreign(question)
    assert looks_english(question)


def test_too_few_words_to_judge_are_no_foreign_question() -> None:
    assert not reads_foreign("Warum Truss?")


@pytest.mark.skipif(not QUESTIONS.exists(), reason="RealTime QA questions not present")
def test_no_realtimeqa_question_reads_as_foreign() -> None:
    lines = QUESTIONS.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    assert len(questions) == 399
    assert [q for q in questions if reads_foreign(q)] == []
