"""Sentences of a news page that are not the story: credits, prompts, notices (pure).

Indexing keeps a page's back matter out of the body (`index/parsing/back_matter.py`), but
what sits between paragraphs stays: credit lines ("Contributing: Maria Puente"), author
bios ("X is a money reporter at..."), sign-up and subscribe calls, notices about the page
itself ("This story has been updated...", a publisher's legal wording), video-player
labels, and photo credits glued to the caption after them. Quoted as why an alert
matched, they tell the reader nothing. They are told apart by their form, not by outlet:
- what they address: the reader (an imperative to sign up, subscribe, follow, catch up,
  a "please"), the page or the outlet itself ("this story", "our newsletter", "as
  detailed here", a "'We' includes" definition);
- what they are made of: a short run of capitalised names under a credit label, an
  emoji or arrow where a sentence starts, a link title glued to the next ("prices:Are"),
  a video's running time, "we" and "you" outside quotation marks (a notice to readers).
`clean_sentence` first cuts what is glued in front of a real sentence (a photo credit
"Clodagh Kilcoyne/Reuters", a shouted label "TODAY'S QUOTE", a "Sign up here" link).
"""

from __future__ import annotations

import re
import unicodedata

MIN_WORDS = 4  # a shorter piece ("Netflix", "Getty Images") is a label, not a statement

# A photo credit before the caption: "Clodagh Kilcoyne/Reuters About 7.7 million...".
_PHOTO_CREDIT = re.compile(r"^(?:[A-Z][\w.'’-]*\s+){0,3}[A-Z][\w.'’-]*/[A-Z][\w.&'’-]*\s+(?=\S)")
# A shouted label before the text: "TODAY'S QUOTE", "JUST WATCHED", "THIS JUST IN". Two
# words or more, one of five letters or more, so acronyms ("US FDA", "NATO") stay.
_CAPS_WORD = r"[A-Z][A-Z'’&-]+"
_CAPS_LABEL = re.compile(rf"^(?=[^a-z]*?[A-Z'’]{{5}})(?:{_CAPS_WORD}\s+){{2,5}}(?=\S)")
_CAPS_LABEL_RUN = re.compile(rf"^(?:{_CAPS_WORD}\s+)+")
# A link prompt glued in front: "Sign up here Disney Store closings...".
_LEADING_PROMPT = re.compile(
    r"^(?:sign up|subscribe|click|tap|read more|learn more|find out more|watch|listen)"
    r"\b[^.!?]{0,30}?\bhere\b[.:]?\s+(?=[A-Z\"“])",
    re.IGNORECASE,
)
_LEADING_MARKS = "•·-–—*►▶»>|"


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_CREDIT_WORDS = _wordset(
    "contributing contributed contributor contributors reporting reported additional editing "
    "edited writing written photo photos photograph photographs photography credit credits "
    "image images illustration illustrations graphic graphics video produced production "
    "research compiled source sources staff wire by and with via for of from the in"
)
_LABELS = _wordset(
    "contributing reporting editing writing photo photos credit credits image images "
    "illustration graphic graphics video produced research compiled additional"
)
# A bio at an article's end: "Medora Lee is a money, markets ... reporter at USA TODAY."
_BIO = re.compile(
    r"^(?:[A-Z][\w.'’-]*\s+){1,3}(?:is|was|has been)\s+(?:a|an|the)\b[^.]{0,120}?"
    r"\b(?:reporter|writer|correspondent|editor|columnist|journalist|contributor|producer|"
    r"critic|anchor|host)s?\b"
)
_CONTACT = re.compile(
    r"\b(?:reach|contact|e-?mail|follow|message)\s+(?:him|her|them|me|us)\b"
    r"|\b(?:follow|find)\s+(?:him|her|them|me|us)\s+on\b",
    re.IGNORECASE,
)
# The reader addressed: an opening imperative of the promo kind, or a "please" with one.
_PROMO_VERBS = (
    r"sign(?:ing)?[ -]?up|subscribe|register|download|follow|click|tap|join|catch up|"
    r"read more|learn more|find out|check out|listen|watch|get (?:the|our|\w+['’]s)|"
    r"donate|support|share|send us|tell us|don['’]t miss|stay (?:informed|up to date)"
)
# "Support for the bill grew" is news: those verbs count only after a "please".
_IMPERATIVE = re.compile(rf"^(?!support|share|donate)(?:{_PROMO_VERBS})\b", re.IGNORECASE)
_PLEASE = re.compile(
    rf"\bplease\s+(?:{_PROMO_VERBS})\b|\bplease\b[^.!?]{{0,40}}\bhere\b", re.IGNORECASE
)
_SIGN_UP = re.compile(r"\bsign[ -]?up (?:here|now|today|for (?:our|the|free|\w+['’]s))\b", re.I)
# The page, the outlet or the reader's inbox as the subject.
_SELF = re.compile(
    r"\bnewsletters?\b|\binbox\b|\bpodcast\b|\bas detailed here\b|"
    r"\b(?:click|tap|here)\s+(?:here|to)\b|"
    r"\bthis (?:story|article|post|report|piece|page|video)\b[^.]{0,40}?\b(?:has been|was|"
    r"were|is)\s+(?:updated|corrected|amended|produced|published|edited)\b|"
    r"\b(?:a|an earlier) version of this (?:story|article|report)\b|"
    r"^(?:editor['’]s note|correction|clarification|update)\s*:|"
    r"©|\bcopyright\b|\ball rights reserved\b|\bterms of (?:use|service)\b|"
    r"\bprivacy (?:policy|notice)\b|\byour (?:personal )?(?:data|information)\b|"
    r"\bcookies?\b.{0,40}\b(?:consent|accept|settings)\b|"
    r"^[\"'‘“]?we[\"'’”]? (?:includes|means|refers to)\b",
    re.IGNORECASE,
)
# Video-player labels read into the text ("Replay More Videos", "Video Ad Feedback").
_PLAYER = re.compile(
    r"\b(?:replay|more videos|video ad feedback|must watch|just watched)\b|"
    r"\b\d{1,2}:\d{2}\s*-\s*source:",
    re.IGNORECASE,
)
# A link's title glued to the next without a space: "Rising prices:Are we stuck...".
_GLUED_LINK = re.compile(r"[a-z]:[A-Z]")
# A video's running time before the next label: "... Roe ruling 03:34 These are...".
_RUNNING_TIME = re.compile(r"(?<!at )\b\d{1,2}:\d{2}\s+[A-Z][a-z]")
# The publisher speaking to the reader, outside any quotation: "We will use the
# information you have shared...".
_WE = re.compile(r"\b(?:we|us|our)\b", re.IGNORECASE)
_YOU = re.compile(r"\b(?:you|your)\b", re.IGNORECASE)
_QUOTES = re.compile(r"[\"“”]")
_WORD = re.compile(r"[^\W\d_][\w'’.-]*|\d[\w.,]*")


def clean_sentence(sentence: str) -> str:
    """The sentence without what is glued in front of it: bullets, a photo credit, a
    shouted label, a "Sign up here" link (whitespace collapsed)."""
    text = " ".join(sentence.split())
    for _ in range(3):  # a credit after a label, and so on
        before = text
        text = text.lstrip(_LEADING_MARKS).lstrip()
        text = _PHOTO_CREDIT.sub("", text, count=1)
        if _CAPS_LABEL.match(text):
            text = _CAPS_LABEL_RUN.sub("", text, count=1)
        text = _LEADING_PROMPT.sub("", text, count=1)
        if text == before:
            break
    return text


def is_furniture(sentence: str) -> bool:
    """Whether a (cleaned) sentence is page furniture rather than the story's own words:
    a credit line, an author bio or contact line, a call to sign up, subscribe or follow,
    a notice about the page or its publisher, video-player labels, a glued link title,
    an emoji-led teaser, or a fragment too short to state anything."""
    text = sentence.strip()
    words = _WORD.findall(text)
    if len(words) < MIN_WORDS:
        return True
    if _credit_line(text, words) or _BIO.match(text) or _CONTACT.search(text):
        return True
    if _IMPERATIVE.match(text) or _PLEASE.search(text) or _SIGN_UP.search(text):
        return True
    if _SELF.search(text) or _PLAYER.search(text) or _GLUED_LINK.search(text):
        return True
    if _RUNNING_TIME.search(text):
        return True
    if _WE.search(text) and _YOU.search(text) and not _QUOTES.search(text):
        return True
    if text[0].islower() and text[1:2].islower():  # a fragment cut from a label ("iPhone" is not)
        return True
    return unicodedata.category(text[0]) == "So"  # an emoji or arrow: a teaser or link


def _credit_line(text: str, words: list[str]) -> bool:
    """A short run of names under a credit label ("Contributing: Maria Puente",
    "Reporting by Jane Doe; Editing by John Roe", "Photo: Jane Doe/AP")."""
    if len(words) > 14:
        return False
    folded = [w.casefold().strip(".'’") for w in words]
    if not any(w in _LABELS for w in folded):
        return False
    return all(
        w in _CREDIT_WORDS or word[0].isupper() for w, word in zip(folded, words, strict=True)
    )
