"""The searcher hands on passages widened by their neighbours (real FAISS and BM25)."""

from __future__ import annotations

import pytest

from index.embedding import HashingEmbedder
from retrieval.query import QueryPlan
from retrieval.search import SearchSettings
from tests.retrieval.search_world import Doc, build_world
from tests.retrieval.test_context import CHUNKS, sentences

NOISE = (
    "Parliament debated the budget for road repairs until late evening.",
    "The central bank left its benchmark interest rate unchanged on Thursday.",
    "A football club signed a young striker from Brazil for a record fee.",
)
QUESTION = QueryPlan("interest in news has fallen since 2017, many people avoid news")


def docs() -> list[Doc]:
    return [Doc("Digital news report", tuple(CHUNKS))] + [
        Doc(f"Noise {i}", (text,)) for i, text in enumerate(NOISE)
    ]


@pytest.fixture
def embedder() -> HashingEmbedder:
    return HashingEmbedder(dimension=256)


def test_passages_carry_their_neighbours_and_the_chunk_span(embedder: HashingEmbedder) -> None:
    world = build_world(docs(), embedder, settings=SearchSettings(max_chunks_per_article=1))
    best, other = world.searcher.search(QUESTION, k=2)
    chunk = world.rows[best.chunk_id][0]
    assert chunk.text == CHUNKS[2]  # sentences 2-3: the only chunk holding both
    assert best.text == sentences(1, 4)
    assert best.span is not None
    assert best.text[best.span[0] : best.span[1]] == chunk.text
    assert other.text == world.rows[other.chunk_id][0].text  # a one-chunk article
    # One load: the chosen chunks, then the neighbours within their articles (the
    # one-chunk article's neighbouring ids belong to other articles: not loaded).
    assert world.loads == [[102, other.chunk_id, 101, 103]]


def test_context_chunks_zero_hands_on_the_chunk_alone(embedder: HashingEmbedder) -> None:
    settings = SearchSettings(max_chunks_per_article=1, context_chunks=0)
    world = build_world(docs(), embedder, settings=settings)
    best = world.searcher.search(QUESTION, k=2)[0]
    assert (best.text, best.span) == (CHUNKS[2], None)
    assert len(world.loads) == 1


def test_context_chunks_is_validated() -> None:
    with pytest.raises(ValueError, match="context_chunks"):
        SearchSettings(context_chunks=-1)
