"""Topic text of a subscription: "chip export controls +china -stocks" (pure).

The free words form the phrase that is matched by meaning; `+word` must appear in the
article and `-word` must not. A quoted group after the sign is one multi-word term:
`+"south korea"`. Word terms are compared on the keyword tokenizer's tokens of title and
body (case-folded, accents stripped, possessive 's dropped), a multi-word term as a
contiguous run of tokens.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.errors import BadInputError
from index.tokenize import tokenize

MAX_TOPIC_CHARS = 200
MAX_PHRASE_WORDS = 25
MAX_FILTER_TERMS = 10  # + and - terms together

USAGE = 'Usage: /subscribe chip export controls +china -stocks (+"two words" for a phrase)'

# A signed term (+word, -word, +"a phrase"), a quoted phrase, or a bare word.
_PIECE = re.compile(
    r"""(?P<sign>[+-])(?:"(?P<signed_quoted>[^"]*)"|(?P<signed_word>[^\s"]+))
    | "(?P<quoted>[^"]*)"
    | (?P<word>[^\s"]+)""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class TopicQuery:
    """A parsed topic: the phrase embedded for meaning, and the word filters (as typed,
    lower-cased, in order, without duplicates)."""

    phrase: str
    must_words: tuple[str, ...] = ()
    exclude_words: tuple[str, ...] = ()


def parse_topic(text: str) -> TopicQuery:
    """Split topic text into phrase, required and excluded terms; BadInputError if unusable."""
    text = " ".join(text.split())
    if not text:
        raise BadInputError(f"Tell me a topic to follow. {USAGE}")
    if len(text) > MAX_TOPIC_CHARS:
        raise BadInputError(f"That topic is too long (at most {MAX_TOPIC_CHARS} characters).")
    if text.count('"') % 2:
        raise BadInputError(f"A quote is not closed. {USAGE}")
    phrase: list[str] = []
    must: list[str] = []
    exclude: list[str] = []
    for match in _PIECE.finditer(text):
        sign = match.group("sign")
        if sign is None:
            piece = match.group("quoted") if match.group("word") is None else match.group("word")
            if piece in ("+", "-"):
                raise BadInputError(f"Put a word right after '{piece}'. {USAGE}")
            phrase.extend(piece.split())
            continue
        term = match.group("signed_quoted")
        if term is None:
            term = match.group("signed_word")
        term = " ".join(term.split()).lower()
        _check_term(sign, term)
        target = must if sign == "+" else exclude
        if term not in target:
            target.append(term)
    if not phrase:
        raise BadInputError(f"Add a few words describing the topic, not only +/- words. {USAGE}")
    if len(phrase) > MAX_PHRASE_WORDS:
        raise BadInputError(f"That topic has too many words (at most {MAX_PHRASE_WORDS}).")
    if len(must) + len(exclude) > MAX_FILTER_TERMS:
        raise BadInputError(f"Use at most {MAX_FILTER_TERMS} +/- words.")
    overlap = set(must) & set(exclude)
    if overlap:
        raise BadInputError(f"'{sorted(overlap)[0]}' cannot be both required and excluded.")
    return TopicQuery(phrase=" ".join(phrase), must_words=tuple(must), exclude_words=tuple(exclude))


def _check_term(sign: str, term: str) -> None:
    if not term:
        raise BadInputError(f"Put a word right after '{sign}'. {USAGE}")
    if not tokenize(term):
        raise BadInputError(
            f"'{term}' is too common a word to require or exclude; pick a more specific one."
        )


def term_tokens(term: str) -> tuple[str, ...]:
    """The token run a +/- term matches (empty for a term of stop words only)."""
    return tuple(tokenize(term))


def contains_term(tokens: Sequence[str], token_set: frozenset[str], term: tuple[str, ...]) -> bool:
    """Whether `term` occurs in the token list as a contiguous run (one-token terms use the
    set). An empty term never matches."""
    if not term:
        return False
    if len(term) == 1:
        return term[0] in token_set
    if any(token not in token_set for token in term):
        return False
    width = len(term)
    first = term[0]
    return any(
        tokens[i] == first and tuple(tokens[i : i + width]) == term
        for i in range(len(tokens) - width + 1)
    )


def words_allow(
    text_tokens: Sequence[str],
    token_set: frozenset[str],
    must: Sequence[tuple[str, ...]],
    exclude: Sequence[tuple[str, ...]],
) -> bool:
    """True when every required term occurs in the text and no excluded term does
    (`token_set` is `frozenset(text_tokens)`, computed once per article)."""
    return all(contains_term(text_tokens, token_set, t) for t in must) and not any(
        contains_term(text_tokens, token_set, t) for t in exclude
    )
