"""The composer prefers the sentence holding the kind of answer asked for (an amount, a
date) over one merely close in meaning (retrieval/answer_types.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pytest

from retrieval.answer_types import AnswerType, answer_type, holds_answer_type
from retrieval.answering import Answerer
from retrieval.extractive import compose_extractive
from retrieval.types import AnswerMode
from tests.retrieval.test_extractive import FAKE_FLOOR, BagOfWordsEmbedder, TableEmbedder, passage

# A sample article (QA's): the lead is closest to the question in meaning, the second
# sentence answers it.
LEAD = (
    "(Hobart) Zorblat Industries unveiled on Monday a 40-turbine floating wind farm off the "
    "east coast of Tasmania, the largest of its kind in the Southern Hemisphere."
)
COST = (
    "The company's chief executive, Mirela Quandt, said the farm would power 300,000 homes "
    "and cost 2.1 billion Australian dollars."
)
WHALES = (
    "Environmental groups welcomed the project but warned about its effect on migrating whales."
)
# all-MiniLM-L6-v2's cosines of the three sentences to the question.
COSINES = {LEAD: 0.63, COST: 0.41, WHALES: 0.12}


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How much did the Zorblat wind farm cost?", AnswerType.QUANTITY),
        ("How many people died?", AnswerType.QUANTITY),
        ("What percentage of voters backed the measure?", AnswerType.QUANTITY),
        ("What was the death toll of the earthquake?", AnswerType.QUANTITY),
        ("When did Charles Manson die?", AnswerType.DATE),
        ("In which year did Ukraine split from the Soviet Union?", AnswerType.DATE),
        ("Why did Blinken visit Seoul?", None),
        ("Who won the election?", None),
        ("What did Apple announce?", None),
    ],
)
def test_the_kind_of_answer_a_question_asks_for(question: str, kind: AnswerType | None) -> None:
    assert answer_type(question) == kind


@pytest.mark.parametrize(
    ("sentence", "kind", "holds"),
    [
        (COST, AnswerType.QUANTITY, True),
        ("A crane fell into the mosque, killing 107.", AnswerType.QUANTITY, True),
        ("Prices rose by nine percent.", AnswerType.QUANTITY, True),
        ("Hundreds were evacuated.", AnswerType.QUANTITY, True),
        (WHALES, AnswerType.QUANTITY, False),
        ("The strike began on Tuesday.", AnswerType.DATE, True),
        ("He died on November 19, 2017.", AnswerType.DATE, True),
        ("He died in prison in California.", AnswerType.DATE, False),
    ],
)
def test_whether_a_sentence_holds_that_kind(sentence: str, kind: AnswerType, holds: bool) -> None:
    assert holds_answer_type(sentence, kind) is holds


def test_how_much_quotes_the_sentence_holding_the_amount() -> None:
    # Without the bonus the lead alone is quoted: the cost sentence scores below 70 % of it.
    result = compose_extractive(
        "How much did the Zorblat wind farm cost?",
        [passage(1, f"{LEAD} {COST} {WHALES}")],
        embedder=TableEmbedder(COSINES),
    )
    assert result is not None
    assert COST in result[0]
    assert WHALES not in result[0]


def test_a_question_asking_for_no_amount_gets_no_bonus_for_numbers() -> None:
    result = compose_extractive(
        "Why did Zorblat build a wind farm?",
        [passage(1, f"{LEAD} {COST} {WHALES}")],
        embedder=TableEmbedder(COSINES),
    )
    assert result is not None
    assert result[0] == f"{LEAD} [1]"


def test_a_follow_up_is_scored_against_its_standalone_query_too() -> None:
    # "How much did it cost?" says what "it" is only in the query the follow-up became.
    embedder = BagOfWordsEmbedder()
    passages = [passage(1, f"{LEAD} {COST} {WHALES}")]
    alone = compose_extractive(
        "How much did it cost?", passages, embedder=embedder, min_score=FAKE_FLOOR
    )
    assert alone is None
    result = compose_extractive(
        "How much did it cost?",
        passages,
        embedder=embedder,
        min_score=FAKE_FLOOR,
        query="Zorblat wind farm How much did it cost?",
    )
    assert result is not None
    assert COST in result[0]
    assert WHALES not in result[0]


class KeyedEmbedder:
    """Fake: the sentences and the asked texts are the unit vectors the test sets."""

    model_name = "fake-keyed"
    dimension = 3

    def __init__(self, vectors: dict[str, tuple[float, float, float]]) -> None:
        self._vectors = vectors

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return np.array([self._vectors[t] for t in texts], dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return np.array(self._vectors[text], dtype=np.float32)


async def test_the_answerer_gives_the_composer_the_follow_ups_query() -> None:
    # The follow-up alone is far from every sentence; its query is close to the cost one.
    follow_up, query = "How much did it cost?", "Zorblat wind farm How much did it cost?"
    embedder = KeyedEmbedder(
        {
            follow_up: (0.0, 0.0, 1.0),
            query: (1.0, 0.0, 0.0),
            LEAD: (0.3, 0.954, 0.0),
            COST: (0.6, 0.8, 0.0),
            WHALES: (0.1, 0.995, 0.0),
        }
    )
    answer = await Answerer(embedder=embedder).answer(
        follow_up, [passage(1, f"{LEAD} {COST} {WHALES}")], today=date(2024, 5, 2), query=query
    )
    assert answer.mode is AnswerMode.EXTRACTIVE
    assert answer.text == f"{COST} [1]"
