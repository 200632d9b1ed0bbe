"""The words of topic alerts: which of a topic's words its articles name (pure).

The corpus route (`alert_profiles`) grows a topic to the cluster of recent news around it:
what makes "sports" reach a baseball report, and what sent "Apple" fourteen articles on
Twitter and Meta, none on Apple. The corpus tells the two apart by the topic's own words:

- an *anchor* is a topic word whose background articles are the topic's closest ones: of
  the n background articles that hold it, the share among the n nearest to the topic
  (R-precision), taken above chance (n / background size), reaches `min_precision`.
  "Apple", "Korea", "Powerball", "tennis" are anchors of their topics; "sports",
  "business", "science" on AG News are not (their articles seldom use the word: a word
  describing a category, not naming a thing), nor "home" for "Aaron Judge home run
  record" (a word in a third of the news is a third of any top third). A long word is
  tried whole first, then by ever shorter beginnings down to five letters, and anchors by
  the longest that passes: "inflation" by itself where its articles are the nearest (so
  "inflatable" does not name it), "medicine" by "medic" where the news near "health and
  medicine" writes "medical" rather than "medicine" (the background tells a beginning's
  kin of the same news from words of another);
- a topic word that no background article holds, whole or by a beginning, is an anchor
  too: the topic names something the recent news never mentions ("Madison Cawthorn
  primary"), and its cluster in that news ("primary": elections) is not about it. Except
  an abbreviation: a short word (compared whole, below) that the news never writes alone
  but that begins words of as many articles as make a topic covered (SUPPORT_MIN,
  SUPPORT_SHARE), most of them one word's first five letters: "sci" of the bare "Sci/Tech"
  on AG News (whole in no article, beginning "science" and its kin, all "scien", in 35 of
  2,000). The news does write it, longer, so it anchors nothing; "BTS" (beginning no word)
  still does, and so do "IRA" and "Oz" where the news writes neither alone: "Iran" and
  "Iraq", "ozone", "Ozark" and "Ozzie" are other words, not these written longer.

A topic with anchors gets corpus-route alerts only for articles that name one of them; its
direct route is unchanged, and a topic without anchors keeps the corpus route as it was.

Whether an article names a topic word is the rule of `named_words`: a short word (three
letters or fewer once uninflected) is named only by itself ("war" by "wars", not by
"warm"); a longer one by its inflections ("votes" by "voting") and by the whole word with a
suffix ("Korea" by "Korean", "inflation" by "inflationary"), not by another word sharing its
first letters ("inflatable"); an anchor that is a beginning by any word that begins with it.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.protocols import FloatMatrix, IdArray
from index.tokenize import tokenize
from retrieval.alert_defaults import SUPPORT_MIN, SUPPORT_SHARE
from retrieval.named_words import STEM, WHOLE, text_keys, word_key


def topic_words(phrase: str) -> tuple[str, ...]:
    """The keys of a topic phrase's words, in order, without repeats (numbers name nothing)."""
    keys = (word_key(token) for token in tokenize(phrase) if not token.isdigit())
    return tuple(dict.fromkeys(key for key in keys if key))


def word_keys(text: str) -> frozenset[str]:
    """Every key an article's text names: a topic key is named when it is in this set."""
    return text_keys(text)


@dataclass(frozen=True, eq=False)
class BackgroundWords:
    """Which background articles name each key (row numbers of the background)."""

    postings: dict[str, IdArray]
    size: int
    digest: str  # content fingerprint, part of `Background.key`
    ordered: tuple[str, ...]  # the keys of `postings`, sorted (for keys by their beginning)

    def holding(self, key: str) -> IdArray:
        return self.postings.get(key, _NONE)

    def _extending(self, key: str) -> list[str]:
        """The keys that begin with `key` and are longer."""
        start = bisect_left(self.ordered, key)
        found = []
        for other in self.ordered[start:]:
            if not other.startswith(key):
                break
            if other != key:
                found.append(other)
        return found

    def beginning(self, key: str) -> int:
        """How many articles hold a longer word that begins with the short `key`: the
        union of the keys up to a letter longer than a whole word ("sci" -> "scie", "scit")
        that extend it, as every longer word names its first WHOLE + 1 letters."""
        rows = [self.postings[k] for k in self._extending(key) if len(k) <= WHOLE + 1]
        return len(np.unique(np.concatenate(rows))) if rows else 0

    def abbreviation(self, key: str) -> bool:
        """Whether a short key that no article holds whole begins words of as many articles
        as make a topic covered (`alert_defaults.SUPPORT_*`), most of them one word's
        first STEM letters ("sci": "scien"): the news writes it, longer. "ira" begins
        "Iran" and "Iraq", "gaz" "Gaza": words of their own, not it written longer."""
        if len(key) > WHOLE or len(self.holding(key)) > 0:
            return False
        begun = self.beginning(key)
        if begun < max(SUPPORT_MIN, SUPPORT_SHARE * self.size):
            return False
        spelt = [len(self.postings[k]) for k in self._extending(key) if len(k) == STEM]
        return 2 * max(spelt, default=0) > begun


_NONE = np.zeros(0, dtype=np.int64)


def index_words(texts: Sequence[str]) -> BackgroundWords:
    """The keys of each background article's text (title and body), inverted."""
    rows: dict[str, list[int]] = {}
    digest = hashlib.blake2b(digest_size=16)
    for row, text in enumerate(texts):
        digest.update(text.encode("utf-8", "surrogatepass") + b"\x00")
        for key in word_keys(text):
            rows.setdefault(key, []).append(row)
    postings = {key: np.asarray(found, dtype=np.int64) for key, found in rows.items()}
    return BackgroundWords(postings, len(texts), digest.hexdigest(), tuple(sorted(postings)))


def anchor_words(
    phrase: str, cosines: FloatMatrix, words: BackgroundWords, *, min_precision: float
) -> frozenset[str]:
    """The topic's anchors (see the module doc) from its cosine to each background article."""
    if words.size == 0 or len(cosines) != words.size:
        return frozenset()
    order = np.argsort(-np.asarray(cosines), kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    anchors = set()
    for key in topic_words(phrase):
        held = False
        for beginning in _beginnings(key):  # longest first
            rows = words.holding(beginning)
            held = held or len(rows) > 0
            if len(rows) > 0 and _precision_above_chance(rank[rows], words.size) >= min_precision:
                anchors.add(beginning)
                break
        if not held and not words.abbreviation(key):  # the news never names it
            anchors.add(key)
    return frozenset(anchors)


def _beginnings(key: str) -> list[str]:
    """A topic word's key and its beginnings down to STEM letters, longest first (a
    plural key in -ies, a short word: the key alone)."""
    if len(key) <= STEM or key.endswith("ies"):
        return [key]
    return [key[:size] for size in range(len(key), STEM - 1, -1)]


def _precision_above_chance(ranks: IdArray, size: int) -> float:
    """R-precision of the n articles at these ranks, as a share of the way from chance
    (n / size: a word in a third of the news is a third in any top third) to 1."""
    held = len(ranks)
    if held >= size:
        return 0.0  # a word every article holds tells none apart
    chance = held / size
    return (float(np.mean(ranks < held)) - chance) / (1.0 - chance)


def topic_anchors(
    phrases: Sequence[str],
    cosines: FloatMatrix,
    words: BackgroundWords,
    *,
    min_precision: float,
) -> tuple[frozenset[str], ...]:
    """`anchor_words` of each topic; `cosines` is (topics, background articles)."""
    return tuple(
        anchor_words(phrase, row, words, min_precision=min_precision)
        for phrase, row in zip(phrases, cosines, strict=True)
    )
