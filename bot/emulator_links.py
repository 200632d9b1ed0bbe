"""What Telegram links by itself in a message's text (used by the Bot API emulator).

The server finds these on every text it stores, whatever the parse mode: @mentions, e-mail
addresses and URLs, bare hosts included ("example.com", "10.0.0.1"). Rules as Telegram's
own library (tdlib) documents them in its code, kept reasonable rather than complete:
- a mention is "@" after a non-word character and 2-32 of [A-Za-z0-9_] not followed by a
  word character; names shorter than 4 only for a few reserved ones ("@gif");
- a URL is found around an ASCII dot: the host runs over letters, digits, "_-~." and any
  non-ASCII character that is not a space or general punctuation (U+2000-U+206F, so "․"
  ends it); an optional "http(s)://" or "ftp://" before it, user data with "@", a port and
  a path after it; without a scheme the top-level domain must be a known one, in any case
  but "Com" (only the first letter capital), and the host may not follow a word character;
- an e-mail address is such a match of the form `user@host.tld` with a short alphabetic TLD;
- "tg://" and "ton://" links need no dot.
Without a scheme, a TLD counts here if it is any two letters (more than the countries),
a common generic one or any non-Latin name; Telegram has its own longer list of generic
ones. `bot/unlink.py` does not depend on the list: it defuses every host-like word.
"""

from __future__ import annotations

import re
import unicodedata

from bot.emulator_html import Entity, ParsedText

LINK_TYPES = frozenset({"url", "email", "mention"})

_SHORT_NAMES = frozenset({"gif", "vid", "pic"})
_MENTION = re.compile(r"@([A-Za-z0-9_]{2,32})(?![A-Za-z0-9_])")
_TG_URL = re.compile(r"(?i)\b(?:tg|ton)://[A-Za-z0-9_-]{1,253}(?:[/?#][^\s<>\"«»]*)?")
_EMAIL = re.compile(
    r"(?i)(?:[a-z0-9_-]{0,26}[.+]){0,10}[a-z0-9_-]{1,35}@(?:(?:[a-z0-9][a-z0-9_-]{0,28})?"
    r"[a-z0-9]\.){1,6}[a-z]{2,8}"
)
_SCHEMES = {"http": 7, "https": 8, "ftp": 6}
_BAD_PATH_END = ".:;,('?!`"
# Generic top-level domains a test may meet (every two-letter one counts as a country's).
_GENERIC = """com org net edu gov mil int info biz name pro aero asia cat coop jobs mobi museum
    tel travel xxx app dev io ai co me tv ly gg fm am news online site website xyz top club shop
    store tech blog live life world today space press media email link click page cloud
    digital agency center city network group global company solutions services systems one
    new wiki bbc google amazon microsoft apple youtube art design guru ninja rocks social
    london berlin nyc tokyo moscow paris eu рф рус укр бел срб қаз онлайн сайт"""
_GENERIC_TLDS = frozenset(_GENERIC.split())


# Entities the server keeps to themselves: nothing is detected inside them.
_OPAQUE = frozenset({"text_link", "code", "pre"})


def with_links(parsed: ParsedText) -> ParsedText:
    """`parsed` with the links Telegram would detect added as entities (none inside our own
    links or code), ordered as the server returns them."""
    opaque = [e for e in parsed.entities if e.type in _OPAQUE]
    found = [
        Entity(kind, start, end)
        for kind, start, end in find_links(parsed.text)
        if not any(start < e.end and e.start < end for e in opaque)
    ]
    if not found:
        return parsed
    entities = sorted([*parsed.entities, *found], key=lambda e: (e.start, -e.end))
    return ParsedText(parsed.text, tuple(entities))


def find_links(text: str) -> list[tuple[str, int, int]]:
    """(type, start, end) in code points of every url, email and mention in `text`."""
    found: list[tuple[str, int, int]] = []
    for match in _MENTION.finditer(text):
        name = match[1]
        if match.start() > 0 and _is_word(text[match.start() - 1]):
            continue
        if len(name) >= 4 or name.casefold() in _SHORT_NAMES:
            found.append(("mention", match.start(), match.end()))
    found.extend(("url", m.start(), m.end()) for m in _TG_URL.finditer(text))
    found.extend(_urls(text))
    return _without_overlaps(found)


def _urls(text: str) -> list[tuple[str, int, int]]:
    found: list[tuple[str, int, int]] = []
    position = 0
    while True:
        dot = text.find(".", position)
        if dot < 0 or dot + 1 >= len(text):
            return found
        start = dot
        while start > 0 and _is_domain_char(text[start - 1]):
            start -= 1
        end = dot + 1
        while end < len(text) and (_is_domain_char(text[end]) or text[end] == "@"):
            end += 1
        if "@" in text[start:end] or text[start - 1 : start] == "@":
            if text[start - 1 : start] == "@":  # "user@host": back over the user's name
                start -= 1
            while start > 0 and _is_user_char(text[start - 1]):
                start -= 1
        end = _port_and_path(text, end)
        while end > dot + 1 and text[end - 1] == ".":
            end -= 1
        found.extend(_classified(text, start, end))
        position = max(end, dot + 1)


def _classified(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """The candidate as an email or a url (with its scheme), or nothing."""
    candidate = text[start:end]
    if _EMAIL.fullmatch(candidate):
        return [("email", start, end)]
    scheme = _scheme_before(text, start)
    if scheme is None or candidate.startswith("@"):  # another scheme; "@" without a user
        return []
    if scheme == 0 and start > 0:
        previous = text[start - 1]
        if _is_word(previous) or previous in "/#@":
            return []
    end = start + _valid_length(candidate, has_scheme=scheme > 0)
    return [("url", start - scheme, end)] if end > start else []


def _scheme_before(text: str, start: int) -> int | None:
    """Length of an http(s)/ftp scheme before `start`; 0 for none; None for another one."""
    if not text[:start].endswith("://"):
        return 0
    begin = start - 3
    while begin > 0 and (text[begin - 1].isalnum() or text[begin - 1] in "+-"):
        begin -= 1
    scheme = text[begin : start - 3].casefold()
    for name, length in _SCHEMES.items():
        if scheme.endswith(name) and scheme not in ("shttp", "sftp", "tftp"):
            return length
    return None


def _valid_length(candidate: str, *, has_scheme: bool) -> int:
    """How much of `candidate` is a URL Telegram links (0: none)."""
    host_end = min((i for i in (candidate.find(c) for c in "/?#") if i >= 0), default=None)
    host = candidate[:host_end] if host_end is not None else candidate
    length = len(candidate)
    path = candidate[len(host) :]
    while path and path[-1] in _BAD_PATH_END:
        path, length = path[:-1], length - 1
    host = host.rpartition("@")[2].rpartition(":")[0] or host.rpartition("@")[2]
    labels = host.split(".")
    if len(labels) < 2 or any(not label or len(label) > 63 for label in labels):
        return 0
    if any(label.endswith("-") for label in labels):
        return 0
    if len(labels) == 4 and all(_is_byte(label) for label in labels):
        return length
    if all(label.isdigit() for label in labels):
        return 0
    tld = labels[-1]
    if len(tld) < 2 or "_" in tld or ("-" in tld and not tld.startswith("xn--")):
        return 0
    if "_" in labels[-2]:
        return 0
    if has_scheme or tld.startswith("xn--"):
        return length
    return length if _known_tld(tld) else 0


def _known_tld(tld: str) -> bool:
    lower = tld.lower()
    if lower != tld and tld[1:] == lower[1:]:  # "Com": a capital first letter only
        return False
    if lower in _GENERIC_TLDS or not lower.isascii():  # any script's name: "рф", "中国"
        return lower.isalpha()
    return len(lower) == 2 and lower.isalpha()


def _is_byte(label: str) -> bool:
    return label.isdigit() and len(label) <= 3 and int(label) <= 255 and label == str(int(label))


def _port_and_path(text: str, end: int) -> int:
    if end < len(text) and text[end] == ":":
        port = end + 1
        while port < len(text) and text[port].isdigit() and port - end <= 5:
            port += 1
        if port > end + 1 and int(text[end + 1 : port]) <= 65535:
            end = port
    if end < len(text) and text[end] in "/?#":
        path = end + 1
        while path < len(text) and _is_path_char(text[path]):
            path += 1
        while path > end + 1 and text[path - 1] in _BAD_PATH_END:
            path -= 1
        if text[end] == "/" or path > end + 1:
            end = path
    return end


def _without_overlaps(found: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    kept: list[tuple[str, int, int]] = []
    for item in sorted(found, key=lambda f: (f[1], -f[2])):
        if not kept or item[1] >= kept[-1][2]:
            kept.append(item)
    return kept


def _is_word(char: str) -> bool:
    return char == "_" or unicodedata.category(char)[0] in "LN"


def _is_unicode_url_char(char: str) -> bool:
    code = ord(char)
    if 0x2000 <= code <= 0x206F:  # general punctuation: only joiners and dashes belong
        return code in (0x200C, 0x200D) or 0x2010 <= code <= 0x2015
    return unicodedata.category(char)[0] != "Z"


def _is_domain_char(char: str) -> bool:
    if ord(char) < 0xC0:
        return char.isascii() and (char.isalnum() or char in "._-~")
    return _is_unicode_url_char(char)


def _is_user_char(char: str) -> bool:
    if char in "\n/[]{}()'`<>\"@«»":
        return False
    return not char.isspace() and _is_unicode_url_char(char)


def _is_path_char(char: str) -> bool:
    if char in '\n<>"«»':
        return False
    return not char.isspace() and _is_unicode_url_char(char)
