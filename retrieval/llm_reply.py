"""A model's reply turned into what the user sees (pure): the not-found sentinel
recognised, the text made plain (no Markdown, HTML or links of the model's own), sentences
their sources do not support dropped (`retrieval/grounding.py`), citation markers verified
and renumbered by first use; partial views while it streams.

`Answer.text` is plain text for every consumer (chat, command line, JSON), and the only
clickable links a user gets are our own source links: a URL in a model's text may come
from a poisoned article the model obeyed, so `plain_text` removes it, and a sentence left
empty or dangling by that ("Read more at .") goes with it.
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
    normalise_markers,
    renumber,
    strip_markers,
    strip_sentinel,
    verify_citations,
)
from retrieval.grounding import SourceFacts, drop_unsupported, split_reply
from retrieval.types import Citation, Passage

logger = logging.getLogger(__name__)

# -- plain text ------------------------------------------------------------------------------

_FENCE = re.compile(r"^[ \t]*(?:```|~~~).*(?:\n|$)", re.MULTILINE)
# "[1]: https://…", "[^1]: Some outlet": the model's own list of links or sources ("[1]:
# Japan shrank." is a claim with a marker in front, and stays).
_LINK_DEFINITION = re.compile(
    r"^[ \t]*(?:\[\^[^\]\n]+\]:|\[[^\]\n]+\]:[ \t]*<?(?:[a-z][a-z0-9+.-]{0,30}://|www\.)).*(?:\n|$)",
    re.MULTILINE | re.IGNORECASE,
)
_HIDDEN_HTML = re.compile(
    r"<!--.*?(?:-->|\Z)|<(script|style)\b[^>]*>.*?(?:</\1\s*>|\Z)", re.IGNORECASE | re.DOTALL
)
_AUTOLINK = re.compile(r"<((?:[a-z][a-z0-9+.-]*:|www\.)[^<>\s]*)>", re.IGNORECASE)
_BREAK_TAG = re.compile(r"<\s*(?:br|/p|/div|/li)\b[^<>]*>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>")
# [text](url "title") and ![alt](url); the URL may hold one level of brackets (Wikipedia).
_MD_LINK = re.compile(
    r"!?\[(?P<text>[^\[\]\n]*)\]\(\s*[^()\s]*(?:\([^()\s]*\)[^()\s]*)*"
    r"(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)"
)
_CITATION_BODY = re.compile(r"\s*\d{1,3}(?:\s*[,;–-]\s*\d{1,3})*\s*")
# A URL, with the words that only led to it ("see", ", according to", "Read more at").
# Words and separators share no character, repeats are bounded and possessive: a long run
# of such words, spaces or dots costs linear time (a regex that backtracks is a DoS).
_URL_SEPARATOR = r"[ \t,;:–—-]*+"
_URL = re.compile(
    rf"(?<![ \t,;:–—-])(?:{_URL_SEPARATOR}\b(?:see|visit|read|more|details|full|story|report"
    r"|article|here|available|online|according|to|at|from|via|on|in|the|a|an|source|sources"
    rf"|link|links)\b){{0,6}}{_URL_SEPARATOR}"
    # A scheme (even a look-alike: "һttps"), "www.", or a host with a path (any script:
    # "пример.рф/", punycode, a port).
    r"(?P<url>(?:(?:\b[^\W\d_][\w+.-]{0,30}+)?://|\bwww\.|\b(?:[^\W_][\w-]{0,62}+\.){1,8}+"
    r"(?:[^\W\d_]{2,63}+|xn--[\w-]{1,59}+)(?::\d{1,5}+)?/)"
    r"[^\s<>\[\]\"'`]*+)",
    re.IGNORECASE,
)
# What a removed URL leaves behind: "()", "(see )", "[]", "<>".
_EMPTY_GROUP = re.compile(
    r"(?<![ \t])[ \t]*(?:\(\s*(?:(?:see|via|at|from|source|sources|link|here|more|details)"
    r"\s*:?\s*)?\)|\[\s*\]|<\s*>)",
    re.IGNORECASE,
)
_SPACE_BEFORE_PUNCTUATION = re.compile(r"(?<![ \t])[ \t]+(?=[.,;:!?])")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# A sentence ending in one of these once its URL is gone says nothing: "More at [URL]."
_DANGLING = frozenset(
    [
        "a", "an", "the", "at", "on", "in", "to", "from", "via", "of", "by", "for", "per",
        "and", "or", "with", "see", "visit", "read", "here", "link", "links", "url",
        "website", "site", "page", "more", "details", "check", "click", "follow", "is", "are",
    ]
)  # fmt: skip
_RULE = re.compile(r"^[ \t]*(?:[-*_=][ \t]*){3,}$", re.MULTILINE)
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
_QUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)+", re.MULTILINE)
_BULLET = re.compile(r"^([ \t]*)[-*+•][ \t]+", re.MULTILINE)
_STRONG = re.compile(r"(\*\*|__|~~)(?=\S)([^\n]{0,300}?\S)\1")
_EMPHASIS = re.compile(
    r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])|(?<![\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])"
)
# Markup left unpaired (a reply cut short, a typo): "**", "__", "~~", backticks, and a
# lone "*" at a word's edge ("5 * 3" keeps its star).
_LEFTOVER = re.compile(r"\*\*|__|~~|`+|(?<!\S)\*(?=\S)|(?<=\S)\*(?!\S)")
_INNER_SPACES = re.compile(r"(?<=\S)[ \t]{2,}")
_TRAILING_SPACES = re.compile(r"(?<![ \t])[ \t]+$", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{3,}")


def _link_text(match: re.Match[str]) -> str:
    """A Markdown link's text; "[1](url)" stays a citation marker."""
    text = match["text"]
    return f"[{text}]" if _CITATION_BODY.fullmatch(text) else text


def _cut_url(match: re.Match[str]) -> str:
    """Nothing of the URL and its lead-in, only the punctuation the URL ended on ("see
    x.com/a." keeps ".")."""
    url = match["url"]
    tail = ""
    while url and (url[-1] in ".,;:!?*_" or (url[-1] == ")" and url.count("(") < url.count(")"))):
        url, tail = url[:-1], url[-1] + tail
    return tail


def _without_urls(sentence: str) -> str | None:
    """The sentence with its URLs removed; None when nothing worth saying is left."""
    cleaned = _URL.sub(_cut_url, sentence)
    if cleaned == sentence:
        return sentence
    cleaned = _SPACE_BEFORE_PUNCTUATION.sub("", _EMPTY_GROUP.sub("", cleaned))
    cleaned = _INNER_SPACES.sub(" ", cleaned)
    claim = strip_markers(cleaned).rstrip(" \t.!?*_")
    words = _WORD.findall(claim)
    if len(words) < 2 or claim.endswith((":", ",", "-", "–", "—")):
        return None
    if words[-1].casefold() in _DANGLING:
        return None
    return cleaned


def _drop_urls(text: str) -> str:
    if _URL.search(text) is None:  # the usual case: no sentence splitting needed
        return text
    kept: list[str] = []
    for sentence, separator in split_reply(text):
        cleaned = _without_urls(sentence)
        if cleaned is not None:
            kept.append(cleaned + separator)
    return "".join(kept)


def plain_text(reply: str) -> str:
    """A model's reply as plain text: other citation styles as `[n]`; no code fences, HTML
    tags, links or URLs (link texts kept); Markdown emphasis, headings and quotes as their
    words; "- "/"* " bullets as "• "; numbered lists kept."""
    text = _LINK_DEFINITION.sub("", _FENCE.sub("", reply))
    text = _HIDDEN_HTML.sub("", text)
    text = _TAG.sub("", _BREAK_TAG.sub("\n", _AUTOLINK.sub(r"\1", text)))
    text = _MD_LINK.sub(_link_text, normalise_markers(text))
    text = _drop_urls(text)
    text = _BULLET.sub(r"\1• ", _QUOTE.sub("", _HEADING.sub(r"\1", _RULE.sub("", text))))
    text = _EMPHASIS.sub(lambda m: m[1] or m[2], _STRONG.sub(r"\2", text))
    text = _INNER_SPACES.sub(" ", _LEFTOVER.sub("", text))
    # Again: markup removed above may have joined a URL ("evil.c**om/x**", "`www`.x.com").
    text = _drop_urls(text)
    return _BLANK_LINES.sub("\n\n", _TRAILING_SPACES.sub("", text)).strip()


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
    NOT_FOUND = "not_found"  # the sentinel, a refusal, or nothing supported left
    UNCITED = "uncited"  # supported text that cites no source given: answer another way


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
    for the sentinel, a refusal, or a reply none of whose claims its sources support;
    UNCITED for supported text without one valid citation (small models forget them).

    Sentences stating numbers or names that their cited sources (or the question) do not
    hold (`retrieval/grounding.py`), and sentences citing only sources not given, are
    dropped first: a claim is never shown as cited by a source that does not say it.
    """
    text = raw.strip()
    if not text or is_not_found_reply(text):
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
    if not text or _refuses(plain):
        return ParsedReply(ReplyKind.NOT_FOUND)
    return ParsedReply(ReplyKind.UNCITED)


# A construct still being written at the end of a partial: a marker or link ("[1",
# "[text](https://ex"), "【1", a tag ("<b").
_UNFINISHED = re.compile(r"(?:!?\[[^\[\]\n]*(?:\]\([^()\n]*)?|【[^】\n]*|<[A-Za-z/!][^<>\n]*)$")


def partial_view(raw: str, n_sources: int, *, facts: SourceFacts | None = None) -> str | None:
    """What a partial reply may show: made plain, verified and renumbered like the final one
    (first-use numbering is stable as text grows); None while it may still turn out to be
    NOT_FOUND.

    With the sources' `facts`, only finished sentences are shown, and only those the final
    check keeps (`drop_unsupported`): a claim dropped at the end is never shown meanwhile,
    and nothing is shown before a valid citation (an uncited reply is answered another way).
    """
    head = raw.strip(" \t\r\n*_`\"'").upper()[: len(NOT_FOUND_SENTINEL)]
    if NOT_FOUND_SENTINEL.startswith(head) or is_not_found_reply(raw):
        return None
    text = _UNFINISHED.sub("", raw)
    if facts is not None:
        sentences = split_reply(text)
        finished = "".join(s + sep for s, sep in sentences[:-1])  # the last may go on
        text = _UNFINISHED.sub("", finished)
    text = _drop_miscited(strip_sentinel(plain_text(text)), n_sources)
    if facts is not None:
        text = drop_unsupported(text, facts).text
    text, cited = verify_citations(text, n_sources)
    if facts is not None and not cited:
        return None
    return renumber(text, first_use_mapping(cited)) or None
