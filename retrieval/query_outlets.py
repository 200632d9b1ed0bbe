"""Where a question names outlets as its source ("according to Reuters", "what did the BBC
report", "the Sunday Times reported ...").

An indexed outlet becomes a filter (`retrieval/query.py`); an unknown one cannot, and
searching for its name would only favour articles that mention it. It is cut from the
search text and said in one line before the answer, as a period with no articles is:
"No articles from Reuters are indexed; answering from all sources."

Where a question names outlets is `retrieval/outlet_mentions.py`'s call: after a cue or
before a reporting verb, one or a list ("Sky News and the BBC", "cnn, bbc or reuters").
Which words read as an outlet is `retrieval/outlet_names.py`'s: "according to the WHO"
names no outlet, "the Independent Electoral Commission" and "CNN's Jake Tapper" go on past
an outlet's name. A name in lower case counts only when spelled as an indexed outlet is, or
in a list: alone, "according to the independent" may be a person.
"""

from __future__ import annotations

from collections.abc import Sequence

from retrieval.dates import tidy_question
from retrieval.outlet_mentions import Mention, find_mentions
from retrieval.outlet_names import indexed_outlets, is_outlet_name, name_goes_on, sort_outlets

# Name judging lives in outlet_names; callers may import it from here.
__all__ = [
    "indexed_outlets",
    "is_outlet_name",
    "name_goes_on",
    "outlet_lists",
    "sort_outlets",
    "unknown_outlets",
    "unknown_outlets_note",
]


def _cut(text: str, mentions: Sequence[Mention]) -> tuple[tuple[str, ...], str]:
    """The names of `mentions`, and the question without their spans."""
    found: list[str] = []
    for mention in mentions:
        found.extend(o.written for o in mention.outlets if o.written not in found)
        span = mention.end - mention.start
        text = text[: mention.start] + " " * span + text[mention.end :]  # keeps later spans
    return tuple(found), tidy_question(text) if found else text


def outlet_lists(text: str, known: Sequence[str]) -> tuple[tuple[str, ...], str]:
    """Outlets a question names as its source, as written, and the question without them
    (pure); `sort_outlets` tells indexed from unknown. Read before indexed names are
    matched alone (`retrieval/query.py`), which would misread a list ("according to cnn
    and bbc"), a longer name holding an indexed one ("the Sunday Times" with "The Times"
    indexed) or another spelling ("the Daily Telegraph"); one outlet named alone and
    spelled as indexed is left to that pass. A cue goes with its list ("according to Sky
    News and the BBC, who won?" -> "who won?"), a verb stays ("what did Reuters and AP
    report?" -> "what did report?"), and a lone outlet joined to no outlet goes with its
    "and" only ("according to CNN and police" -> "according to police"). None when no
    outlet is known at all: the articles may then name none."""
    mentions = find_mentions(text, known)
    return _cut(text, [m for m in mentions if not (m.alone and m.outlets[0].exact)])


def unknown_outlets(text: str, known: Sequence[str]) -> tuple[tuple[str, ...], str]:
    """Outlets the question names as its source that are not among `known`, and the
    question without the phrases naming them (pure); names read as `outlet_lists` reads
    them, those naming any indexed outlet left in place. None when no outlet is known."""
    mentions = find_mentions(text, known)
    return _cut(
        text, [m for m in mentions if not any(indexed_outlets(o.written, known) for o in m.outlets)]
    )


def unknown_outlets_note(unknown: Sequence[str], *, filtered: bool) -> str | None:
    """The line said before the answer (pure); `filtered` when the question also named an
    indexed outlet, whose articles the answer still comes from."""
    if not unknown:
        return None
    names = ", ".join(unknown[:-1]) + " or " + unknown[-1] if len(unknown) > 1 else unknown[0]
    if filtered:
        return f"No articles from {names} are indexed."
    return f"No articles from {names} are indexed; answering from all sources."
