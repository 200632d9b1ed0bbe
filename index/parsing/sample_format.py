"""The plain-text article format of the product's sample corpus.

    Title line
    (blank lines)
    (Seoul) First paragraph, starting with a dateline ...
    (more paragraphs)
    source site-59

The trailer names the outlet and is not part of the body. The format carries no date.
"""

from __future__ import annotations

import re

from index.errors import ParseError
from index.parsing.common import build_article
from index.parsing.decoding import normalize_newlines
from index.types import Article

_TRAILER = re.compile(r"source:?\s+(\S.{0,79})", re.IGNORECASE)


def parse_sample_text(text: str) -> Article:
    """One article from the text of a sample-format file; ParseError when there is none."""
    lines = [line.rstrip() for line in normalize_newlines(text).split("\n")]
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if not filled:
        raise ParseError("empty file")
    first, last = filled[0], filled[-1]
    title = lines[first].strip()
    source = None
    body_end = len(lines)
    trailer = _TRAILER.fullmatch(lines[last].strip())
    if trailer and last != first:
        source = trailer.group(1).strip()
        body_end = last
    body = _paragraphs(lines[first + 1 : body_end])
    return build_article(title=title, body=body, source=source)


def _paragraphs(lines: list[str]) -> str:
    """Runs of blank lines become one paragraph break; the lines themselves stay as written."""
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return "\n\n".join("\n".join(p) for p in paragraphs if p)
