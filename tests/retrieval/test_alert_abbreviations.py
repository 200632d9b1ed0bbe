"""A short topic word the news only writes longer ("sci" of "Sci/Tech") anchors nothing,
while short words stay whole ("war" is not named by "warning") (synthetic)."""

from __future__ import annotations

import numpy as np

from index.embedding import l2_normalise
from retrieval.alert_background import build_background
from retrieval.alert_defaults import SUPPORT_MIN
from retrieval.alert_lexicon import anchor_words, index_words, topic_words, word_keys
from retrieval.alerts import AlertTopic, MatchSettings, NewArticles, build_topic_set, match_articles
from retrieval.topic_mentions import mentions

DIM = 32
PER_CLUSTER = 60
LONG_FORMS = ("Scientists said so.", "A science prize.", "Scientific work.")


def _world(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Two clusters: cluster 0 writes "science" and its kin, never "sci" alone; "tech" and
    "war" (whole) are spread over both, "warning" too."""
    centres = l2_normalise(rng.standard_normal((2, DIM)).astype(np.float32))
    rows = np.repeat(centres, PER_CLUSTER, axis=0)
    vectors = l2_normalise(rows + 0.1 * rng.standard_normal(rows.shape).astype(np.float32))
    texts = [f"Report {i}." for i in range(len(vectors))]
    for row in range(PER_CLUSTER):
        texts[row] += " " + LONG_FORMS[row % len(LONG_FORMS)]
    for row in rng.choice(len(vectors), size=40, replace=False):
        texts[row] += " New tech."
    for row in rng.choice(len(vectors), size=30, replace=False):
        texts[row] += " The war went on."
    for row in rng.choice(len(vectors), size=30, replace=False):
        texts[row] += " A storm warning."
    return centres, vectors, texts


def _new(centre: np.ndarray, bodies: list[str], rng: np.random.Generator) -> NewArticles:
    count = len(bodies)
    vectors = l2_normalise(centre + 0.1 * rng.standard_normal((count, DIM)).astype(np.float32))
    return NewArticles(
        article_ids=list(range(count)),
        titles=[""] * count,
        bodies=bodies,
        chunk_vectors=vectors.astype(np.float32),
        chunk_article_ids=np.arange(count),
    )


def test_an_abbreviation_the_news_writes_only_longer_blocks_no_article() -> None:
    rng = np.random.default_rng(5)
    centres, vectors, texts = _world(rng)
    background = build_background(vectors, texts=texts)
    topic = l2_normalise((centres[0] + 0.3 * rng.standard_normal((1, DIM))).astype(np.float32))
    topics = [AlertTopic(1, topic, phrase="Sci/Tech")]
    topic_set = build_topic_set(topics, background)
    assert topic_words("Sci/Tech") == ("sci", "tech")
    assert topic_set.anchors == (frozenset(),)  # "sci" was an anchor no article named
    new = _new(centres[0], ["Scientists found a comet.", "A science prize.", "Tech news."], rng)
    matches = match_articles(topic_set, new, settings=MatchSettings(direct_threshold=0.9))
    assert [m.article_id for m in matches] == [0, 1, 2]  # the corpus route, unguarded


def test_short_words_stay_whole() -> None:
    rng = np.random.default_rng(5)
    _, _, texts = _world(rng)
    words = index_words(texts)
    cosines = np.linspace(0.9, 0.0, len(texts))
    # "war" is held whole, so it is compared whole: "warning" never names it.
    assert not set(topic_words("war")) & word_keys("A storm warning")
    assert mentions("war", "A storm warning from Warsaw.") == []
    assert not words.abbreviation("war")
    # A short word the news never writes, and no word begins with: the news never names it.
    assert anchor_words("BTS", cosines, words, min_precision=0.5) == {"bts"}
    # One the news writes longer only in a few articles is no abbreviation of anything.
    few = index_words([*texts, *(["Xinhua reported."] * (SUPPORT_MIN - 1))])
    assert few.beginning("xi") == SUPPORT_MIN - 1
    assert not few.abbreviation("xi")
    scores = np.linspace(0.9, 0.0, few.size)
    assert anchor_words("Xi", scores, few, min_precision=0.5) == {"xi"}
    assert words.beginning("sci") == PER_CLUSTER
    assert words.abbreviation("sci")


def test_a_short_word_beginning_other_words_is_no_abbreviation_of_them() -> None:
    """ "ira" begins "Iran" and "Iraq", "gaz" "Gaza", "oz" "ozone", "Ozark" and "Ozzie":
    each a word of its own, not "ira", "gaz" or "oz" written longer, so the topic keeps
    its anchor; "sci" stays one ("science", "scientists" share their five letters)."""
    rng = np.random.default_rng(5)
    _, _, texts = _world(rng)
    longer = [
        *(["Iran talks resumed."] * 12),
        *(["Iraqi forces moved."] * 10),
        *(["Iraq voted."] * 8),
        *(["Gaza was shelled."] * 12),
        *(["Ozone levels rose.", "An Ozark trail.", "Ozzie Smith spoke."] * 4),
    ]
    words = index_words([*texts, *longer])
    for key in ("ira", "gaz", "oz"):
        assert words.beginning(key) >= SUPPORT_MIN
        assert not words.abbreviation(key)
    assert words.abbreviation("sci")
    cosines = np.linspace(0.9, 0.0, words.size)
    assert "ira" in anchor_words("IRA tax credits", cosines, words, min_precision=0.5)
    assert "oz" in anchor_words("Dr Oz", cosines, words, min_precision=0.5)
