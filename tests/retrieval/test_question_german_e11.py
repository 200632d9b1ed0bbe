"""German questions whose small words English has too ("Was hat Blinken in Seoul gemacht?":
"was", "hat", "in") read as German by their verb forms; English questions opening "Was",
English words shaped like German ones, the RealTime QA questions and questions made from the
demo corpus stay English."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from index.embedding import HashingEmbedder
from retrieval.answering import Answerer
from retrieval.foreign_words import german_shaped_words, opens_with_german_verb_second
from retrieval.not_found import ENGLISH_ONLY_TEXT
from retrieval.question_language import looks_english, reads_foreign
from retrieval.types import AnswerMode, Passage

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT.parent / "shared" / "data" / "realtimeqa" / "questions.jsonl"
DEMO = ROOT / "samples" / "wikinews" / "articles.jsonl"

# Each read as English before: only words English has too, besides the verb.
GERMAN = [
    "Was hat Blinken in Seoul gemacht?",  # perfect: participle ge-...-t
    "Was hat Macron in Berlin besprochen?",  # participle of an inseparable verb
    "Hat Scholz in Kiew gesprochen?",  # yes/no question, verb first
    "Was hat Xi in Moskau unterschrieben?",  # participle ge-...-en inside
    "Was hat Trump in Florida getan?",  # "Was hat": verb second
    "Was will Putin in Syrien?",  # modal verb second, nothing else German
    "Was macht Selenskyj in Washington?",  # present tense, "-cht"
    "Was machte Blinken in Seoul?",  # past tense
    "Was passierte in Seoul?",  # a verb in -ieren, past tense
    "Was hat Habeck in Katar erreicht?",  # participle without ge-
    "Was hat Blinken heute in Seoul gemacht?",
    "was hat blinken in seoul gemacht",  # typed in lower case
]

ENGLISH = [
    "Was Biden in Seoul?",
    "Was Blinken in Seoul yesterday?",
    "Was it Blinken who met Yoon in Seoul?",
    "Was Biden hit in Seoul?",
    "Was war declared in 1939?",
    "Was inflation higher in June?",
    "Who bought the superyacht in Monaco?",
    "What did the geologist say at lunchtime?",
    "Who scored a hat trick in Madrid?",
    "Will Putin win in Syria?",
    "Were the gentlemen in the watchtower?",
    "Was Will Smith at the Oscars?",
    "was will smith at the oscars?",
]


@pytest.mark.parametrize("question", GERMAN)
def test_german_questions_read_german(question: str) -> None:
    assert reads_foreign(question)
    assert not looks_english(question)


@pytest.mark.parametrize("question", ENGLISH)
def test_english_questions_stay_english(question: str) -> None:
    assert not reads_foreign(question)
    assert looks_english(question)


def test_verb_shapes_are_no_english_word_shapes() -> None:
    german = ["gemacht", "gesprochen", "gewonnen", "passiert", "diskutierte", "erreicht"]
    assert german_shaped_words(german) == german
    english = ["yacht", "yachts", "lunchtime", "watchtower", "ichthyologist", "geologist"]
    english += ["gentlemen", "gentlest", "generalist", "get", "gent", "getting", "generated"]
    assert german_shaped_words(english) == []


def test_was_then_a_german_verb_is_german_order() -> None:
    assert opens_with_german_verb_second("Was hat Blinken in Seoul gemacht?")
    assert opens_with_german_verb_second("Was will Putin?")
    assert not opens_with_german_verb_second("Was Biden in Seoul?")
    assert not opens_with_german_verb_second("What hat was Biden wearing?")
    assert not opens_with_german_verb_second("Was war declared?")


@pytest.mark.skipif(not QUESTIONS.exists(), reason="RealTime QA questions not present")
def test_no_realtimeqa_question_reads_foreign_typed_either_way() -> None:
    lines = QUESTIONS.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    assert len(questions) == 399
    assert [q for q in questions if reads_foreign(q)] == []
    assert [q for q in questions if reads_foreign(q.lower())] == []


def test_questions_made_from_the_demo_corpus_stay_english() -> None:
    made: list[str] = []
    for line in DEMO.read_text(encoding="utf-8").splitlines():
        article = json.loads(line)
        title = article["title"].strip()
        made += [f"{title}?", f"What happened: {title}?", f"Was {title}?"]
        sentences = re.split(r"(?<=[.!?])\s+", article["body"].strip())
        made += [sentence.rstrip(".") + "?" for sentence in sentences[:5] if sentence]
    assert len(made) > 2000
    foreign = [q for q in made if reads_foreign(q) or reads_foreign(q.lower())]
    # One French sentence quoted in an article, nothing else.
    assert len(foreign) == 1
    assert foreign[0].startswith("Notre objectif")


async def test_the_german_question_gets_the_language_hint_not_a_bare_not_found() -> None:
    far = Passage(
        chunk_id=1,
        article_id=1,
        title="Fed raises rates again",
        source="CNN",
        published_at=datetime(2022, 6, 22, tzinfo=UTC),
        url="https://example.com/1",
        text="Fed raises rates again. More text about it.",
        score=1.0,
        similarity=0.2,
    )
    question = "Was hat Blinken in Seoul gemacht?"
    answer = await Answerer(embedder=HashingEmbedder()).answer(
        question, [far], today=date(2022, 7, 1), query=question
    )
    assert answer.mode is AnswerMode.NOT_FOUND
    assert answer.text.startswith(ENGLISH_ONLY_TEXT)
