"""A model's reply turned into what the user sees (pure): the not-found sentinel
recognised, sentences their sources do not support dropped (`retrieval/grounding.py`),
citation markers verified and renumbered by first use; partial views while it streams.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from retrieval.citations import (
    NOT_FOUND_SENTINEL,
    build_citations,
    first_use_mapping,
    is_not_found_reply,
    renumber,
    strip_sentinel,
    verify_citations,
)
from retrieval.grounding import SourceFacts, drop_unsupported, split_reply
from retrieval.types import Citation, Passage

logger = logging.getLogger(__name__)

_TRAILING_MARKER = re.compile(r"\[[\d,;\s–-]*$")


def checkable_text(passage: Passage) -> str:
    """What the prompt shows of a source (title, outlet, date, text), for fact checks."""
    day = passage.published_at
    # The prompt shows an ISO date; a reply says "April 29" or "Thursday".
    when = f"{day.date().isoformat()} {day:%B %A}" if day else ""
    return " ".join([passage.title, passage.source or "", when, passage.text])


def parse_llm_reply(
    raw: str, passages: Sequence[Passage], *, facts: SourceFacts | None = None
) -> tuple[str, tuple[Citation, ...]] | None:
    """Verified, renumbered text and its citations; None when the reply is not an answer.

    Sentences stating numbers or names that their cited sources (or the question) do not
    hold are dropped first (`retrieval/grounding.py`): a claim is never shown as cited by a
    source that does not say it.
    """
    text = raw.strip()
    if not text or is_not_found_reply(text):
        return None
    facts = facts or SourceFacts.of([checkable_text(p) for p in passages])
    grounded = drop_unsupported(strip_sentinel(text), facts)
    if grounded.dropped:
        logger.info("dropped %d generated sentence(s) not in their sources", len(grounded.dropped))
    text, cited = verify_citations(grounded.text, len(passages))
    if not cited:
        return None
    return renumber(text, first_use_mapping(cited)), build_citations(passages, cited)


def partial_view(raw: str, n_sources: int, *, facts: SourceFacts | None = None) -> str | None:
    """What a partial reply may show: verified and renumbered like the final one (first-use
    numbering is stable as text grows); None while it may still turn out to be NOT_FOUND.

    With the sources' `facts`, only finished sentences are shown, and only those the final
    check keeps (`drop_unsupported`): a claim dropped at the end is never shown meanwhile.
    """
    head = raw.strip(" \t\r\n*_`\"'").upper()[: len(NOT_FOUND_SENTINEL)]
    if NOT_FOUND_SENTINEL.startswith(head) or is_not_found_reply(raw):
        return None
    text = _TRAILING_MARKER.sub("", raw)
    if facts is not None:
        sentences = split_reply(text)
        finished = "".join(s + sep for s, sep in sentences[:-1])  # the last may go on
        text = drop_unsupported(finished, facts).text
    text, cited = verify_citations(text, n_sources)
    return renumber(text, first_use_mapping(cited)) or None
