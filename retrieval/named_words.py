"""When a text names a topic word: the one rule of the anchors and of an alert's "Why" (pure).

A topic word is compared by its *key*, an article word by the keys it names:

- a topic word of three letters or fewer once uninflected (one plural, then -ing or -ed) is
  a whole word: "war" is named by "war" and "wars", never by "warm" or "warning"; "taxes"
  by "tax" and "taxed", never by "taxi";
- a longer one is compared by its beginning: its first five letters (a plural, -ing or
  -ed dropped), named by any word that begins with them ("Korea" by "Korean", "Iran" by
  "Iranian", "tech" by "technology", "closing" by "closed"). A word of four letters in -e
  ("rate", "wine", "aide") is one of these: dropping its e would make it a whole word that
  others name ("rates" named by "rats" and "ratings", "wine" by "wins", "aides" by "aid");
- a plural in -ies whose stem is shorter than five letters ("cities", "movies", "rookies")
  is compared as that plural: letters do not tell a singular in -y ("city") from one in -ie
  ("movie"), so the key stands for both, and an article word names it in either singular
  or plural. A word in -ie names no word in -y ("Julie" does not name "July", "Katie" not
  "Katy"), only such a plural. A longer stem keeps its five letters ("companies": "compa").

An article word also names its light stem (`light_stem`: the e dropped as well) when that
is a whole word, so "race" still names "racing" ("rac"). That side stays generous: "care"
names "car" too (the symmetric cut made "car" an anchor of "cars and the auto industry"
and lost its articles saying only "vehicles": `alert_defaults`).

So a key is named by a text exactly when it is in `text_keys(text)`: set membership, for
the anchors' postings (`alert_lexicon`), the Why line (`topic_mentions`) and the reason
sentence (`alert_reason`). The keyword tokenizer (`index.tokenize`) folds case and accents
and drops stop words before any of this.
"""

from __future__ import annotations

from index.tokenize import tokenize

STEM = 5  # letters a longer word is compared by (as `grounding.NAME_STEM`)
WHOLE = 3  # a topic word this short once uninflected is compared whole


def _uninflected(token: str) -> str:
    """A casefolded token without its plural, then its -ing or -ed."""
    word = token.removesuffix("'s").removesuffix("’s")
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("xes") and len(word) > 4:
        word = word[:-2]  # "taxes": "tax" (its e is the plural's, not the word's)
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def light_stem(token: str) -> str:
    """A casefolded token's light stem: one plural, then -ing or -ed, then a final e."""
    word = _uninflected(token)
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def _short_ies_plural(stem: str) -> str | None:
    """The key of the plural in -ies of a stem shorter than STEM letters ("mov": "movies"),
    a key no beginning of a word is (those have at most STEM letters)."""
    return stem + "ies" if WHOLE <= len(stem) < STEM else None


def _ies_stem(plain: str) -> str | None:
    """The stem of an uninflected word in -y or -ie ("city": "cit", "movie": "mov"; a
    plural in -ies is uninflected to -y)."""
    for ending in ("ie", "y"):
        if plain.endswith(ending):
            return plain[: -len(ending)]
    return None


def word_key(token: str) -> str:
    """The key a (tokenized) topic word is compared by: "closing" by "clos", named by
    "closed" and "closure" too; "missiles" by "missi"; "rates" by "rate" (not "rat");
    "movies" by "movies" (named by "movie", "cities" by "city")."""
    word = token.removesuffix("'s").removesuffix("’s")
    if word.endswith("ies") and len(word) > 4:
        plural = _short_ies_plural(word[:-3])
        if plural is not None:
            return plural
    plain = _uninflected(token)
    return plain if len(plain) <= WHOLE else plain[:STEM]


def token_keys(token: str) -> frozenset[str]:
    """Every key a (tokenized) article word names: its first four and five letters, with
    and without its inflection, its light stem when that is a whole word, and the plural
    in -ies its -y or -ie stands for ("movie", "movies": "movies")."""
    plain = _uninflected(token)  # "cities" names "city"
    keys = {word[:n] for word in (token, plain) for n in range(WHOLE + 1, min(STEM, len(word)) + 1)}
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
