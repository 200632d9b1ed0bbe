"""When an article word names a topic word: by its regular inflections, or by the whole word
with a suffix (pure): the one rule of the alert anchors (`alert_lexicon`), an alert's Why
(`topic_mentions`) and its reason sentence (`alert_reason`).

A topic word is compared by its *key*, an article word by the keys it names:

- a topic word of three letters or fewer once uninflected (plural, then -ing or -ed) is a
  whole word: "war" is named by "war" and "wars", never by "warm" or "warning"; "taxes" by
  "tax" and "taxed", never by "taxi";
- a longer one is named by its inflections and by any word that begins with all of it
  once uninflected, a suffix added ("Korea" by "Korean", "Iran" by "Iranian", "inflation"
  by "inflationary", "closing" by "closed" and "closure"), not by another word sharing its
  first letters ("inflation" by "inflatable", "elections" by "electronics", "protests"
  by "protect": five letters named these). Kin of the same news that letters cannot tell
  ("medicine", "medical") are the anchors' to find: where a shorter beginning's articles
  are the topic's nearest, `alert_lexicon` anchors by that beginning;
- a final e or y gives way to a suffix, as in spelling, once six letters remain without it
  ("Ukraine": "Ukrainian", "economy": "economic", "finance": "financial"); a shorter word
  keeps it, as its beginning begins other words ("store": "story", "apple": "apply");
- the e a word in -e drops before -ing or -ed is put back: "voting" names "votes" ("vote"),
  "hiking" "hikes", "ruling" "rules". Not after a plural: "ratings", "earnings", "savings"
  are nouns of their own ("TV ratings" do not name "rates");
- a plural in -es after s, x, z, ch or sh loses the es ("viruses": "virus", "taxes": "tax",
  "businesses": "business"); where the e was the word's ("houses": "hous") the key is still
  the beginning of every form;
- a plural in -ies whose stem is shorter than five letters ("cities", "movies", "rookies")
  is compared as that plural: letters do not tell a singular in -y ("city") from one in -ie
  ("movie"), so the key stands for both, and an article word names it in either singular
  or plural. A word in -ie names no word in -y ("Julie" does not name "July").

An article word also names its light stem (a final e dropped as well) when that is a whole
word, so "race" names "racing" ("rac") and "care" names "car" (what the "cars" topic's
recall rests on: `alert_defaults`).

So a key is named by a text exactly when it is in `text_keys(text)`: set membership, for
the anchors' postings, the Why line and the reason sentence alike. The keyword tokenizer
(`index.tokenize`) folds case and accents, drops possessives and stop words before any of
this.
"""

from __future__ import annotations

from index.tokenize import tokenize

WHOLE = 3  # a topic word this short once uninflected is compared whole
STEM = 5  # the first letters by which an abbreviation's written-out word is told (`alert_lexicon`)
GIVE_WAY = 6  # letters that must remain for a final e or y to give way to a suffix

_SIBILANT_PLURALS = ("ses", "xes", "zes", "ches", "shes")


def _singular(word: str) -> str:
    """A casefolded word without its plural ("cities": "city", "taxes": "tax")."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(_SIBILANT_PLURALS):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def _without_ending(word: str) -> str:
    """A singular without its -ing or -ed, when three letters or more remain."""
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= WHOLE:
            return word[: -len(suffix)]
    return word


def _uninflected(token: str) -> str:
    return _without_ending(_singular(token))


def light_stem(token: str) -> str:
    """A casefolded token's light stem: its plural, then -ing or -ed, then a final e off."""
    word = _uninflected(token)
    return word[:-1] if word.endswith("e") and len(word) > WHOLE else word


def _short_ies_plural(stem: str) -> str | None:
    """The key of the plural in -ies of a stem shorter than STEM letters ("mov": "movies"),
    which no article word's beginning is (a beginning ends before the -ies)."""
    return stem + "ies" if WHOLE <= len(stem) < STEM else None


def _ies_stem(plain: str) -> str | None:
    """The stem of an uninflected word in -y or -ie ("city": "cit", "movie": "mov")."""
    for ending in ("ie", "y"):
        if plain.endswith(ending):
            return plain[: -len(ending)]
    return None


def _given_way(word: str) -> str:
    """The word without a final e or y that a suffix would replace ("ukrain", "econom")."""
    return word[:-1] if word.endswith(("e", "y")) and len(word) > GIVE_WAY else word


def word_key(token: str) -> str:
    """The key a (tokenized) topic word is compared by: "closing" by "clos", named by
    "closed" and "closure" too; "missiles" by "missile"; "votes" by "vote" (named by
    "voting"); "movies" by "movies" (named by "movie", "cities" by "city")."""
    if token.endswith("ies") and len(token) > 4:
        plural = _short_ies_plural(token[:-3])
        if plural is not None:
            return plural
    plain = _uninflected(token)
    return plain if len(plain) <= WHOLE else _given_way(plain)


def token_keys(token: str) -> frozenset[str]:
    """Every key a (tokenized) article word names: each beginning of four letters or more of
    the word, its singular and its uninflected form; that form with the e its -ing or -ed
    dropped; its light stem when that is a whole word; the plural in -ies its -y or -ie
    stands for ("movie", "movies": "movies")."""
    singular = _singular(token)
    plain = _without_ending(singular)
    keys = {
        form[:size] for form in {token, singular, plain} for size in range(WHOLE + 1, len(form) + 1)
    }
    if plain != singular and singular == token:  # "voting": "vote"; "ratings" not "rate"
        keys.add(plain + "e")
    stem = _ies_stem(plain)
    plural = _short_ies_plural(stem) if stem is not None else None
    if plural is not None:
        keys.add(plural)
    short = light_stem(token)
    if len(short) <= WHOLE:
        keys.add(short)
    return frozenset(keys)


def text_keys(text: str) -> frozenset[str]:
    """Every key a text names (`word_key(w) in text_keys(t)`: `t` names the word `w`)."""
    keys: set[str] = set()
    for token in set(tokenize(text)):
        keys |= token_keys(token)
    return frozenset(keys)
