"""A follow-up question made standalone (pure): the LLM's rewrite cleaned to one line and
checked to be a query (`fits_as_query`), or, without an LLM (or a rewrite that is none), the
previous question's content words it lacks put in front when it leans on that question."""

from __future__ import annotations

import re
from collections.abc import Sequence

from retrieval.citations import is_not_found_reply
from retrieval.extractive import content_terms, tokenize
from retrieval.prompt import Turn


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words that point back at the previous question ("what did he say?", "is it over?").
# "why" and "how" do not: "Why did Steve Jobs resign?" asks about a subject of its own.
_REFERRING = _wordset(
    """it its they them their he him his she her this that these those there same also else
    more too"""
)
_CONTINUATIONS = ("and ", "what about", "how about", "also ", "but ")
# A reaction asked of a named subject without saying to what ("How did Germany react?")
# is a reaction to the previous question's news.
_REACTING = _wordset(
    """react reacted reacts reaction reactions respond responded responds response responses
    reply replied replies comment commented comments"""
)
# Words that only place or join names: "In Tokyo?" or "Germany and France?" name places but
# ask nothing of their own.
_FILLER = _wordset("a an the and or in on at of for from to by with about as well")
# A bare word right after one of these, past the first word, is what the question is about:
# "what happened in munich", "tell me about qubitrix", "any news on brexit". After an article
# it is not ("how many died in the attack?" means the attack just discussed).
_TOPIC_PREPOSITIONS = _wordset("in on about at from regarding concerning")
# A time is no subject: "What happened on Tuesday?", "in 2021?", "at night?" ask about the
# subject just discussed, then.
_TIME_WORDS = _wordset(
    """monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur
    thurs fri sat sun january february march april may june july august september october
    november december jan feb mar apr jun jul aug sep sept oct nov dec today tonight
    yesterday tomorrow morning afternoon evening night weekend week month year"""
)
# "latest news", "What are the headlines?": a request of its own, never a follow-up.
_LATEST = _wordset("latest headlines headline breaking newest")
_NEWS_WORDS = _wordset("top stories story updates update recent current")


# "why did ...", "who is ...": the words after the auxiliary are the question's own subject.
_WH_AUXILIARY = re.compile(
    r"^(?:why|how|when|where|who|what|which)\s+"
    r"(?:did|does|do|is|are|was|were|has|have|had|will|would|can|could)\s",
    re.IGNORECASE,
)


def _is_topic(word: str, terms: frozenset[str]) -> bool:
    folded = word.lower()
    return folded in terms and folded not in _TIME_WORDS and not folded.isdigit()


def _names_someone(words: Sequence[str], terms: frozenset[str]) -> bool:
    """A capitalised content word after the first word (a name, whatever the case of the
    sentence start), and some word besides names and fillers that asks about it."""
    names = {w for w in words[1:] if w[:1].isupper() and _is_topic(w, terms)}
    return bool(names) and any(w not in names and w.lower() not in _FILLER for w in words)


def _introduces_topic(words: Sequence[str], terms: frozenset[str], previous: str) -> bool:
    """A content word right after a topic preposition (not the first word) that the previous
    question did not have: "what happened in munich" after a question about London."""
    before = set(content_terms(previous))
    return any(
        word.lower() in _TOPIC_PREPOSITIONS
        and _is_topic(words[i + 1], terms)
        and words[i + 1].lower() not in before
        for i, word in enumerate(words[1:-1], start=1)
    )


def names_a_subject(question: str, previous: str = "") -> bool:
    """Whether the question names what it asks about: a name ("Why did Steve Jobs resign?",
    "Tell me about Qubitrix"), a new topic after "in", "on", "about"... ("what happened in
    munich", not in `previous`), or, lower-cased, three content words after "why did", "who
    is"... ("why did steve jobs resign?"). "In Tokyo?" names a place but asks nothing of its
    own; "how many people died?" and "why did the minister resign?" name nothing."""
    words = tokenize(question)
    terms = frozenset(content_terms(question))
    if _names_someone(words, terms) or _introduces_topic(words, terms, previous):
        return True
    return len(terms) >= 3 and _WH_AUXILIARY.match(question) is not None


def asks_for_latest(question: str) -> bool:
    """Whether the question only asks for the newest news ("latest news", "What are today's
    headlines?"): a request of its own whatever came before."""
    words = {w.lower() for w in tokenize(question)}
    return bool(words & _LATEST) and set(content_terms(question)) <= _LATEST | _NEWS_WORDS


def refers_back(question: str) -> bool:
    """Whether the question continues another ("and...", "what about...") or refers back
    to it ("it", "they", "there"...)."""
    words = {w.lower() for w in tokenize(question)}
    return question.lower().startswith(_CONTINUATIONS) or bool(words & _REFERRING)


def leans_back(question: str, previous: str = "") -> bool:
    """Whether the question continues the previous one (`previous`, the last user question):
    it continues ("and...", "what about..."), refers back ("it", "they", "there"...), or is
    short (three content words or fewer) and asks for a reaction or names no subject of its
    own. A request for the latest news stands alone."""
    words = {w.lower() for w in tokenize(question)}
    if refers_back(question):
        return True
    if asks_for_latest(question) or len(content_terms(question)) > 3:
        return False
    return bool(words & _REACTING) or not names_a_subject(question, previous)


def heuristic_condense(question: str, history: Sequence[Turn]) -> str:
    """Without an LLM: when the question leans on the previous user question
    (`leans_back`), prepend up to six content words of that question it lacks. Otherwise
    unchanged."""
    question = question.strip()
    previous = next((text for role, text in reversed(history) if role == "user"), None)
    if not previous or not question or not leans_back(question, previous):
        return question
    terms = content_terms(question)
    have = set(terms)
    wanted = set(content_terms(previous)) - have
    extra: list[str] = []
    for word in tokenize(previous):  # keep the previous question's spelling and order
        if word.lower() in wanted and word.lower() not in {e.lower() for e in extra}:
            extra.append(word)
    return " ".join([*extra[:6], question]) if extra else question


def followed_answer(question: str, history: Sequence[Turn]) -> str | None:
    """The last answer in `history` when `question` follows up on it (`leans_back` from the
    last user question), else None."""
    asked = next((text for role, text in reversed(history) if role == "user"), None)
    answered = next((text for role, text in reversed(history) if role == "assistant"), None)
    return answered if asked and answered and leans_back(question, asked) else None


# A standalone query is the question with a few words from the conversation put in: a
# rewrite longer than the question by more than this many words is an answer or a summary.
MAX_ADDED_WORDS = 12


def fits_as_query(rewrite: str, question: str, history: Sequence[Turn]) -> bool:
    """Whether the model's rewrite of `question` can be searched for (pure): it shares a
    content word with the question or the conversation (else it is filler or an answer of
    the model's own: "The answer to this question is:"), and it is not much longer than the
    question (`MAX_ADDED_WORDS`)."""
    if len(tokenize(rewrite)) > len(tokenize(question)) + MAX_ADDED_WORDS:
        return False
    said = {term for _, text in history for term in content_terms(text)}
    return not set(content_terms(rewrite)).isdisjoint(said | set(content_terms(question)))


def clean_condensed(reply: str) -> str:
    """The model's rewrite as one line of query, or "" when it is none: the not-found
    sentinel (the model read the rewrite as a question to answer) is no query, and searching
    for "NOT_FOUND" finds nothing; the caller falls back on the question."""
    line = next((ln for ln in reply.strip().splitlines() if ln.strip()), "")
    line = re.sub(r"^\s*(?:standalone query|query)\s*:\s*", "", line, flags=re.IGNORECASE)
    line = line.strip().strip("\"'“”‘’`").strip()
    return "" if is_not_found_reply(line) else line
