"""The lexical guard of the corpus route: anchors from the background's words (synthetic)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from index.embedding import l2_normalise
from retrieval.alert_anchors import update_anchors
from retrieval.alert_background import build_background
from retrieval.alert_lexicon import anchor_words, index_words, topic_words, word_keys
from retrieval.alert_profiles import CorpusSettings
from retrieval.alerts import AlertTopic, MatchSettings, NewArticles, build_topic_set, match_articles

DIM = 32
PER_CLUSTER = 80
NAMED = 6  # background articles of cluster 0 that name "Zorblax", the topic's nearest


def near(vector: np.ndarray, cosine: float, rng: np.random.Generator) -> np.ndarray:
    """A unit vector at exactly `cosine` to the unit `vector`."""
    other = rng.standard_normal(vector.shape).astype(np.float32)
    other -= other @ vector * vector
    other /= np.linalg.norm(other)
    return (cosine * vector + np.sqrt(1 - cosine**2) * other).astype(np.float32)


def test_topic_words_drop_plurals_and_keep_the_whole_word() -> None:
    assert topic_words("North Korea missiles") == ("north", "korea", "missil")  # e gives way
    assert topic_words("Sci/Tech") == ("sci", "tech")
    assert topic_words("wars and the sports") == ("war", "sport")  # stop words dropped
    assert topic_words("the 2022 midterms") == ("midterm",)  # numbers name nothing


def test_article_words_are_named_by_their_beginnings() -> None:
    keys = word_keys("Iranian protesters met US envoys on TV")
    assert {"iran", "irani", "iranian", "protest", "us", "tv"} <= keys
    assert "iraq" not in keys
    # Letters do not tell "scientists" from "inflatable": the anchors' beginnings do.
    assert not set(topic_words("science")) & word_keys("Scientists say")
    assert set(topic_words("science")) <= word_keys("The sciences")
    assert set(topic_words("wars")) <= word_keys("the war goes on")
    # A word of three letters or fewer is named only by itself (lightly stemmed).
    assert set(topic_words("war")) <= word_keys("two wars")
    assert not set(topic_words("war")) & word_keys("a warm warning from Warsaw")
    assert set(topic_words("taxes")) <= word_keys("taxed")
    assert not set(topic_words("tax")) & word_keys("a taxi")


def test_anchors_are_words_held_by_the_topics_nearest_articles() -> None:
    rng = np.random.default_rng(3)
    cosines = np.linspace(0.9, 0.0, 100)  # article i is the topic's i-th nearest
    texts = ["filler text" for _ in range(100)]
    for row in range(5):  # the name: only in the five nearest
        texts[row] += " Zorblax"
    for row in rng.choice(100, size=20, replace=False):  # a word spread at random
        texts[row] += " sports"
    for row in range(100):
        texts[row] += " today"  # a word in every article
    words = index_words(texts)
    anchors = anchor_words("Zorblax sports today Quuxley", cosines, words, min_precision=0.5)
    # Zorblax: 5 of 5 in the top 5; Quuxley: in no article (the news never names it).
    assert anchors == {"zorblax", "quuxle"}
    assert anchor_words("sports today", cosines, words, min_precision=0.5) == frozenset()


@pytest.fixture
def world() -> tuple[np.ndarray, np.ndarray, list[str], np.random.Generator]:
    """Three clusters of background articles with texts: a few of cluster 0 name Zorblax
    (and sit nearest the Zorblax topic); "sports" is a word spread over every cluster."""
    rng = np.random.default_rng(11)
    centres = l2_normalise(rng.standard_normal((3, DIM)).astype(np.float32))
    rows = np.repeat(centres, PER_CLUSTER, axis=0)
    vectors = l2_normalise(rows + 0.1 * rng.standard_normal(rows.shape).astype(np.float32))
    texts = [f"Report {i} on the day's events" for i in range(len(vectors))]
    for row in rng.choice(len(vectors), size=30, replace=False):
        texts[row] += " in sports"
    return centres, vectors, texts, rng


def fresh_articles(centre: np.ndarray, bodies: list[str], rng: np.random.Generator) -> NewArticles:
    """New articles like the cluster's own members (inside the corpus), with these texts."""
    count = len(bodies)
    vectors = l2_normalise(centre + 0.1 * rng.standard_normal((count, DIM)).astype(np.float32))
    return NewArticles(
        article_ids=list(range(count)),
        titles=[""] * count,
        bodies=bodies,
        chunk_vectors=vectors.astype(np.float32),
        chunk_article_ids=np.arange(count),
    )


def test_a_named_topic_gets_corpus_alerts_only_for_articles_naming_it(world) -> None:
    centres, vectors, texts, rng = world
    topic = near(centres[0], 0.5, rng)
    for row in range(NAMED):  # the articles on Zorblax: the topic's nearest, and named so
        vectors[row] = l2_normalise((vectors[row] + 0.8 * topic)[None, :])[0]
        texts[row] += " with Zorblax"
    background = build_background(vectors, texts=texts)
    bodies = ["Zorblax again.", "More on Zorblax's plans.", "Other news.", "Other.", "Else."]
    new = fresh_articles(centres[0], bodies, rng)
    strict = MatchSettings(direct_threshold=0.9)  # only the corpus route can alert here
    topics = [AlertTopic(1, topic[None, :], phrase="Zorblax")]

    guarded = build_topic_set(topics, background)
    assert guarded.anchors == (frozenset({"zorblax"}),)
    assert [m.article_id for m in match_articles(guarded, new, settings=strict)] == [0, 1]

    unguarded = build_topic_set(topics, background, CorpusSettings(anchor_precision=None))
    assert unguarded.anchors == (frozenset(),)
    everything = match_articles(unguarded, new, settings=strict)
    assert [m.article_id for m in everything] == [0, 1, 2, 3, 4]  # the whole cluster


def test_a_category_word_is_no_anchor_and_the_corpus_route_stays(world) -> None:
    centres, vectors, texts, rng = world
    background = build_background(vectors, texts=texts)
    topic = near(centres[1], 0.5, rng)
    topic_set = build_topic_set([AlertTopic(1, topic[None, :], phrase="sports")], background)
    assert topic_set.anchors == (frozenset(),)  # its articles seldom say "sports"
    new = fresh_articles(centres[1], ["A match.", "A race.", "A game."], rng)
    matches = match_articles(topic_set, new, settings=MatchSettings(direct_threshold=0.9))
    assert [m.article_id for m in matches] == [0, 1, 2]


def test_a_topic_the_news_never_names_gets_no_corpus_alert(world) -> None:
    centres, vectors, texts, rng = world
    background = build_background(vectors, texts=texts)
    topic = near(centres[2], 0.5, rng)  # close to a cluster, which never names it
    topic_set = build_topic_set([AlertTopic(1, topic[None, :], phrase="Quuxley")], background)
    assert topic_set.anchors == (frozenset({"quuxle"}),)
    new = fresh_articles(centres[2], ["A story.", "Quuxley at last."], rng)
    matches = match_articles(topic_set, new, settings=MatchSettings(direct_threshold=0.9))
    assert [m.article_id for m in matches] == [1]


def test_no_words_no_anchors_and_the_direct_route_is_never_guarded(world) -> None:
    centres, vectors, _, rng = world
    topic = near(centres[2], 0.5, rng)
    topics = [AlertTopic(1, topic[None, :], phrase="Quuxley")]
    wordless = build_topic_set(topics, build_background(vectors))
    assert wordless.anchors == (frozenset(),)
    new = fresh_articles(centres[2], ["A story."], rng)
    direct = MatchSettings(direct_threshold=0.2, corpus_route=False)
    named = build_topic_set(topics, build_background(vectors, texts=["x"] * len(vectors)))
    assert len(match_articles(named, new, settings=direct)) == 1  # unnamed, yet direct


def test_anchors_are_kept_while_phrase_vectors_and_background_are(world) -> None:
    centres, vectors, texts, rng = world
    background = build_background(vectors, texts=texts)
    vecs = [near(c, 0.5, rng)[None, :] for c in centres]
    first = update_anchors(["Quuxley", "sports", "Zorblax"], vecs, background, 0.5)
    again = update_anchors(["Quuxley", "sports", "Zorblax"], vecs, background, 0.5, previous=first)
    assert again.anchors == first.anchors
    edited = update_anchors(["Quuxley", "sports", "Wibble"], vecs, background, 0.5, previous=first)
    assert edited.anchors[:2] == first.anchors[:2]
    assert edited.anchors[2] == {"wibble"}
    off = update_anchors(["Quuxley"], vecs[:1], background, None, previous=first)
    assert off.anchors == (frozenset(),)
    other = build_background(vectors, texts=[*texts[:-1], "changed"])
    assert other.key != background.key  # the words are part of a background's identity
    assert replace(CorpusSettings(), anchor_precision=0.5).anchor_precision == 0.5
    with pytest.raises(ValueError, match="anchor_precision"):
        CorpusSettings(anchor_precision=0.0)
    with pytest.raises(ValueError, match="one text per"):
        build_background(vectors, texts=["only one"])
