"""The word "Today" ending an outlet's name, not a date: "According to USA Today, ..." (pure).

`retrieval/dates.py` asks this of every "today" it finds before reading it as today.
"""

from __future__ import annotations

import re

from retrieval.outlet_names import is_outlet_name, is_well_known

# "USA Today", "India Today": "Today" with a capital closing a run of capitalised words
# that names an outlet ends that name ("Gaza Today" names none: it is today in Gaza).
_RUN_BEFORE = re.compile(r"(?<![\w.'’&-])(?:[A-Z][\w.'’&-]*\s+){1,4}$")
# The same in any case, for names typed in lower case ("usa today", "USA today").
_ANY_RUN_BEFORE = re.compile(r"(?<![\w.'’&-])(?:[^\W\d_][\w.'’&-]*\s+){1,4}$")
# Where a question names its source, as `retrieval/outlet_mentions.py` reads it: after a
# cue ("according to usa today"), or right before a reporting verb ("did usa today report").
_CUE_BEFORE = re.compile(r"\b(?i:according\s+to|(?:as\s+)?reported\s+by|per)\s+(?i:the\s+)?$")
_VERB_AFTER = re.compile(
    r"\s+(?i:say|said|says|report|reported|reports|write|wrote|written|writes|cover|covered)\b"
)


def today_ends_a_name(text: str, start: int, end: int) -> bool:
    """Whether "today" at [start, end) is the last word of an outlet's name ("According to
    USA Today, ..."). Capitalised, it closes capitalised words that end with it in a name
    `is_outlet_name` knows ("USA Today", "India Today"; not "Ukraine Today", "Wall Street
    Today"), in a question that is not in capitals throughout. In another case ("usa
    today", "USA today": chat is typed so), the words ending with it must be a well-known
    outlet's name that the question names as its source, after a cue or before a reporting
    verb: "in india today" and "usa today?" stay today. Indexed outlets are not known
    here: `retrieval/query.py` cuts a known one's name before dates are read."""
    if text[start:end] == "Today" and _capitalised_name(text, start):
        return True
    if text[start:end].casefold() != "today":
        return False
    name_start = _well_known_name_start(text, start)
    if name_start is None:
        return False
    return bool(_CUE_BEFORE.search(text, 0, name_start) or _VERB_AFTER.match(text, end))


def _capitalised_name(text: str, start: int) -> bool:
    run = _RUN_BEFORE.search(text, 0, start)
    if run is None:
        return False
    words = run[0].split()
    if not any(is_outlet_name(" ".join([*words[n:], "Today"])) for n in range(len(words))):
        return False
    return any(word[0].islower() for word in re.findall(r"[^\W\d_]+", text))


def _well_known_name_start(text: str, start: int) -> int | None:
    """Where the longest well-known outlet's name ending with the "today" at `start` begins,
    in any case ("usa today"), or None."""
    run = _ANY_RUN_BEFORE.search(text, 0, start)
    if run is None:
        return None
    words = list(re.finditer(r"\S+", run[0]))
    for n, word in enumerate(words):
        if is_well_known(" ".join([*(w[0] for w in words[n:]), "today"])):
            return run.start() + word.start()
    return None
