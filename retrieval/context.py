"""Context around retrieved chunks: each passage widened by its article's neighbouring chunks.

Search finds the chunk that best matches a question; the fact that answers it often sits a
sentence or two across the chunk's edge (a percentage in the next paragraph, the name in
the one before). The passage handed on (to the LLM, the extractive composer and the eval)
is the retrieved chunk with up to `radius` chunks of the same article on each side, in
reading order. Ranking is untouched: only the text grows.

Chunk ids are consecutive within an article in reading order (an article's chunks are
stored together), so the neighbours of chunk c are looked for at c - 1, c + 1, ...; each
one found is checked against its article and ordinal before it is used. A neighbour that
is itself a chosen passage, or that a better-ranked passage of the same article already
took, is not repeated: merging passages by article then shows every chunk once.

Consecutive chunks share their boundary sentences (the chunking overlap); the repeat is cut
from the neighbour, so the retrieved chunk's own text stays whole and `Passage.span` says
where it sits.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from index.types import StoredChunk
from retrieval.types import Passage

MAX_OVERLAP_WORDS = 120  # the chunking overlap is a few sentences, far below this


def neighbour_candidates(chunk_ids: Sequence[int], radius: int) -> list[int]:
    """Ids that may hold neighbours of `chunk_ids` (not themselves), nearest first."""
    if radius < 0:
        raise ValueError("radius must be >= 0")
    chosen = set(chunk_ids)
    wanted: dict[int, None] = {}
    for distance in range(1, radius + 1):
        for chunk_id in chunk_ids:
            for candidate in (chunk_id - distance, chunk_id + distance):
                if candidate not in chosen:
                    wanted.setdefault(candidate)
    return list(wanted)


def overlap_words(left: str, right: str, limit: int = MAX_OVERLAP_WORDS) -> int:
    """How many words that end `left` also begin `right` (the longest such run)."""
    tail, head = left.split(), right.split()
    if not tail or not head:
        return 0
    first = head[0]
    # Longest first: try each place in the tail where the head's first word occurs.
    for start in range(max(len(tail) - min(len(head), limit), 0), len(tail)):
        if tail[start] == first and tail[start:] == head[: len(tail) - start]:
            return len(tail) - start
    return 0


def _without_tail(text: str, words: int) -> str:
    return " ".join(text.split()[:-words]) if words else text


def _without_head(text: str, words: int) -> str:
    return " ".join(text.split()[words:]) if words else text


def _run(
    chunk: StoredChunk, step: int, radius: int, rows: Mapping[int, StoredChunk], taken: set[int]
) -> list[StoredChunk]:
    """Neighbours of `chunk` in one direction (step -1 or +1), nearest first, stopping at
    the first one that is missing, taken, or not the next chunk of the same article."""
    run: list[StoredChunk] = []
    for distance in range(1, radius + 1):
        row = rows.get(chunk.id + step * distance)
        if (
            row is None
            or row.id in taken
            or row.article_id != chunk.article_id
            or row.ordinal != chunk.ordinal + step * distance
        ):
            break
        run.append(row)
    return run


def widen(
    passages: Sequence[Passage], rows: Mapping[int, StoredChunk], *, radius: int
) -> list[Passage]:
    """Passages with up to `radius` neighbouring chunks on each side added to their text.

    `rows` holds the stored chunks of the passages and of any neighbours that exist
    (missing ids are simply not added). Passages keep their order, scores and ids.
    """
    if radius < 0:
        raise ValueError("radius must be >= 0")
    if radius == 0:
        return list(passages)
    taken = {p.chunk_id for p in passages}
    widened: list[Passage] = []
    for passage in passages:
        chunk = rows.get(passage.chunk_id)
        if chunk is None:
            widened.append(passage)
            continue
        before = _run(chunk, -1, radius, rows, taken)
        after = _run(chunk, +1, radius, rows, taken)
        taken.update(row.id for row in (*before, *after))
        widened.append(
            _joined(passage, [r.text for r in reversed(before)], [r.text for r in after])
        )
    return widened


def _joined(passage: Passage, before: list[str], after: list[str]) -> Passage:
    """The passage's text between its neighbours' texts, repeats at each join cut."""
    if not before and not after:
        return passage
    core = passage.text
    left = ""
    for text in before:  # reading order: furthest first
        left = f"{left} {_without_head(text, overlap_words(left, text))}".strip() if left else text
    if left:
        left = _without_tail(left, overlap_words(left, core))
    right = ""
    previous = core
    for text in after:
        piece = _without_head(text, overlap_words(previous, text))
        right = f"{right} {piece}".strip()
        previous = text
    start = len(left) + 1 if left else 0
    text = " ".join(part for part in (left, core, right) if part)
    return dataclasses.replace(passage, text=text, span=(start, start + len(core)))
