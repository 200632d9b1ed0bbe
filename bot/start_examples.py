"""/start's examples (pure): headlines tidied into topics, and one question to try."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from retrieval.dates import split_date_phrases
from retrieval.extractive import STOPWORDS
from retrieval.outlet_names import is_outlet_name

_LABEL = re.compile(r"^(?:[\w'’-]+\s){0,2}[\w'’-]+:\s+")  # "Reports: ", "Live updates: "
# The last " | Site" or " - Outlet" of a headline (what follows holds no other such mark).
_SITE_SUFFIX = re.compile(r"\s+([|–—-])\s+((?:(?!\s[|–—-]\s).){1,40})$")


def example_topic(title: str) -> str:
    """A headline tidied to show under "Try asking about:" (pure): the site's name after it
    (" | CNN", " - BBC News"), a leading label such as "Reports:" and the closing
    punctuation go; the words stay the headline's own."""
    title = _without_site(" ".join(title.split()))
    topic = _LABEL.sub("", title, count=1) or title
    return topic.rstrip(" .!?:;,")


def _without_site(title: str) -> str:
    """`title` without the site suffixes pages put after the headline ("| Politics | CNN"):
    a pipe always marks one; a dash only before a name ("- CNNPolitics", "– 24/7 Wall
    St."), since "Biden - Putin summit" or "Storms - a timeline" are the headline's own."""
    for _ in range(3):
        cut = _SITE_SUFFIX.search(title)
        if cut is None or cut.start() == 0:
            break
        if cut.group(1) != "|" and not _site_name(cut.group(2)):
            break
        title = title[: cut.start()]
    return title


def _site_name(text: str) -> bool:
    """Whether the words after a dash read as a site's name: an outlet's ("BBC News"), or
    up to four capitalised words or figures that are no function words ("What It Means"
    is a headline's end)."""
    if is_outlet_name(text.strip(" .")):
        return True
    words = text.split()
    if words and words[0].casefold() == "the":
        words = words[1:]
    return (
        0 < len(words) <= 4
        and all(word[0].isupper() or word[0].isdigit() for word in words)
        and not any(word.casefold().strip(".,") in STOPWORDS for word in words)
    )


TIMED_EXAMPLE = "What happened this week?"
EXAMPLE_TOPIC_WORDS = 9


def example_question(
    topics: Sequence[str], last_published: datetime | None, *, now: datetime
) -> str | None:
    """/start's example question (pure): about this week when the index has news from it
    (else the reply would be "Nothing from ..."), else about a topic; None when
    there is neither. The shortest topic reads best pasted into a question; one over
    `EXAMPLE_TOPIC_WORDS` words never does."""
    this_week, _ = split_date_phrases(TIMED_EXAMPLE, now=now)
    start = this_week.start if this_week is not None else None
    if last_published is not None and start is not None:
        aware = last_published if last_published.tzinfo else last_published.replace(tzinfo=UTC)
        if aware >= start:
            return TIMED_EXAMPLE
    short = sorted((t for t in topics if len(t.split()) <= EXAMPLE_TOPIC_WORDS), key=len)
    return f"What is the news about {short[0]}?" if short else None
