"""Sentence-aware chunking of articles into ~200-word passages with a small overlap."""

from __future__ import annotations

from datetime import datetime

from index.sentences import split_sentences
from index.types import Article, ChunkText


def _word_count(text: str) -> int:
    return len(text.split())


def _split_long_sentence(sentence: str, max_words: int) -> list[str]:
    words = sentence.split()
    return [" ".join(words[i : i + max_words]) for i in range(0, len(words), max_words)]


def chunk_header(title: str, published_at: datetime | None, source: str | None) -> str:
    """The line embedded in front of every chunk: it ties a passage to its story and date."""
    parts = [title.strip()]
    meta = [m for m in (source, published_at.date().isoformat() if published_at else None) if m]
    if meta:
        parts.append(f"({', '.join(meta)})")
    return " ".join(parts)


def chunk_text(body: str, *, target_words: int = 200, overlap_words: int = 40) -> list[str]:
    """Group whole sentences into passages of about `target_words`; consecutive passages
    share their last sentences up to `overlap_words` so a fact on a boundary survives."""
    if target_words <= 0 or overlap_words < 0 or overlap_words >= target_words:
        raise ValueError("need target_words > overlap_words >= 0")
    # (sentence, word count) pairs: each sentence is counted once, not at every look-back.
    sentences: list[tuple[str, int]] = []
    for sentence in split_sentences(body):
        words = _word_count(sentence)
        if words > target_words:
            sentences.extend(
                (piece, _word_count(piece))
                for piece in _split_long_sentence(sentence, target_words)
            )
        else:
            sentences.append((sentence, words))
    chunks: list[str] = []
    current: list[tuple[str, int]] = []
    current_words = 0
    for sentence, words in sentences:
        if current and current_words + words > target_words:
            chunks.append(" ".join(s for s, _ in current))
            carried: list[tuple[str, int]] = []
            carried_words = 0
            for previous in reversed(current):
                if carried_words + previous[1] > overlap_words:
                    break
                carried.insert(0, previous)
                carried_words += previous[1]
            current, current_words = carried, carried_words
        current.append((sentence, words))
        current_words += words
    if current:
        tail = " ".join(s for s, _ in current)
        # A tail that only repeats the overlap adds nothing new.
        if not chunks or not chunks[-1].endswith(tail):
            chunks.append(tail)
    return chunks


def chunk_article(
    article: Article, *, target_words: int = 200, overlap_words: int = 40
) -> list[ChunkText]:
    """Chunks of an article, each embedded with the title (and outlet, date) as a header."""
    header = chunk_header(article.title, article.published_at, article.source)
    passages = chunk_text(article.body, target_words=target_words, overlap_words=overlap_words)
    return [
        ChunkText(ordinal=i, text=passage, embed_text=f"{header}\n{passage}")
        for i, passage in enumerate(passages)
    ]
