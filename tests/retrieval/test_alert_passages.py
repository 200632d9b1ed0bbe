"""The reason picker sees a matched chunk with its article's paragraph breaks: a heading or
caption that stands alone in the article is never quoted glued to the next sentence."""

from __future__ import annotations

import numpy as np

from index.chunking import chunk_article
from index.types import Article
from retrieval.alert_passages import with_paragraphs
from retrieval.alert_reason import candidate_sentences, pick_reasons
from retrieval.alerts import AlertTopic, NewArticles, build_topic_set, match_articles

# The opening of a real CNN article (RealTime QA), whose photo label stands alone.
BODY = (
    "New York CNN —\n\n“Squid Game” is officially coming back.\n\n"
    "Netflix announced Sunday that the wildly popular South Korean show is green lit for a "
    "second season.\n\nNetflix\n\n"
    "“Squid Game” is a fictional drama from South Korea in which contestants play deadly "
    "children’s games to win cash prizes."
)


def test_paragraph_breaks_of_the_body_are_put_back() -> None:
    [chunk] = chunk_article(Article(title="Squid Game", body=BODY))
    assert "\n" not in chunk.text  # what the indexer stores
    assert with_paragraphs(chunk.text, BODY) == BODY


def test_a_chunk_inside_the_body_keeps_only_its_own_words() -> None:
    body = "One two three.\n\nHeading\n\nFour   five six.\nSeven eight."
    assert with_paragraphs("three. Heading Four five", body) == "three.\n\nHeading\n\nFour five"
    assert with_paragraphs("six. Seven", body) == "six. Seven"  # one newline is a space


def test_a_chunk_the_body_does_not_hold_is_left_as_it_is() -> None:
    assert with_paragraphs("Other words here.", BODY) == "Other words here."
    assert with_paragraphs("Netf", BODY) == "Netf"  # whole words only
    assert with_paragraphs("", BODY) == ""


def test_the_alert_reason_is_not_glued_to_a_heading() -> None:
    chunks = chunk_article(Article(title="Squid Game", body=BODY))
    vectors = np.ones((len(chunks), 2), dtype=np.float32) / np.sqrt(2)
    new = NewArticles(
        article_ids=[7],
        titles=["Squid Game"],
        bodies=[BODY],
        chunk_vectors=vectors,
        chunk_article_ids=np.full(len(chunks), 7),
        chunk_texts=[c.text for c in chunks],
    )
    topic = AlertTopic(1, vectors[:1], phrase="Squid Game fictional drama")
    [match] = match_articles(build_topic_set([topic], None), new)
    assert match.reason == (
        "“Squid Game” is a fictional drama from South Korea in which contestants play deadly "
        "children’s games to win cash prizes."
    )


def test_a_heading_is_quoted_only_when_nothing_else_names_the_topic() -> None:
    heading = "North Korea’s potential nuclear plans"
    sentence = (
        "Tuesday’s launch could herald an intensification of provocations by North Korean "
        "leader Kim Jong Un, experts told CNN."
    )
    terms = [frozenset({"north", "korea"})]
    vectors = [np.ones((1, 2), dtype=np.float32)]
    passages = [f"{heading}\n\n{sentence}", f"Rocket launch\n\n{heading}"]
    assert pick_reasons([(0, 0), (0, 1)], passages, terms, vectors) == [sentence, heading]
    quote = "“Tensions are higher than ever before.”"  # a closing quote after the stop
    assert candidate_sentences(f"{heading}\n\n{quote}") == [quote]
