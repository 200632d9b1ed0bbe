"""Text Telegram will not turn into links (pure): the only links in our messages are ours.

Telegram links by itself URLs, bare hosts ("evil.com", "10.0.0.1"), e-mail addresses and
@mentions in any text a bot sends. Quoted articles, titles and a model's words are full of
them ("Amazon.com", "press@reuters.com", "@BBCBreaking"), and a poisoned article would get
a clickable link that way. `unlink` swaps the characters Telegram looks for with look-alikes
of the same length (one UTF-16 unit each, so message lengths stay exact):
- a dot of a host-like word ("Amazon.com", "www.gov.uk", "10.0.0.1") becomes "․" (U+2024,
  one dot leader): Telegram finds hosts at ASCII dots only, and U+2024 also ends a host;
- an "@" before a name becomes "＠" (U+FF20): mentions and e-mails need the ASCII "@";
- "://" becomes ":∕∕" (U+2215): no scheme, so no dot-less "tg://" link either.
Decimals, abbreviations and file names keep their dots ("3.5", "U.S.", "e.g."). `restore`
undoes it where nothing links (the offline terminal).
"""

from __future__ import annotations

import re

DOT = "\u2024"
AT = "\uff20"
SLASH = "\u2215"

# A run of host-like labels joined by dots. A label takes what Telegram takes into a host
# (letters and digits of any script, marks, symbols, "_-~"), not ASCII punctuation, spaces,
# control characters, U+0080-U+00BF (hosts stop at "«" and "®": "«Amazon.com»") or general
# punctuation (U+2000-U+206F but joiners and dashes), so no host is cut shorter.
_LABEL = r"[^\s\x00-\x2c./:-@\[-^`{-}\x7f-\xbf\u2000-\u200b\u200e-\u200f\u2016-\u206f]+"
_DOTTED = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_AT = re.compile(r"@(?=[A-Za-z0-9_])")


def unlink(text: str) -> str:
    """`text` with nothing Telegram would link: same length, same look."""
    if "." in text:
        text = _DOTTED.sub(_defused_run, text)
    if "@" in text:
        text = _AT.sub(AT, text)
    if "://" in text:
        text = text.replace("://", ":" + SLASH * 2)
    return text


def restore(text: str) -> str:
    """The real characters again, for a view where nothing is linked."""
    return text.replace(":" + SLASH * 2, "://").replace(DOT, ".").replace(AT, "@")


def _defused_run(match: re.Match[str]) -> str:
    """Dots of a run whose last label could be a top-level domain ("com", "рф", "xn--p1ai")
    or that is an IPv4 address; "3.5", "No.1" and "e.g" stay."""
    run = match[0]
    last = run.rpartition(".")[2]
    host_like = len(last) >= 2 and (last.isalpha() or last.casefold().startswith("xn--"))
    if host_like or _IPV4.fullmatch(run):
        return run.replace(".", DOT)
    return run
