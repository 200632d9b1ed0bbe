"""Small words of the common Latin-script languages that English does not share (pure).

`retrieval/question_language.py` judges a question by its share of frequent English words;
a short Portuguese question can pass that by words English shares ("Quem ganhou as
eleições no Brasil?": "as", "no"). The words here weigh against it: function words and
the commonest verbs of Portuguese, Spanish, French, German, Italian and Dutch, and words
written in lower case with accents ("eleições"), which English words seldom have while
the names in English questions, capitalised, are not judged.

Left out: words English has too ("die", "war", "son", "come", "also", "hat", "over"),
and the particles of names English questions write in lower case ("Ursula von der
Leyen", "Lula da Silva", "Charles de Gaulle", "Mohammed bin Salman").
"""

from __future__ import annotations

import re
import unicodedata


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Each language's frequent small words, homographs of English included (removed below).
_PORTUGUESE = _words(
    """que quem qual quais quando onde como porque por para com sem um uma uns umas os as
    ao aos na nas no nos num numa pelo pela pelos pelas foi foram são é está estão ser tem
    têm não sim mais muito já também sobre entre ainda seu sua seus suas isso este esta
    esse essa ele ela eles elas às disse vai houve aconteceu ganhou morreu do me"""
)
_SPANISH = _words(
    """qué que quién quiénes cuál cuáles cuándo dónde cómo cuántos cuántas por porque para
    con sin un una unos unas los las del al en es son fue fueron ha han está están sobre
    entre muy más también ya su sus ese esa este esta lo le les se pero ni hay ser sido
    dijo ganó murió pasó me mi"""
)
_FRENCH = _words(
    """qui que quoi quel quelle quels quelles quand où comment pourquoi combien est sont
    été était les des du un une au aux sur dans avec sans pour par ce cette ces il elle
    ils elles ont avait pas ne plus et mais ou son sa ses leur leurs qu dit fait on me"""
)
_GERMAN = _words(
    """der die das den dem des ein eine einen einem einer und oder aber ist sind war waren
    hat haben hatte wird werden wurde wer wie wo wann warum welche welcher welches was
    nicht mit von zu zum zur bei auf für über nach aus im am um ich er sie es wir ihr sich
    auch noch schon dass gesagt viele gibt in an so also man will kann können soll sollte
    muss müssen darf"""
)
_ITALIAN = _words(
    """che chi cosa quale quali quando dove come perché il lo gli le la un uno una del
    dello della dei degli delle nel nella nei sul sulla con per tra fra è sono ha hanno
    stato stata non più anche già ma si detto in me mi"""
)
_DUTCH = _words(
    """de het een en van wat wie waar wanneer waarom hoe welke is zijn was waren heeft
    hebben had wordt werd niet met voor op aan bij uit naar over om ook nog al dat die
    deze dit er hij zij ze we ik zei gezegd in"""
)
FOREIGN_SMALL_WORDS = _PORTUGUESE | _SPANISH | _FRENCH | _GERMAN | _ITALIAN | _DUTCH

# English words among them, beyond the frequent ones `question_language` already knows.
_ENGLISH_HOMOGRAPHS = _words(
    """die war son come dove sin con hay met door over had hat pour plus par elle also so
    man am um lo ten men we he her us me mi it is in on at as no or was be to an do will
    dice fame"""
)
# Lower-case particles of names ("von der Leyen", "da Silva", "de Gaulle", "bin Salman").
_NAME_PARTICLES = _words(
    "de da di do dos das du des del della der den van von ter la le el al bin ibn y e ben"
)
# Words a name may open with, capitalised: its particles and the articles of names ("Los
# Angeles", "Las Vegas", "Les Misérables", "Le Monde", "Il Sole", "Die Welt", "Het Parool").
NAME_OPENERS = _NAME_PARTICLES | _words("los las les lo il gli die das dem het")


def foreign_marks(words: list[str], english: frozenset[str]) -> int:
    """How many of `words` (lower-cased, as judged) are foreign small words that are no
    English words, nor name particles (pure)."""
    return sum(
        1
        for word in words
        if word in FOREIGN_SMALL_WORDS
        and word not in english
        and word not in _ENGLISH_HOMOGRAPHS
        and word not in _NAME_PARTICLES
    )


# German verb forms by their shape, which no English word takes: a vowel before "cht"
# ("nicht", "macht", "gemacht", "erreicht"; "yacht" is English's loan of it, "ichthyo-"
# Greek), the verbs in -ieren ("passiert", "diskutierte"), and participles in ge-...-t/-en
# ("gesprochen", "gewonnen") but for English's "ge"-words in -ist, -est, -men ("geologist",
# "gentlest", "gentlemen"). Searched in 4.9 million lower-case words of English news
# (RealTime QA, AG News, Wikinews): 8 matched, each once, German quoted there and names run
# together ("gerrit"), no English word.
_GERMAN_VERB_SHAPE = re.compile(
    r"(?<!y)[aeiouäöü]cht(?!h)|ier(?:t|te|ten|en)$|^ge[^\W\d_]{3,}(?:t|en)$"
)
_ENGLISH_GE_ENDINGS = ("ist", "est", "men")

# German finite verbs that English has as other words ("hat", "will"). After an opening
# "was", English puts the subject, never a verb: "Was hat ...?", "Was will ...?" are German
# word order (verb second). "war" is left out: a bare English noun can be a subject ("Was
# war declared?").
_GERMAN_VERBS_ENGLISH_SPELLS = _words("hat will")


def german_shaped_words(words: list[str]) -> list[str]:
    """The `words` (lower-cased, as judged) shaped as German verb forms that no English
    word takes ("gemacht", "passierte", "gesprochen") (pure)."""
    return [
        word
        for word in words
        if _GERMAN_VERB_SHAPE.search(word)
        and not word.endswith(_ENGLISH_GE_ENDINGS)
        and word not in FOREIGN_SMALL_WORDS  # counted as a small word already ("nicht")
    ]


def opens_with_german_verb_second(question: str) -> bool:
    """Whether the question opens "Was" + a German verb English also spells ("Was hat
    Blinken in Seoul gemacht?", "Was will Putin?"), an order English never forms; "Was
    Biden in Seoul?" and "Was it ...?" do not (pure)."""
    words = re.findall(r"[^\W\d_]+", question)
    return (
        len(words) >= 2 and words[0].lower() == "was" and words[1] in _GERMAN_VERBS_ENGLISH_SPELLS
    )


def accented_lower_words(question: str) -> list[str]:
    """The question's words written in lower case with a letter beyond a-z ("eleições",
    "démissionné"); capitalised ones are names ("Inácio", "München") (pure)."""
    return [
        word
        for word in re.findall(r"[^\W\d_]+", question)
        if word[0].islower()
        and not word.isascii()
        and _latin(word)
        and word not in FOREIGN_SMALL_WORDS
    ]


def _latin(word: str) -> bool:
    return all(ch.isascii() or unicodedata.name(ch, "").startswith("LATIN") for ch in word)
