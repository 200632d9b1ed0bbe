"""Article identity: URL normalisation, content hashes, and near-duplicate story clustering."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.fingerprints import FINGERPRINT_BYTES, fingerprint, similarity
from index.identity import article_key, content_hash, normalize_url
from index.parsing import parse_path
from index.story_clusters import StoryClusterer
from index.types import Article

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://WWW.Example.COM:80/News/Story/?utm_source=x&b=2&a=1#top",
         "https://example.com/News/Story?a=1&b=2"),
        ("https://example.com:443", "https://example.com/"),
        ("https://example.com/", "https://example.com/"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com/a?fbclid=1&gclid=2&mc_cid=3&mc_eid=4&ref=rss&UTM_Medium=m",
         "https://example.com/a"),
        ("https://example.com/a?q=caf%c3%a9&q=b", "https://example.com/a?q=b&q=caf%C3%A9"),
        ("  https://user:secret@example.com./a  ", "https://example.com/a"),
        ("https://www2.example.com/a", "https://www2.example.com/a"),
        ("http://[::1]:8080/x/", "https://[::1]:8080/x"),
        ("urn:isbn:123", "urn:isbn:123"),
        ("not a url", "not a url"),
        ("https://example.com:99999/a", "https://example.com:99999/a"),
    ],
)  # fmt: skip
def test_normalize_url(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


def test_http_and_https_and_www_are_one_article() -> None:
    assert normalize_url("http://www.example.com/a/") == normalize_url("https://example.com/a")


@settings(max_examples=50)
@given(
    st.builds(
        "{}://{}{}/{}?{}#{}".format,
        st.sampled_from(["http", "https", "HTTP"]),
        st.sampled_from(["www.", "", "WWW."]),
        st.sampled_from(["example.com", "News.Example.org", "example.com:8080"]),
        st.text(alphabet="abc/%20", max_size=12),
        st.text(alphabet="ab=&utm_", max_size=16),
        st.text(max_size=5),
    )
)
def test_normalize_url_is_idempotent(url: str) -> None:
    once = normalize_url(url)
    assert normalize_url(once) == once
    assert once.startswith("https://")
    assert "utm_" not in once.split("?", 1)[-1].split("=")[0]


def test_content_hash_ignores_case_and_whitespace_only() -> None:
    base = content_hash("Storm Hits", "Rain  fell.\n\nWind blew.")

    assert base == content_hash("storm hits ", "rain fell. wind blew.")
    assert base != content_hash("Storm Hits", "Rain fell. Wind blew!")
    assert content_hash("a b", "c") != content_hash("a", "b c")  # title and body kept apart
    assert len(base) == 64


def test_article_key() -> None:
    with_url = Article(title="T", body="B", url="http://www.example.com/x/?utm_source=feed")
    without = Article(title="T", body="B")

    assert article_key(with_url) == "https://example.com/x"
    assert article_key(without) == "sha256:" + content_hash("T", "B")


# ---------------------------------------------------------------- near duplicates


@pytest.fixture(scope="module")
def corpus() -> dict[str, Article]:
    return {a.title: a for a in parse_path(ROOT / "samples").articles}


def _syndicated_copy(body: str) -> str:
    """What another outlet publishes: its own intro and outro, a few words changed."""
    edited = body.replace(" said ", " stated ", 2).replace("Boeing", "Boeing Co.", 1)
    edited = edited.replace(", ", " ", 3)
    return (
        "SEATTLE (Northwest Wire) -- This report is published by Northwest Wire under an "
        "agreement with our partner news service.\n\n"
        f"{edited}\n\n"
        "Copyright Northwest Wire. Additional reporting by the business desk; editing by staff. "
        "Follow our aviation coverage for more updates."
    )


def test_syndicated_copy_joins_the_story_and_same_topic_does_not(
    corpus: dict[str, Article],
) -> None:
    original = corpus["Boeing unveils new 787 Dreamliner"]
    same_topic = corpus["Boeing rolls out first 787 Dreamliner to go into service"]
    clusterer = StoryClusterer()
    for article_id, article in enumerate(corpus.values()):
        clusterer.add(article_id, story_id=1000 + article_id, fp=fingerprint(article.body))
    original_story = 1000 + list(corpus).index(original.title)

    copy_fp = fingerprint(_syndicated_copy(original.body))
    assert similarity(copy_fp, fingerprint(original.body)) >= 0.6
    assert clusterer.find(copy_fp) == original_story

    topic_fp = fingerprint(same_topic.body)
    assert similarity(topic_fp, fingerprint(original.body)) < 0.2
    clusterer.remove(list(corpus).index(same_topic.title))
    assert clusterer.find(topic_fp) is None


def test_sample_article_copy_with_another_dateline(corpus: dict[str, Article]) -> None:
    sample = next(a for a in corpus.values() if a.source == "site-59")
    copy = sample.body.replace("(Seoul) ", "SEOUL, South Korea (AP) — ", 1)
    copy = copy.replace("Mr. Blinken", "Blinken") + "\n\nThe Associated Press contributed."
    clusterer = StoryClusterer()
    clusterer.add(1, 7, fingerprint(sample.body))

    match = clusterer.find_match(fingerprint(copy))
    assert match is not None
    assert (match.article_id, match.story_id) == (1, 7)
    assert 0.6 <= match.similarity < 1.0


def test_most_similar_article_wins_and_add_replaces() -> None:
    words = [f"w{i}" for i in range(300)]
    text = " ".join(words)
    near = " ".join(words[:280] + ["x"] * 20)
    nearer = " ".join(words[:295] + ["y"] * 5)
    clusterer = StoryClusterer()
    clusterer.add(1, 10, fingerprint(near))
    clusterer.add(2, 20, fingerprint(nearer))

    assert clusterer.find(fingerprint(text)) == 20
    clusterer.add(2, 20, fingerprint("something else entirely, about cooking pasta at home"))
    assert clusterer.find(fingerprint(text)) == 10
    assert len(clusterer) == 2
    assert clusterer.remove(1) is True
    assert clusterer.remove(1) is False
    assert clusterer.find(fingerprint(text)) is None


def test_fingerprint_shape_and_edge_cases() -> None:
    fp = fingerprint("The quick brown fox jumps over the lazy dog")

    assert len(fp) == FINGERPRINT_BYTES
    assert similarity(fp, fp) == 1.0
    # Stored fingerprints must stay comparable across releases and machines.
    assert hashlib.sha256(fp).hexdigest() == (
        "319ce45ae896f5594182395f3f97be86454c6639428239aba7d1c22427cedcd2"
    )
    assert fingerprint("THE quick, brown fox: jumps over the lazy dog!") == fp
    empty = fingerprint("  ...  ")
    assert similarity(empty, empty) == 0.0
    assert StoryClusterer().find(empty) is None
    assert similarity(fingerprint("two words"), fingerprint("two words")) == 1.0
    with pytest.raises(ValueError, match="bytes"):
        similarity(fp, fp[:-4])
    with pytest.raises(ValueError, match="bands"):
        StoryClusterer(bands=7)


@settings(max_examples=30, deadline=None)
@given(st.text(max_size=300), st.text(max_size=300))
def test_similarity_is_symmetric_and_bounded(a: str, b: str) -> None:
    fa, fb = fingerprint(a), fingerprint(b)
    assert similarity(fa, fb) == similarity(fb, fa)
    assert 0.0 <= similarity(fa, fb) <= 1.0
