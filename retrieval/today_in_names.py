"""The word "Today" ending an outlet's name, not a date: "According to USA Today, ..." (pure).

`retrieval/dates.py` asks this of every "Today" it finds before reading it as today.
"""

from __future__ import annotations

import re

from retrieval.outlet_names import is_outlet_name

# "USA Today", "India Today": "Today" with a capital closing a run of capitalised words
# that names an outlet ends that name ("Gaza Today" names none: it is today in Gaza).
_RUN_BEFORE = re.compile(r"(?<![\w.'’&-])(?:[A-Z][\w.'’&-]*\s+){1,4}$")


def today_ends_a_name(text: str, start: int, end: int) -> bool:
    """Whether "Today" at [start, end) is the last word of an outlet's name ("According to
    USA Today, ..."): capitalised, closing capitalised words that end with it in a name
    `is_outlet_name` knows ("USA Today", "India Today"; not "Ukraine Today", "Wall Street
    Today"), in a question that is not in capitals throughout. Indexed outlets are not
    known here: `retrieval/query.py` cuts a known one's name before dates are read."""
    if text[start:end] != "Today":
        return False
    run = _RUN_BEFORE.search(text, 0, start)
    if run is None:
        return False
    words = run[0].split()
    if not any(is_outlet_name(" ".join([*words[n:], "Today"])) for n in range(len(words))):
        return False
    return any(word[0].islower() for word in re.findall(r"[^\W\d_]+", text))
