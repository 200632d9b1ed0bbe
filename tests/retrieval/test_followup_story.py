"""Without an LLM a follow-up is answered from the previous answer's story (followup.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

import numpy as np

from retrieval.answer_types import AnswerType, answer_type
from retrieval.answering import Answerer
from retrieval.followup import follow_up_view, quoted_pieces
from retrieval.types import AnswerMode, Passage

KILLED = "At least nine people were killed by gunfire at a Zorburg shopping centre on Friday."
SEALED = "Police sealed off the Zorburg centre and asked residents to stay at home."
ALCOHOL = "As many as 84 people are reported dead after drinking toxic alcohol in Quxton."
NEAR = "Quxton lies a short drive from Zorburg along the river valley."
FIRST, FOLLOW_UP, QUERY = "What happened in Zorburg?", "How many died?", "Zorburg How many died?"


class KeyedEmbedder:
    """Fake: each sentence and asked text is the unit vector the test sets."""

    model_name = "fake-keyed"
    dimension = 3

    def __init__(self, vectors: dict[str, tuple[float, float, float]]) -> None:
        self._vectors = vectors

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return np.array([self._vectors[t] for t in texts], dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return np.array(self._vectors[text], dtype=np.float32)


def passage(n: int, text: str) -> Passage:
    return Passage(
        chunk_id=n,
        article_id=n,
        title=f"Headline {n}",
        source="Wire",
        published_at=datetime(2024, 5, 1, tzinfo=UTC),
        url=None,
        text=text,
        score=1.0 / n,
        similarity=0.5,
    )


def answerer() -> Answerer:
    # The other story's death toll is closest to the bare follow-up; the story's toll to
    # its query. Both hold a number, as "how many" asks.
    return Answerer(
        embedder=KeyedEmbedder(
            {
                FOLLOW_UP: (0.0, 0.0, 1.0),
                QUERY: (1.0, 0.0, 0.0),
                KILLED: (0.8, 0.6, 0.0),
                SEALED: (0.3, 0.954, 0.0),
                ALCOHOL: (0.1, 0.0, 0.995),
                NEAR: (0.0, 1.0, 0.0),
            }
        )
    )


PASSAGES = [passage(1, f"{KILLED} {SEALED}"), passage(2, f"{ALCOHOL} {NEAR}")]


async def test_a_follow_up_quotes_the_previous_answers_story_not_another() -> None:
    history = [("user", FIRST), ("assistant", f"{KILLED} [1]")]
    answer = await answerer().answer(
        FOLLOW_UP, PASSAGES, today=date(2024, 5, 2), history=history, query=QUERY
    )
    assert answer.mode is AnswerMode.EXTRACTIVE
    assert KILLED in answer.text  # already quoted, but it answers "how many"
    assert ALCOHOL not in answer.text


async def test_without_history_the_other_story_still_counts() -> None:
    # Not a follow-up: the same passages answer as before, the other toll included.
    answer = await answerer().answer(FOLLOW_UP, PASSAGES, today=date(2024, 5, 2), query=QUERY)
    assert ALCOHOL in answer.text


def test_a_repeat_without_the_asked_kind_is_dropped_and_a_typed_one_is_marked_down() -> None:
    previous = f"{SEALED} [1] {KILLED} [1]"
    assert quoted_pieces(previous) == {
        " ".join(SEALED.lower().rstrip(".").split()),
        " ".join(KILLED.lower().rstrip(".").split()),
    }
    new = "Two more plants will close in 2008."
    view = follow_up_view(
        [SEALED, KILLED, new, ALCOHOL],
        [1, 1, 1, 2],
        [False] * 4,
        [True, True, True, True],
        [False, True, True, True],
        previous,
    )
    assert view is not None
    assert view.allowed == (False, True, True, False)
    assert view.penalties[1] > 0
    assert view.penalties[2] == 0


def test_another_story_is_quoted_when_the_story_has_nothing_that_qualifies() -> None:
    view = follow_up_view(
        [KILLED, ALCOHOL], [1, 2], [False, False], [False, True], None, f"{KILLED} [1]"
    )
    assert view is not None
    assert view.allowed == (False, True)


def test_no_story_when_the_previous_answer_quoted_none_of_the_candidates() -> None:
    assert follow_up_view([ALCOHOL], [2], [False], [True], None, f"{SEALED} [1]") is None


def test_by_when_asks_for_a_date() -> None:
    # "By when?" after "How many jobs is Ford cutting?": a date answers, not the job count.
    assert answer_type("By when?") is AnswerType.DATE
    assert answer_type("Until when will the bridge stay closed?") is AnswerType.DATE
