"""What reads as a news outlet's name, and which indexed outlet a name means (pure).

`retrieval/query_outlets.py` finds where a question names outlets; this module judges the
names: "The Korea Herald" is an outlet, "the WHO" and "Times Square" are not, "the BBC"
is the indexed "BBC News", "the Financial Times" is not the indexed "The Times".
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from functools import lru_cache
from itertools import combinations
from types import MappingProxyType

_WELL_KNOWN = frozenset(
    [
        "reuters", "ap", "afp", "dpa", "efe", "ansa", "upi", "bbc", "cnn", "bloomberg", "nyt",
        "wsj", "npr", "pbs", "cnbc", "msnbc", "politico", "axios", "xinhua", "tass",
        "kyodo", "yonhap", "nikkei", "haaretz", "bild", "le-monde", "associated-press",
        "agence-france-presse", "new-york-times", "wall-street-journal", "fox-news", "abc-news",
        "cbs-news", "nbc-news", "sky-news", "al-jazeera", "the-economist", "economist",
        "der-spiegel", "spiegel", "el-país", "el-pais", "times-of-india",
        "south-china-morning-post", "vox", "buzzfeed", "huffpost", "techcrunch", "forbes",
        "guardian", "telegraph", "independent", "times", "observer", "mirror", "usa-today",
        "india-today",
    ]
)  # fmt: skip
_OUTLET_WORDS = frozenset(
    [
        "news", "times", "post", "journal", "herald", "tribune", "gazette", "daily", "press",
        "telegraph", "guardian", "observer", "chronicle", "wire", "mail", "express",
        "independent", "standard", "mirror", "magazine", "weekly", "radio", "tv", "television",
        "broadcasting", "insider", "reporter", "newswire", "newspaper",
    ]
)  # fmt: skip


def _key(name: str) -> str:
    words = name.replace("’", "'").split()
    return "-".join(words).casefold().removesuffix("'s")


def is_well_known(name: str) -> bool:
    """Whether a name, in any case, is a well-known news organisation's ("reuters",
    "the New York Times"): the names a lower-case list may be read by."""
    key = _key(name)
    return key in _WELL_KNOWN or key.removeprefix("the-") in _WELL_KNOWN


def is_outlet_name(name: str) -> bool:
    """Whether capitalised words read as a news outlet's name (pure)."""
    if is_well_known(name):
        return True
    words = name.replace("’", "'").split()
    return len(words) >= 2 and words[-1].casefold().removesuffix("'s") in _OUTLET_WORDS


# Capitalised words that may follow an outlet's name without being part of it.
_DATE_WORDS = frozenset(
    [
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "january", "february", "march", "april", "june", "july", "august", "september",
        "october", "november", "december",
    ]
)  # fmt: skip


def _continues(word: str) -> bool:
    """Whether a word after an outlet's name makes it part of a longer name ("Times Square",
    "the Independent Electoral Commission", "CNN's Jake Tapper"): a word in title case, not a
    day or month ("Reuters Monday"); a shouted question ("PER REUTERS WHO WON") is no name."""
    bare = word.strip(".,;:!?\"'’()").replace("’", "'").removesuffix("'s")
    return re.match(r"[A-Z][a-z]", bare) is not None and bare.casefold() not in _DATE_WORDS


def name_goes_on(after: str, name: str = "") -> bool:
    """Whether the text right after a name makes the name part of a longer one (pure):
    "Independent| Electoral Commission", "Times| of India", "CNN|'s Jake Tapper", "the
    Financial Times|' Martin Wolf". A `name` of its own ("CNN", not "the Times") followed by
    a capitalised word goes on only as a possessive: "according to CNN Trump said" names
    CNN, its comma left out."""
    if re.match(r"\s+(?:of|de)\s+[A-Z]", after):
        return True
    plain = name.replace("’", "'")
    word = re.match(r"(['’]s?)?\s+(\S+)", after)
    if word is None or not _continues(word[2]):
        return False
    # "Times' Martin Wolf": only a name ending in s takes a bare apostrophe as possessive.
    if word[1] is not None and len(word[1]) == 1 and not plain.endswith(("s", "S")):
        return False
    possessive = word[1] is not None or plain.endswith(("'s", "s'"))
    return possessive or not name or is_generic(name)


def is_generic(name: str) -> bool:
    """Whether a name is only words outlets are named with ("the Independent", "Times")."""
    words = [w.casefold() for w in name.replace("’", "'").removesuffix("'s").split()]
    return all(w in _OUTLET_WORDS or w == "the" for w in words)


def _run_words(written: str) -> list[str]:
    """The capitalised run's words up to the end of its clause ("Reuters. Then" ->
    "Reuters."); an abbreviation's dots ("U.S.") end nothing."""
    words = written.split()
    for n, word in enumerate(words):
        if word[-1] in ",;:!?" or (word.endswith(".") and "." not in word[:-1]):
            return words[: n + 1]
    return words


def longest_outlet(written: str) -> str | None:
    """The longest leading run of the words that names an outlet, as written (without a
    possessive); never one followed by words that carry the name on ("the Times of Israel"
    is not "the Times", "Times Square" no Times, "CNN's Jake Tapper" a person, not CNN)."""
    words = _run_words(written)
    for n in range(len(words), 0, -1):
        candidate = " ".join(words[:n]).rstrip(".,;:!?")
        candidate = re.sub(r"(?:['’]s|(?<=[sS])['’])$", "", candidate)
        if n < len(words) and name_goes_on(" " + " ".join(words[n:]), " ".join(words[:n])):
            continue
        if words[n - 1].casefold() not in ("of", "de") and is_outlet_name(candidate):
            return candidate
    return None


# Spelled out or short, one outlet ("the NYT", "New York Times"); feeds name either.
_SHORT_NAMES = (
    ("new york times", "nyt"), ("wall street journal", "wsj"), ("associated press", "ap"),
    ("agence france presse", "afp"), ("agence france-presse", "afp"),
    ("south china morning post", "scmp"), ("british broadcasting corporation", "bbc"),
)  # fmt: skip
# Not part of what names an outlet: an article, a web address's parts ("reuters.com").
_NOT_NAME = frozenset(["the", "www", "com", "co", "org", "net", "uk"])


@lru_cache(maxsize=4096)
def _name_words(name: str) -> frozenset[str]:
    folded = " ".join(re.findall(r"[^\W_]+(?:-[^\W_]+)*", name.casefold()))
    for long, short in _SHORT_NAMES:
        folded = re.sub(rf"\b{re.escape(long)}\b", short, folded)
    return frozenset(folded.split()) - _NOT_NAME


def spelled_alike(name: str, known: Sequence[str]) -> tuple[str, ...]:
    """The indexed outlet spelled like `name`, in any case, written apart or together, with
    or without "the" ("wikinews", "Wiki News" -> "Wikinews"); () when none (pure)."""
    words = _name_words(name)
    if not words:
        return ()
    same = [k for k in known if _name_words(k) == words or _joined(k) == _joined(name)]
    return tuple(same[:1])


def indexed_outlets(name: str, known: Sequence[str]) -> tuple[str, ...]:
    """The indexed outlets a name may mean (pure): the one spelled alike ("wikinews" ->
    "Wikinews"), else those whose words hold the name's or are held by it ("the BBC" and
    "BBC News", "reuters.com" and "Reuters", "the NYT" and "New York Times"); with every
    other indexed name of their sites (`site_names`: "CNN" -> "CNN", "cnn.com",
    "edition.cnn.com"), as /sources counts them."""
    same = spelled_alike(name, known)
    if not same:
        words = _name_words(name)
        if not words:
            return ()
        same = tuple(k for k in known if (held := _name_words(k)) and _same_outlet(words, held))
    return site_names(same, known) if same else ()


@lru_cache(maxsize=4096)
def _joined(name: str) -> str:
    """A name's letters and digits run together, without a leading "the"."""
    words = name.casefold().split()
    return "".join(c for w in words[words[:1] == ["the"] :] for c in w if c.isalnum())


# Words that only qualify an outlet's name: "the Daily Telegraph" is the Telegraph.
_QUALIFIERS = frozenset(["daily", "online", "website", "web", "site", "uk", "us", "international"])


def _same_outlet(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether one name's words hold the other's ("BBC" and "BBC News"). A name of outlet
    words only ("Times", "Independent") is held by a longer one only with qualifiers: "the
    Financial Times" is not the Times."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    if not small <= large:
        return False
    return not small <= _OUTLET_WORDS or large - small <= _QUALIFIERS


def sort_outlets(
    names: Sequence[str], known: Sequence[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the indexed outlets `names` mean, the names no indexed outlet answers to) (pure)."""
    indexed: list[str] = []
    unknown: list[str] = []
    for name in names:
        matches = indexed_outlets(name, known)
        if not matches and name not in unknown:
            unknown.append(name)
        indexed.extend(m for m in matches if m not in indexed)
    return tuple(indexed), tuple(unknown)


# --- one site, one outlet -------------------------------------------------------------------

_ADDRESS = re.compile(r"(?:[a-z0-9-]+\.)+[a-z]{2,}", re.IGNORECASE)  # "edition.cnn.com"
_MAX_SUBSET_WORDS = 12  # a longer name (a feed's whole title) is compared with every name


def site_keys(names: Sequence[str]) -> Mapping[str, str]:
    """Each of `names` mapped to its site's key, one of the names (pure): a page's site name,
    its web address and its feed's title ("CNN", "edition.cnn.com", "cnn.com", "CNN.com -
    RSS Channel - World") share one. A name joins the shortest name whose words its own hold
    as one outlet's (`_same_outlet`) when a web address ties them: either is or holds one
    ("edition.cnn.com", "CNN.com - RSS ..."), or the shorter's words are an indexed address's
    ("BBC News" joins "BBC" with "bbc.co.uk" indexed; without it they may be two outlets, as
    "Sky" and "Sky News" are). A name held by two unrelated shorter ones ("Thomson Reuters":
    "Thomson" and "Reuters") stays apart; names of the same words share the first in sort
    order. Found by looking up the subsets of each name's words rather than comparing every
    pair: 3,000 names ~0.1 s, mostly reading their words (~0.7 s pair by pair)."""
    return _site_keys(tuple(names))


@lru_cache(maxsize=8)
def _site_keys(names: tuple[str, ...]) -> Mapping[str, str]:
    by_words: dict[frozenset[str], list[str]] = {}
    for name in names:
        by_words.setdefault(_name_words(name), []).append(name)
    addressed = {_name_words(name) for name in names if _ADDRESS.search(name)}
    first = {
        words: min(group, key=lambda n: (n.casefold(), n)) for words, group in by_words.items()
    }
    keys: dict[str, str] = {}
    for words, group in by_words.items():
        tied = addressed if words not in addressed else None  # None: any held name
        core = _core_words(words, by_words, tied) if words else None
        for name in group:
            keys[name] = first[core] if core is not None else name
    return MappingProxyType(keys)


def _core_words(
    own: frozenset[str],
    by_words: Mapping[frozenset[str], object],
    tied: Collection[frozenset[str]] | None,
) -> frozenset[str]:
    """The smallest word set among `by_words` (and `tied`, unless None) that `own` holds as
    the same outlet's; `own` itself when none is smaller or two differ at the smallest size."""

    def joins(words: frozenset[str]) -> bool:
        return words in by_words and (tied is None or words in tied) and _same_outlet(words, own)

    if len(own) > _MAX_SUBSET_WORDS:
        held = [words for words in by_words if words and words < own and joins(words)]
        smallest = min((len(words) for words in held), default=0)
        cores = [words for words in held if len(words) == smallest]
        return cores[0] if len(cores) == 1 else own
    ordered = sorted(own)
    for size in range(1, len(own)):
        cores = [
            words for subset in combinations(ordered, size) if joins(words := frozenset(subset))
        ]
        if cores:
            return cores[0] if len(cores) == 1 else own  # "Thomson Reuters": neither's
    return own


def site_names(names: Sequence[str], known: Sequence[str]) -> tuple[str, ...]:
    """Every name among `known` of the sites of `names` (all among `known`), in `known`'s
    order (pure): a filter on "CNN" covers "cnn.com" and "edition.cnn.com" too."""
    keys = site_keys(known)
    sites = {keys[name] for name in names if name in keys}
    return tuple(dict.fromkeys(k for k in known if keys[k] in sites))


def same_site_outlets(counts: Sequence[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    """Article counts by outlet name, with the names of one site (`site_keys`) joined under
    one (pure), as a filter on any of them covers them all (`indexed_outlets`). The group
    shows its key if that is no web address, else its most common name that is none, else
    its key; most articles first, as given."""
    keys = site_keys([name for name, _ in counts])
    totals: dict[str, int] = {}
    members: dict[str, list[tuple[str, int]]] = {}
    for name, n in counts:
        totals[keys[name]] = totals.get(keys[name], 0) + n
        members.setdefault(keys[name], []).append((name, n))
    shown = [(_shown_name(key, members[key]), totals[key]) for key in totals]
    return tuple(sorted(shown, key=lambda item: (-item[1], item[0].casefold())))


def _shown_name(key: str, members: Sequence[tuple[str, int]]) -> str:
    if not _ADDRESS.fullmatch(key):
        return key
    names = [(n, name) for name, n in members if not _ADDRESS.fullmatch(name)]
    return max(names, key=lambda item: (item[0], -len(item[1])))[1] if names else key
