"""/start's examples (pure): headlines tidied into topics, and one question to try."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from retrieval.dates import split_date_phrases

_LABEL = re.compile(r"^(?:[\w'’-]+\s){0,2}[\w'’-]+:\s+")  # "Reports: ", "Live updates: "


def example_topic(title: str) -> str:
    """A headline tidied to show under "Try asking about:" (pure): a leading label such as
    "Reports:" and the closing punctuation go; the words stay the headline's own."""
    title = " ".join(title.split())
    topic = _LABEL.sub("", title, count=1) or title
    return topic.rstrip(" .!?:;,")


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
