"""A news article's headline and lead for a one-line listing (pure).

Titles arrive with site suffixes ("… | The Week UK") and cut with "..."; records without
a title get one derived from the body's first sentence, which may be a newsletter plug
("Sign up for CNN's Wonder Theory science newsletter.") rather than news. The opening
sentences of an article are boilerplate more often than its later ones (consent notices,
podcast intros, datelines), so a sentence counts as the article's own text only when it
shares a content word with the headline, or, for a derived title, with the URL's words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from index.sentences import split_sentences
from retrieval.extractive import STOPWORDS
from retrieval.types import Passage

LEAD_CHARS = 160  # a listing's lead: one short sentence after the headline


def headline(passage: Passage, limit: int = LEAD_CHARS) -> str:
    """The article's title, clean: no " | The Week UK" site suffix, "..." as "…". A title
    the index derived from the body (none was given) is no headline: the first opening
    sentence about the URL's words stands in for it, cut to `limit` characters."""
    title = _title(passage)
    if _derived(title, passage):
        return _cut(next(_about(passage, _words(_slug(passage.url))), title), limit)
    return title


def lead(passage: Passage, limit: int = LEAD_CHARS) -> str:
    """A sentence of the article's opening about its headline, cut to `limit` characters;
    "" when none is ("Sign up for our newsletter", a consent notice) or the headline is
    itself a sentence of the opening."""
    title = headline(passage)
    if _derived(_title(passage), passage):  # as `headline` judged it: no sentence twice
        return ""
    return _cut(next(_about(passage, _words(title)), ""), limit)


def _title(passage: Passage) -> str:
    """The title without its site suffix, "..." as "…"."""
    title = _ELLIPSIS.sub("…", " ".join(passage.title.split()))
    cut = _SITE_SUFFIX.search(title)
    if cut and (cut.group(1) == "|" or _names(cut.group(2), passage.source)):
        title = title[: cut.start()]
    return title


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


# "Title | Site", "Title - CNN": the pipe always marks a site, a dash only before the outlet.
_SITE_SUFFIX = re.compile(r"\s+([|–—-])\s+([^|–—]{1,40})$")
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…)$")
# "CNN —", "New York CNN —", "(CNN)", "WASHINGTON (Reuters) -": who and where, no news.
_PAREN_DATELINE = re.compile(
    r"^(?:\([^()]{1,40}\)\s*(?:[—–-]+\s*)?|[A-Z][^.!?()]{0,40}\([^()]{1,40}\)\s*[—–-]+\s*)"
)
_LEAD_SENTENCES = 3  # boilerplate fills an opening's first sentences, not more


def _names(text: str, source: str | None) -> bool:
    return bool(source) and source.casefold() in text.casefold()  # type: ignore[union-attr]


def _derived(title: str, passage: Passage) -> bool:
    """Whether `title` is the opening of the article's text (derived, as the index does
    when a record has none)."""
    core = title.removesuffix("…").strip()
    opening = " ".join(passage.text[: len(core) + 200].split())
    return bool(core) and core in opening


def _slug(url: str | None) -> str:
    """The words of a URL's slug, its path segment of most words ("/2022/08/30/us/
    texas-customs-cocaine/index.html" -> "texas customs cocaine"); "" when none."""
    path = (url or "").split("?")[0].split("#")[0].split("://")[-1].partition("/")[2]
    segments = [re.sub(r"\.[a-z]+$", "", part) for part in path.split("/")]
    slug = max(segments, key=lambda part: len(re.findall(r"[-_]", part)), default="")
    return re.sub(r"[-_]+", " ", slug) if re.search(r"[-_]", slug) else ""


def _words(text: str) -> frozenset[str]:
    """Content-word stems of `text`: no stop words, numbers or short words."""
    words = (w.casefold() for w in re.findall(r"[^\W\d_]+", text))
    return frozenset(w[:5] for w in words if len(w) > 2 and w not in STOPWORDS)


def _about(passage: Passage, topic: frozenset[str]) -> Iterator[str]:
    """The opening sentences of a passage that share a content word with `topic` (all of
    them when `topic` is empty), datelines cut, the outlet's name not counted."""
    text = passage.text if passage.span is None else passage.text[slice(*passage.span)]
    outlet = _words(passage.source or "")
    sentences = (_undated(sentence, passage.source) for sentence in split_sentences(text))
    for sentence in [s for s in sentences if s][:_LEAD_SENTENCES]:  # a lone "CNN —" is none
        if not topic or (_words(sentence) - outlet) & topic:
            yield sentence


def _undated(sentence: str, source: str | None) -> str:
    """A sentence without its leading dateline ("CNN — ", "(CNN) ", "LONDON (Reuters) - ")."""
    sentence = _PAREN_DATELINE.sub("", sentence.lstrip())
    if source:
        outlet = rf"^[^.!?—–]{{0,40}}?\b{re.escape(source)}\s*[—–-]+\s*"
        sentence = re.sub(outlet, "", sentence, flags=re.IGNORECASE)
    return sentence
