"""`run_alert_eval` on a tiny labelled directory, with the hashing embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.embedding import HashingEmbedder
from index.errors import BadInputError
from retrieval.alert_eval import format_alert_report, run_alert_eval, score_matches
from retrieval.alerts import AlertMatch

ITEMS = {
    "Sports": [
        "The football team won the cup final after extra time.",
        "A late goal decided the football derby on Sunday.",
        "The football coach praised his defence after the match.",
    ],
    "Cooking": [
        "Bake the bread in a hot oven for forty minutes.",
        "This cake recipe needs flour, eggs and butter.",
    ],
    "Space": [
        "The rocket carried a satellite into orbit.",
        "Astronauts returned from the space station on Friday.",
    ],
}


def write_directory(folder: Path, *, topics: dict[str, str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "articles.jsonl").open("w", encoding="utf-8") as stream:
        for category, bodies in ITEMS.items():
            for number, body in enumerate(bodies):
                record = {"title": f"{category} story {number}", "body": body, "category": category}
                stream.write(json.dumps(record) + "\n")
        stream.write(json.dumps({"title": "No label", "body": "Text."}) + "\n")
    if topics is not None:
        (folder / "topics.json").write_text(json.dumps(topics), encoding="utf-8")
    return folder


def test_everything_alerted_gives_category_shares_as_precision(tmp_path: Path) -> None:
    directory = write_directory(tmp_path / "set", topics={"Sports": "football"})
    report = run_alert_eval(
        directory, embedder=HashingEmbedder(dimension=64), threshold=-1.0, min_score=0.0
    )
    assert report.n_items == 7
    assert report.skipped == 1
    assert [s.category for s in report.categories] == ["Cooking", "Space", "Sports"]
    assert [s.phrase for s in report.categories] == ["Cooking", "Space", "football"]
    for score in report.categories:
        assert score.alerts == 7
        assert score.recall == 1.0
        assert score.precision == pytest.approx(score.items / 7)
    assert report.macro_recall == 1.0
    lines = format_alert_report(report).splitlines()
    assert "corpus route off (background 7 < 100 items)" in lines[-2]
    summary = json.loads(lines[-1])
    assert set(summary) == {
        "macro_f1",
        "macro_precision",
        "macro_recall",
        "n_items",
        "match_seconds",
    }
    assert summary["n_items"] == 7
    assert summary["macro_f1"] == pytest.approx(report.macro_f1, abs=1e-4)


def test_word_overlap_finds_the_right_items(tmp_path: Path) -> None:
    directory = write_directory(tmp_path / "set", topics={"Sports": "football"})
    report = run_alert_eval(directory, embedder=HashingEmbedder(dimension=256), threshold=0.2)
    sports = next(s for s in report.categories if s.category == "Sports")
    assert sports.correct == 3  # every item says "football"
    assert sports.precision == 1.0
    table = format_alert_report(report)
    assert "Sports" in table
    assert "football" in table


def test_item_vectors_are_cached_and_refreshed_when_the_file_changes(tmp_path: Path) -> None:
    directory = write_directory(tmp_path / "set")
    cache = tmp_path / "cache"
    embedder = HashingEmbedder(dimension=32)
    first = run_alert_eval(directory, embedder=embedder, cache_dir=cache)
    assert first.embed_seconds > 0
    assert len(list(cache.glob("*.npy"))) == 2
    second = run_alert_eval(directory, embedder=embedder, cache_dir=cache)
    assert second.embed_seconds == 0.0
    assert second.categories == first.categories
    with (directory / "articles.jsonl").open("a", encoding="utf-8") as stream:
        stream.write(
            json.dumps({"title": "New", "body": "A new rocket.", "category": "Space"}) + "\n"
        )
    third = run_alert_eval(directory, embedder=embedder, cache_dir=cache)
    assert third.embed_seconds > 0
    assert third.n_items == 8


def test_score_matches_counts_alerts_per_subscriber() -> None:
    matches = [
        AlertMatch(0, 0, 0.9, ""),
        AlertMatch(0, 2, 0.8, ""),
        AlertMatch(1, 1, 0.7, ""),
    ]
    scores = score_matches(matches, ("A", "B", "A", "A"), ["A", "B"], {"A": "a", "B": "b"})
    a, b = scores
    assert (a.alerts, a.correct, a.items) == (2, 2, 3)
    assert a.precision == 1.0
    assert a.recall == pytest.approx(2 / 3)
    assert a.f1 == pytest.approx(0.8)
    assert (b.precision, b.recall, b.f1) == (1.0, 1.0, 1.0)


def test_a_directory_of_the_wrong_shape_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match=r"articles\.jsonl"):
        run_alert_eval(tmp_path, embedder=HashingEmbedder())
    (tmp_path / "articles.jsonl").write_text(json.dumps({"title": "t", "body": "b"}) + "\n")
    with pytest.raises(BadInputError, match="category"):
        run_alert_eval(tmp_path, embedder=HashingEmbedder())
