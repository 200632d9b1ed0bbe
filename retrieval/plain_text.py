"""A model's text as plain text (pure): no Markdown, HTML, or links of the model's own.

`Answer.text` is plain text for every consumer (chat, command line, JSON), and the only
clickable links a user gets are our own source links: a URL in a model's text (a scheme,
"www." or a host with a path or a query, in any script) may come from a poisoned article
the model obeyed, so `plain_text` removes it whole (and e-mail addresses, written to be
used), and a sentence left empty, dangling or without its subject by that ("Read more at
.") goes with it. Bare hosts and @mentions are often names ("Amazon.com", "@BBCBreaking")
and stay as they are: what Telegram would link in them is defused where every message
leaves for Telegram (`bot/unlink.py`), so the command line, JSON and the conversation
history keep the real text.
"""

from __future__ import annotations

import re
import unicodedata

from retrieval.citations import normalise_markers, strip_markers
from retrieval.grounding import split_reply

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


def _combining_marks() -> str:
    """Every combining mark (Unicode categories M*) as character-class ranges. A regex's word
    characters have none, yet they are parts of letters in hosts: Indic and Thai vowel signs
    ("भारत"), and any accent written apart ("u" + U+0308 for "ü", as decomposed text has it)."""
    # The Basic Multilingual Plane only: a class reaching past U+FFFF is matched range by
    # range (10-30 times slower on every reply), for marks of historic scripts.
    code_points = [c for c in range(0x300, 0x10000) if unicodedata.category(chr(c)).startswith("M")]
    ranges: list[str] = []
    start = end = code_points[0]
    for c in [*code_points[1:], -1]:
        if c == end + 1:
            end = c
            continue
        ranges.append(f"\\u{start:04x}-\\u{end:04x}")
        start = end = c
    return "".join(ranges)


_MARKS = _combining_marks()
# What a host label holds after its first letter or digit: letters, digits, marks, "-",
# and the joiners and dots IDNA allows inside a label (ZWNJ/ZWJ in Persian or Indic names,
# the middle dot of Catalan "l·l", Greek keraia, Hebrew geresh, katakana middle dot).
_IN_LABEL = rf"[\w{_MARKS}\u200c\u200d\u00b7\u0375\u05f3\u05f4\u30fb-]"
_LABEL = rf"[^\W_]{_IN_LABEL}{{0,62}}+"
# A host starts at a word's start: never inside a label, after a mark or a joiner (with
# `\b` a label with a mark was cut there, leaving its first letters behind: "u" of "üb…").
_HOST_START = rf"\b(?<![{_MARKS}\u200c\u200d\u00b7\u0375\u05f3\u05f4\u30fb])"
# A last label's letters ("com", "рф", "भारत": letters and their marks) or punycode.
_TLD_NAME = rf"(?:[^\W\d_](?:[^\W\d_]|[{_MARKS}]){{1,62}}+|xn--[\w-]{{1,59}}+)"
# Host labels ("bbc.co."): a dot only when a label follows (a full stop is not in a host).
_LABELS = rf"(?:{_LABEL}\.(?=[^\W_]))++"  # possessive: one pass over a long run
# An e-mail address's last label: letters ("com", "UK", "рф") or punycode, not a file type
# ("Node.js", "report.pdf"); "U.S.", "e.g.", "3.5" have none.
_TLD = (
    r"(?!(?:js|ts|py|pdf|docx?|xlsx?|pptx?|txt|csv|jpe?g|png|gif|svg|mp[34]|zip|html?)(?![\w-]))"
    rf"{_TLD_NAME}(?![\w{_MARKS}-])"
)
# After a host, what makes it a URL: a path, or a query ("?id=7"; "Amazon.com?" is a name).
_AFTER_HOST = r"(?::\d{1,5}+)?(?:/|\?[\w.%+-]{1,64}+=)"
# An IPv4 address with a path is a URL too ("10.0.0.1/x"; "1.000.000.000" is no address).
_BYTE = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = rf"(?:{_BYTE}\.){{3}}{_BYTE}(?![\w-])"
_URL = re.compile(
    rf"(?<![ \t,;:–—-])(?:{_URL_SEPARATOR}\b(?:see|visit|read|more|details|full|story|report"
    r"|article|here|available|online|according|to|at|from|via|on|in|the|a|an|source|sources"
    rf"|link|links|contact|email|mail|follow|message|write|by)\b){{0,6}}{_URL_SEPARATOR}"
    # A scheme (even a look-alike: "һttps"), "www.", or a host with a path or a query (any
    # script: "пример.рф/", "भारत", punycode, a port), taken whole.
    r"(?P<url>(?:(?:(?:\b[^\W\d_][\w+.-]{0,30}+)?://|\bwww\."
    rf"|{_HOST_START}(?:{_LABEL}\.){{1,8}}+{_TLD_NAME}{_AFTER_HOST}|(?<![\w.]){_IPV4}{_AFTER_HOST})"
    r"[^\s<>\[\]\"'`]*+)"
    # An e-mail address (Telegram links it; a model has no business giving one out).
    rf"|(?<![\w{_MARKS}.+-])[\w{_MARKS}.+-]{{1,64}}+@{_LABELS}{_TLD})",
    re.IGNORECASE,
)
# What a removed URL leaves behind: "()", "(see )", "[]", "<>".
_EMPTY_GROUP = re.compile(
    r"(?<![ \t])[ \t]*(?:\(\s*(?:(?:see|via|at|from|source|sources|link|here|more|details)"
    r"\s*:?\s*)?\)|\[\s*\]|<\s*>)",
    re.IGNORECASE,
)
_LEAD = re.compile(r"[ \t]*(?:[•*+-]|\d{1,3}[.)])?[ \t]*")  # what comes before a subject
_SPACE_BEFORE_PUNCTUATION = re.compile(r"(?<![ \t])[ \t]+(?=[.,;:!?])")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# A sentence ending in one of these once its URL is gone says nothing: "More at [URL]."
_DANGLING = frozenset(
    [
        "a", "an", "the", "at", "on", "in", "to", "from", "via", "of", "by", "for", "per",
        "and", "or", "with", "see", "visit", "read", "here", "link", "links", "url",
        "website", "site", "page", "more", "details", "check", "click", "follow", "is", "are",
        "contact", "email", "mail", "message", "write", "says", "said", "reported", "wrote",
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
    """Nothing of the URL and its lead-in but the punctuation it ended on ("see x.com/a."
    keeps ".")."""
    url, tail = match["url"], ""
    while url and (url[-1] in ".,;:!?*_" or (url[-1] == ")" and url.count("(") < url.count(")"))):
        url, tail = url[:-1], url[-1] + tail
    return tail


def _without_urls(sentence: str) -> str | None:
    """The sentence with its URLs removed; None when nothing worth saying is left."""
    removed = list(_URL.finditer(sentence))
    if not removed:
        return sentence
    if _LEAD.fullmatch(sentence[: removed[0].start()]):  # "evil.com/x says ...": a torso
        return None
    cleaned = _URL.sub(_cut_url, sentence)
    cleaned = _SPACE_BEFORE_PUNCTUATION.sub("", _EMPTY_GROUP.sub("", cleaned))
    cleaned = _INNER_SPACES.sub(" ", cleaned)
    claim = strip_markers(cleaned).rstrip(" \t.!?*_")
    words = _WORD.findall(claim)
    if len(words) < 2 or claim.endswith((":", ",", "-", "–", "—")):
        return None
    # "More at [URL]." says nothing; "Prices rose ([URL]), the ministry said." does.
    at_end = _WORD.search(strip_markers(sentence[removed[-1].end() :])) is None
    return None if at_end and words[-1].casefold() in _DANGLING else cleaned


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
