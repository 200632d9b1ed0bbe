import itertools
from datetime import UTC, datetime

import pytest

from index.chunking import chunk_article, chunk_header, chunk_text, split_sentences
from index.types import Article


def _sentences(n: int, words: int = 10) -> str:
    return " ".join(
        f"Sentence {i} " + " ".join(f"w{i}x{j}" for j in range(words - 3)) + " end."
        for i in range(n)
    )


def test_split_sentences_keeps_paragraphs_and_quotes() -> None:
    text = "He said “We will win.” Then he left.\n\nA new paragraph starts here. 42 people came."
    assert split_sentences(text) == [
        "He said “We will win.”",
        "Then he left.",
        "A new paragraph starts here.",
        "42 people came.",
    ]


def test_chunks_are_about_target_size_and_cover_all_text() -> None:
    body = _sentences(60)  # 600 words
    chunks = chunk_text(body, target_words=200, overlap_words=40)
    assert len(chunks) >= 3
    assert all(len(c.split()) <= 200 for c in chunks)
    joined = " ".join(chunks)
    for i in range(60):
        assert f"Sentence {i} " in joined


def test_consecutive_chunks_overlap_by_whole_sentences() -> None:
    chunks = chunk_text(_sentences(60), target_words=100, overlap_words=25)
    for first, second in itertools.pairwise(chunks):
        first_sentences = split_sentences(first)
        first_of_second = split_sentences(second)[0]
        # the overlap is a suffix of whole sentences of the previous chunk, under 25 words
        position = first_sentences.index(first_of_second)
        overlap = first_sentences[position:]
        assert position > 0
        assert sum(len(s.split()) for s in overlap) <= 25
        assert second.startswith(" ".join(overlap))


def test_huge_sentence_is_split_by_words() -> None:
    body = " ".join(f"w{i}" for i in range(1000))
    chunks = chunk_text(body, target_words=200, overlap_words=0)
    assert len(chunks) == 5
    assert sum(len(c.split()) for c in chunks) == 1000


def test_invalid_sizes_refused() -> None:
    with pytest.raises(ValueError, match="target_words"):
        chunk_text("x", target_words=10, overlap_words=10)


def test_chunk_article_embeds_title_and_date_header() -> None:
    article = Article(
        title="Blinken in Seoul",
        body=_sentences(30),
        source="site-59",
        published_at=datetime(2023, 11, 9, tzinfo=UTC),
    )
    chunks = chunk_article(article)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    assert all(c.embed_text.startswith("Blinken in Seoul (site-59, 2023-11-09)\n") for c in chunks)
    assert all(c.embed_text.endswith(c.text) for c in chunks)


def test_header_without_metadata() -> None:
    assert chunk_header("Title", None, None) == "Title"
