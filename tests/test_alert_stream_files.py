"""The alert-stream replay's committed inputs: QA's stream as corpus ids, and judgments by id."""

from __future__ import annotations

import json
from pathlib import Path

from bench.alert_stream import IDS, JUDGED, TOPICS, read_batches, stream_record


def test_the_stream_is_three_batches_of_distinct_ids() -> None:
    batches = read_batches(IDS)
    ids = [article_id for batch in batches for article_id in batch]
    assert [len(batch) for batch in batches] == [100, 100, 100]
    assert len(set(ids)) == len(ids)
    assert all(article_id.startswith("rtqa-") and len(article_id) == 17 for article_id in ids)


def test_every_judged_article_is_in_the_stream() -> None:
    ids = {article_id for batch in read_batches(IDS) for article_id in batch}
    judged = json.loads(JUDGED.read_text(encoding="utf-8"))
    assert set(judged) == set(TOPICS)
    assert all(set(about) <= ids for about in judged.values())
    assert sum(len(about) for about in judged.values()) == 88


def test_batches_are_read_with_comments_and_without_a_header(tmp_path: Path) -> None:
    path = tmp_path / "ids.txt"
    path.write_text("# a comment\na\n# batch 2\nb\n\nc\n# batch 3\n", encoding="utf-8")
    assert read_batches(path) == [["a"], ["b", "c"]]


def test_an_untitled_article_is_titled_by_its_first_line() -> None:
    record = {
        "id": "rtqa-0",
        "title": None,
        "source": "CNN",
        "published_at": "2022/10/01",
        "url": "https://example.com/a",
        "body": "\nCNN —\n\nText of the story.",
    }
    assert stream_record(record) == {
        "title": "CNN —",
        "body": record["body"],
        "url": "https://example.com/a",
        "source": "CNN",
        "published_at": "2022-10-01",
    }
    long_line = {**record, "body": "word " * 40}
    assert stream_record(long_line)["title"] == ("word " * 40).strip()[:90]
