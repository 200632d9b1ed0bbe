"""JSON and JSON Lines records, plain and compressed, including the bundled and shared corpora."""

from __future__ import annotations

import gzip
import hashlib
import json
import lzma
from datetime import UTC, datetime
from pathlib import Path

import pytest

from index.parsing import parse_document, parse_path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"

RECORD = {
    "title": "Ferry service resumes",
    "body": "The ferry between the islands runs again after repairs.",
    "url": "https://example.org/ferry",
    "source": "Island Times",
    "published_at": "2022/06/12",
    "language": "en",
}


def _jsonl(*lines: object) -> bytes:
    return b"\n".join(
        line if isinstance(line, bytes) else json.dumps(line).encode() for line in lines
    )


def test_single_record(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps(RECORD), encoding="utf-8")

    (article,) = parse_path(path).articles
    assert article.title == "Ferry service resumes"
    assert article.body == RECORD["body"]
    assert article.url == "https://example.org/ferry"
    assert article.source == "Island Times"
    assert article.published_at == datetime(2022, 6, 12, tzinfo=UTC)
    assert article.language == "en"


def test_list_of_records_and_alternative_body_fields(tmp_path: Path) -> None:
    records = [
        {"title": "A", "text": "Body from text."},
        {"title": "B", "content": "Body from content.", "published_at": "not a date"},
        {"title": "C", "body": "   "},
        "not an object",
    ]
    path = tmp_path / "many.json"
    path.write_text(json.dumps(records), encoding="utf-8")

    result = parse_path(path)
    assert [a.body for a in result.articles] == ["Body from text.", "Body from content."]
    assert result.articles[1].published_at is None  # unreadable date: kept, undated
    assert [(f.name, f.reason) for f in result.failures] == [
        (f"{path}#3", "no body text"),
        (f"{path}#4", "record is not a JSON object"),
    ]


def test_null_title_is_derived_from_the_first_sentence() -> None:
    body = (
        "Washington CNN —\n\nLawmakers reached a deal on Tuesday to fund the government through "
        "the winter, avoiding a shutdown. The vote is expected later this week."
    )
    data = json.dumps({"title": None, "body": body}).encode()

    (article,) = parse_document(data, name="x.json").articles
    assert (
        article.title == "Lawmakers reached a deal on Tuesday to fund the government through the…"
    )
    assert article.body == body


def test_short_first_sentence_is_the_title_as_is() -> None:
    data = json.dumps({"body": "Markets rose. Then they fell."}).encode()

    assert parse_document(data, name="x.json").articles[0].title == "Markets rose."


def test_truncated_json_is_a_failure(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text(json.dumps([RECORD, RECORD])[:-40], encoding="utf-8")

    result = parse_path(path)
    assert result.articles == ()
    (failure,) = result.failures
    assert failure.name == str(path)
    assert failure.reason.startswith("invalid JSON")


def test_jsonl_bad_line_among_good_ones(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_bytes(
        _jsonl(RECORD, b"{not json", b"", {"title": "Empty", "body": ""}, [1, 2], RECORD)
    )

    result = parse_path(path)
    assert len(result.articles) == 2
    assert [(f.name, f.reason) for f in result.failures] == [
        (f"{path}:2", "invalid JSON (Expecting property name enclosed in double quotes)"),
        (f"{path}:4", "no body text"),
        (f"{path}:5", "record is not a JSON object"),
    ]


def test_jsonl_line_in_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "mixed.ndjson"
    line = json.dumps({"title": "Café", "body": "Crème brûlée."}, ensure_ascii=False)
    path.write_bytes(_jsonl(RECORD) + b"\n" + line.encode("cp1252"))

    articles = parse_path(path).articles
    assert [a.title for a in articles] == ["Ferry service resumes", "Café"]
    assert articles[1].body == "Crème brûlée."


def test_jsonl_under_a_json_name(tmp_path: Path) -> None:
    path = tmp_path / "actually-lines.json"
    path.write_bytes(_jsonl(RECORD, RECORD))

    assert len(parse_path(path).articles) == 2


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".jsonl.xz", ".json.gz"])
def test_compressed_files(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"articles{suffix}"
    data = json.dumps([RECORD] * 3).encode() if ".json." in suffix else _jsonl(RECORD, RECORD)
    opener = gzip.open if suffix.endswith(".gz") else lzma.open
    with opener(path, "wb") as handle:
        handle.write(data)

    result = parse_path(path)
    assert result.failures == ()
    assert len(result.articles) == (3 if ".json." in suffix else 2)


def test_truncated_compressed_jsonl_keeps_what_was_read(tmp_path: Path) -> None:
    # Varied text, so that half of the compressed stream holds many whole records.
    good = _jsonl(
        *({"title": f"n{i}", "body": hashlib.sha256(bytes(i)).hexdigest()} for i in range(2000))
    )
    compressed = lzma.compress(good)
    path = tmp_path / "cut.jsonl.xz"
    path.write_bytes(compressed[: len(compressed) // 2])

    result = parse_path(path)
    assert 0 < len(result.articles) < 2000
    assert [(f.name, f.reason) for f in result.failures][-1] == (
        str(path),
        "corrupt or truncated xz data",
    )


def test_garbage_with_a_compressed_name(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl.gz"
    path.write_bytes(b"this is not gzip data at all")

    result = parse_path(path)
    assert result.articles == ()
    assert [f.reason for f in result.failures] == ["corrupt or truncated gzip data"]


def test_bundled_demo_corpus_parses_whole() -> None:
    result = parse_path(ROOT / "samples")

    assert result.failures == ()
    assert len(result.articles) == 301
    wikinews = [a for a in result.articles if a.source == "Wikinews"]
    assert len(wikinews) == 300
    assert sum(a.published_at is not None for a in wikinews) == 144
    assert all(a.url and a.url.startswith("https://en.wikinews.org/") for a in wikinews)


@pytest.mark.skipif(not (SHARED / "realtimeqa").is_dir(), reason="shared data not present")
def test_realtimeqa_corpus() -> None:
    path = SHARED / "realtimeqa" / "articles.jsonl.xz"
    result = parse_path(path)

    assert len(result.articles) + len(result.failures) == 3827
    assert len(result.failures) == 41
    assert {f.reason for f in result.failures} == {"no body text"}
    assert all(f.name.startswith(f"{path}:") for f in result.failures)
    assert all(a.title for a in result.articles)
    first = result.articles[0]
    assert first.source == "CNN"
    assert first.published_at == datetime(2022, 6, 12, tzinfo=UTC)


def test_deeply_nested_json_is_a_failure_not_a_crash() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    lines = json.dumps(RECORD).encode() + b"\n" + deep

    assert [f.reason for f in parse_document(deep, name="d.json").failures] == [
        "invalid JSON (nested too deeply)"
    ]
    result = parse_document(lines, name="d.jsonl", content_type="application/x-ndjson")
    assert len(result.articles) == 1
    assert [(f.name, f.reason) for f in result.failures] == [
        ("d.jsonl:2", "invalid JSON (nested too deeply)")
    ]
