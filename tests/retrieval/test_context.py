"""Passages widened by neighbouring chunks: overlaps cut, spans exact, nothing repeated."""

from __future__ import annotations

import pytest

from index.chunking import chunk_text
from index.types import StoredChunk
from retrieval.context import neighbour_candidates, overlap_words, widen
from retrieval.merge import merge_by_article
from retrieval.types import Passage

# A short story cut the way the indexer cuts articles (here ~20-word chunks, one sentence
# of overlap): chunk n holds sentences n and n + 1.
S = [
    "The Reuters Institute published its news report.",
    "It surveyed 93,000 people in 46 markets.",
    "Interest in news has fallen since 2017.",
    "Many people avoid news that lowers their mood.",
    "The report found that 38% often avoid it.",
    "Trust in news fell in most markets.",
    "Younger readers rely more on social media.",
    "Publishers worry that subscriptions stopped growing.",
]
CHUNKS = chunk_text(" ".join(S), target_words=20, overlap_words=8)


def sentences(first: int, last: int) -> str:
    return " ".join(S[first : last + 1])


def stored(article_id: int = 7, first_id: int = 100) -> dict[int, StoredChunk]:
    return {
        first_id + n: StoredChunk(first_id + n, article_id, n, text, f"Header\n{text}")
        for n, text in enumerate(CHUNKS)
    }


def passage(chunk: StoredChunk, score: float = 1.0) -> Passage:
    return Passage(
        chunk_id=chunk.id,
        article_id=chunk.article_id,
        title="Digital news report",
        source="Wire",
        published_at=None,
        url=None,
        text=chunk.text,
        score=score,
        similarity=score,
    )


def test_the_chunker_cuts_the_story_as_this_file_assumes() -> None:
    assert CHUNKS[:5] == [sentences(n, n + 1) for n in range(5)]
    assert CHUNKS[5] == sentences(5, 7)


def test_neighbour_candidates_skip_chosen_ids_nearest_first() -> None:
    assert neighbour_candidates([10, 11], 1) == [9, 12]
    assert neighbour_candidates([10], 2) == [9, 11, 8, 12]
    assert neighbour_candidates([10], 0) == []
    with pytest.raises(ValueError, match="radius"):
        neighbour_candidates([10], -1)


def test_overlap_words_finds_the_longest_repeat() -> None:
    assert overlap_words("a b c d", "c d e") == 2
    assert overlap_words("x y x y", "x y x y z") == 4
    assert overlap_words("a b", "c d") == 0
    assert overlap_words("", "c d") == 0
    assert overlap_words("a b c", "b c d", limit=1) == 0
    assert overlap_words(CHUNKS[0], CHUNKS[1]) == len(S[1].split())


def test_widened_text_is_the_stretch_of_story_around_the_chunk() -> None:
    rows = stored()
    [wide] = widen([passage(rows[102])], rows, radius=1)
    assert wide.text == sentences(1, 4)  # chunk 2 is sentences 2-3; the repeats are cut
    assert wide.span is not None
    start, end = wide.span
    assert wide.text[start:end] == CHUNKS[2]
    assert (wide.chunk_id, wide.score, wide.similarity) == (102, 1.0, 1.0)
    [wider] = widen([passage(rows[102])], rows, radius=2)
    assert wider.text == sentences(0, 5)


def test_article_edges_and_radius_zero() -> None:
    rows = stored()
    [first] = widen([passage(rows[100])], rows, radius=1)
    assert (first.text, first.span) == (sentences(0, 2), (0, len(CHUNKS[0])))
    [last] = widen([passage(rows[105])], rows, radius=1)
    assert last.text == sentences(4, 7)
    assert widen([passage(rows[100])], rows, radius=0) == [passage(rows[100])]


def test_neighbours_must_be_the_same_article_in_reading_order() -> None:
    rows = stored(article_id=7, first_id=100)
    rows.update(stored(article_id=8, first_id=106))  # ids right after article 7's last
    [wide] = widen([passage(rows[105])], rows, radius=1)
    assert wide.text == sentences(4, 7)  # article 8's first chunk (id 106) is no neighbour
    rows[101] = StoredChunk(101, 7, 5, "Out of order.", "x")  # id fits, ordinal does not
    del rows[103]
    assert widen([passage(rows[102])], rows, radius=1) == [passage(rows[102])]


def test_a_chunk_goes_to_one_passage_and_the_merged_source_reads_once() -> None:
    rows = stored()
    # Chunks 1 and 3 chosen: chunk 2 lies between them and goes to the better one only.
    wide = widen([passage(rows[103], 0.9), passage(rows[101], 0.8)], rows, radius=1)
    assert [p.text for p in wide] == [sentences(2, 5), sentences(0, 2)]
    merged = merge_by_article(wide)
    assert len(merged) == 1
    assert merged[0].text == sentences(0, 5)
    assert merged[0].span is None
    assert (merged[0].chunk_id, merged[0].score) == (103, 0.9)


def test_missing_rows_leave_the_passage_as_it_is() -> None:
    rows = stored()
    alone = passage(rows[102])
    assert widen([alone], {}, radius=1) == [alone]
    with pytest.raises(ValueError, match="radius"):
        widen([alone], rows, radius=-1)
