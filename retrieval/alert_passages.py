"""A matched chunk with its article's paragraph breaks put back, for the reason picker (pure).

The indexer's chunks are whole sentences joined by single spaces (`index.chunking`), so a
heading, a caption or a label standing alone in the article ("Netflix", "4. Grocery
prices") reaches the matcher glued to the sentence after it, and the reason picker would
quote both as one sentence. The stored body still has the breaks: the chunk's words are a
run of the body's words (the chunker only collapses whitespace), so the run is found in
the body and its words are joined again with a blank line where a paragraph ended.
"""

from __future__ import annotations

from index.sentences import PARAGRAPH_BREAK


def with_paragraphs(chunk: str, body: str) -> str:
    """`chunk` with a blank line wherever `body` starts a new paragraph inside it; the chunk
    as it is when the body does not hold its words in a row (an older chunk, another text)."""
    wanted = chunk.split()
    if not wanted:
        return chunk
    words: list[str] = []
    paragraph_of: list[int] = []
    for number, paragraph in enumerate(PARAGRAPH_BREAK.split(body)):
        found = paragraph.split()
        words.extend(found)
        paragraph_of.extend([number] * len(found))
    start = _run_start(words, wanted)
    if start is None:
        return chunk
    pieces = [wanted[0]]
    for offset in range(1, len(wanted)):
        same = paragraph_of[start + offset] == paragraph_of[start + offset - 1]
        pieces.append((" " if same else "\n\n") + wanted[offset])
    return "".join(pieces)


def _run_start(words: list[str], wanted: list[str]) -> int | None:
    """Index of the first word of `words` where `wanted` follows word for word, or None."""
    # Words hold no whitespace, so a match of the joined texts on spaces is a word match.
    text = " " + " ".join(words) + " "
    needle = " " + " ".join(wanted) + " "
    at = text.find(needle)
    if at < 0:
        return None
    return text.count(" ", 0, at)  # spaces before the match = words before it
