"""A model's reply turned into what the user sees (pure): the not-found sentinel
recognised, the text made plain (no Markdown, HTML or links of the model's own), sentences
their sources do not support dropped (`retrieval/grounding.py`), citation markers verified
and renumbered by first use; partial views while it streams.

`Answer.text` is plain text for every consumer; links of the model's own never reach the user
(`retrieval/plain_text.py`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from retrieval.citations import (
    NOT_FOUND_SENTINEL,
    build_citations,
    find_citations,
    first_use_mapping,
    is_not_found_reply,
    renumber,
    strip_sentinel,
    verify_citations,
)
from retrieval.grounding import SourceFacts, drop_unsupported, split_reply
from retrieval.plain_text import plain_text
from retrieval.types import Citation, Passage

logger = logging.getLogger(__name__)

# -- parsed replies --------------------------------------------------------------------------

# A reply that leads with a refusal or with "the sources do not say" in prose (the model
# forgot the sentinel). English only: other languages are asked for the sentinel.
_REFUSAL = re.compile(
    r"\b(?:sorry|apologi[sz]e"
    r"|i(?:\s+(?:can(?:not|'t|’t| not)|am unable|do(?: not|n't|n’t) (?:know|have|see|find))"
    r"|['’]m unable)"
    r"|(?:do|does|did)(?: not|n't|n’t) (?:contain|mention|say|state|include|provide|specify"
    r"|answer|cover|discuss|address|indicate)"
    r"|no (?:information|mention|details?|data|answer)"
    r"|not (?:mentioned|stated|specified|covered|provided|included|available|found)"
    r" in the (?:news|sources?|articles?|provided|given|text|context))\b",
    re.IGNORECASE,
)


class ReplyKind(StrEnum):
    ANSWER = "answer"  # supported claims, cited
    NOT_FOUND = "not_found"  # the sentinel or a refusal: the model read the sources
    UNCITED = "uncited"  # nothing cited that its sources support: answer another way


@dataclass(frozen=True)
class ParsedReply:
    kind: ReplyKind
    text: str = ""  # with [n] markers renumbered 1..m (ANSWER only)
    citations: tuple[Citation, ...] = ()


def checkable_text(passage: Passage) -> str:
    """What the prompt shows of a source (title, outlet, date, text), for fact checks."""
    day = passage.published_at
    # The prompt shows an ISO date; a reply says "April 29" or "Thursday".
    when = f"{day.date().isoformat()} {day:%B %A}" if day else ""
    return " ".join([passage.title, passage.source or "", when, passage.text])


def _drop_miscited(text: str, n_sources: int) -> str:
    """Without the sentences whose markers all point to sources not given ("[9]" of 6):
    each claimed a source we do not have. Sentences with no marker stay (they are checked
    against all the sources), and so do those with one valid marker among invalid ones."""
    if all(1 <= n <= n_sources for n in find_citations(text)):
        return text.strip()  # nothing to drop: no sentence splitting needed
    kept: list[str] = []
    for sentence, separator in split_reply(text):
        markers = find_citations(sentence)
        if not markers or any(1 <= n <= n_sources for n in markers):
            kept.append(sentence + separator)
        else:
            logger.info("dropped a generated sentence citing only unknown sources")
    return "".join(kept).strip()


def _refuses(text: str) -> bool:
    sentences = split_reply(text)
    return bool(sentences) and _REFUSAL.search(sentences[0][0]) is not None


def parse_llm_reply(
    raw: str, passages: Sequence[Passage], *, facts: SourceFacts | None = None
) -> ParsedReply:
    """The reply as plain, verified, renumbered text and its citations (ANSWER); NOT_FOUND
    for the sentinel or a refusal only; UNCITED for a reply left without one valid citation
    of a supported claim (small models forget citations, or state what their sources do
    not hold: "The answer is: 3"), so the caller answers another way.

    Sentences stating numbers or names that their cited sources (or the question) do not
    hold (`retrieval/grounding.py`), and sentences citing only sources not given, are
    dropped first: a claim is never shown as cited by a source that does not say it.
    """
    text = raw.strip()
    if is_not_found_reply(text):
        return ParsedReply(ReplyKind.NOT_FOUND)
    plain = plain_text(text)
    if is_not_found_reply(plain):
        return ParsedReply(ReplyKind.NOT_FOUND)
    facts = facts or SourceFacts.of([checkable_text(p) for p in passages])
    grounded = drop_unsupported(_drop_miscited(strip_sentinel(plain), len(passages)), facts)
    if grounded.dropped:
        logger.info("dropped %d generated sentence(s) not in their sources", len(grounded.dropped))
    text, cited = verify_citations(grounded.text, len(passages))
    if cited:
        text = renumber(text, first_use_mapping(cited))
        return ParsedReply(ReplyKind.ANSWER, text, build_citations(passages, cited))
    # Only the model's own words may mean "not in the news": a reply whose claims the
    # check rejected says nothing about what the sources hold.
    if _refuses(plain):
        return ParsedReply(ReplyKind.NOT_FOUND)
    return ParsedReply(ReplyKind.UNCITED)


# A construct still being written at the end of a partial: a marker or link ("[1",
# "[text](https://ex"), "【1", a tag ("<b").
_UNFINISHED = re.compile(r"(?:!?\[[^\[\]\n]*(?:\]\([^()\n]*)?|【[^】\n]*|<[A-Za-z/!][^<>\n]*)$")


def partial_view(
    raw: str, n_sources: int, *, facts: SourceFacts | None = None, whole: bool = False
) -> str | None:
    """What a partial reply may show: made plain, verified and renumbered like the final one
    (first-use numbering is stable as text grows); None while it may still turn out to be
    NOT_FOUND.

    With the sources' `facts`, only finished sentences are shown (all of them when `whole`:
    the text will not go on), and only those the final check keeps (`drop_unsupported`): a
    claim dropped at the end is never shown meanwhile, and nothing is shown before a valid
    citation (an uncited reply is answered another way).
    """
    head = raw.strip(" \t\r\n*_`\"'").upper()[: len(NOT_FOUND_SENTINEL)]
    if NOT_FOUND_SENTINEL.startswith(head) or is_not_found_reply(raw):
        return None
    text = _UNFINISHED.sub("", raw)
    if facts is not None:
        sentences = split_reply(text)
        ended = sentences if whole else sentences[:-1]  # the last may go on
        finished = "".join(s + sep for s, sep in ended)
        text = _UNFINISHED.sub("", finished)
    text = _drop_miscited(strip_sentinel(plain_text(text)), n_sources)
    if facts is not None:
        text = drop_unsupported(text, facts).text
    text, cited = verify_citations(text, n_sources)
    if facts is not None and not cited:
        return None
    return renumber(text, first_use_mapping(cited)) or None
