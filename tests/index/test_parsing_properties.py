"""Property tests: whatever the bytes, parsing returns articles and failures, never raises."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.parsing import parse_document, parse_path
from index.types import ParseResult

CONTENT_TYPES = st.sampled_from(
    [None, "text/html", "application/rss+xml", "application/json", "text/plain",
     "application/xml", "application/x-ndjson", "image/png", "text/html; charset=bogus"]
)  # fmt: skip

# Bytes that look like the start of each format, so fuzzing reaches the parsers themselves.
PREFIXES = st.sampled_from(
    [b"", b"<?xml version='1.0'?><rss version='2.0'><channel>", b"<feed xmlns=\"http://www.w3.org/2005/Atom\">",
     b"<!DOCTYPE html><html><body><p>", b"{\"title\": ", b"[{\"body\": \"", b"Title\n\n(Rome) ",
     b"\xef\xbb\xbf", b"\xff\xfe"]
)  # fmt: skip
SUFFIXES = st.sampled_from(
    ["", ".txt", ".json", ".jsonl", ".jsonl.gz", ".jsonl.xz", ".json.gz", ".html", ".xml", ".rss"]
)


def _check(result: ParseResult) -> None:
    assert isinstance(result, ParseResult)
    for article in result.articles:
        assert article.title.strip()
        assert article.body.strip()
        assert article.published_at is None or article.published_at.tzinfo is not None
    for failure in result.failures:
        assert failure.reason


@settings(max_examples=50, deadline=None)
@given(prefix=PREFIXES, data=st.binary(max_size=600), content_type=CONTENT_TYPES)
def test_parse_document_never_raises(prefix: bytes, data: bytes, content_type: str | None) -> None:
    result = parse_document(prefix + data, name="fuzz", content_type=content_type)

    _check(result)


@settings(max_examples=50, deadline=None)
@given(prefix=PREFIXES, text=st.text(max_size=400), content_type=CONTENT_TYPES)
def test_parse_document_never_raises_on_text(
    prefix: bytes, text: str, content_type: str | None
) -> None:
    _check(
        parse_document(
            prefix + text.encode("utf-8", "surrogatepass"), name="fuzz", content_type=content_type
        )
    )


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(prefix=PREFIXES, data=st.binary(max_size=400), suffix=SUFFIXES)
def test_parse_path_never_raises(prefix: bytes, data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(prefix + data)

        _check(parse_path(path))
        _check(parse_path(Path(folder)))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
RECORDS = st.fixed_dictionaries(
    {},
    optional={
        "title": JSON_VALUES, "body": JSON_VALUES, "text": JSON_VALUES, "url": JSON_VALUES,
        "source": JSON_VALUES, "published_at": JSON_VALUES | st.dates().map(str),
        "language": JSON_VALUES,
    },
)  # fmt: skip


@settings(max_examples=50, deadline=None)
@given(records=st.lists(RECORDS | JSON_VALUES, max_size=5))
def test_json_records_of_any_shape(records: list[object]) -> None:
    lines = "\n".join(json.dumps(r) for r in records).encode()
    for data, content_type in [
        (json.dumps(records).encode(), "application/json"),
        (lines, "application/x-ndjson"),
    ]:
        result = parse_document(data, name="records", content_type=content_type)
        _check(result)
        if records and content_type == "application/json":
            assert len(result.articles) + len(result.failures) == len(records)


FIELD_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=60
)
ENTRY = st.fixed_dictionaries(
    {},
    optional={
        "title": FIELD_TEXT, "link": FIELD_TEXT, "description": FIELD_TEXT,
        "pubDate": FIELD_TEXT | st.just("Mon, 13 Jun 2022 08:30:00 GMT"), "guid": FIELD_TEXT,
    },
)  # fmt: skip


@settings(max_examples=50, deadline=None)
@given(
    channel_title=st.none() | FIELD_TEXT,
    entries=st.lists(ENTRY, max_size=4),
)
def test_feeds_with_random_missing_fields(
    channel_title: str | None, entries: list[dict[str, str]]
) -> None:
    items = "".join(
        "<item>" + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in entry.items()) + "</item>"
        for entry in entries
    )
    title = f"<title>{escape(channel_title)}</title>" if channel_title is not None else ""
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel>{title}{items}</channel></rss>'

    result = parse_document(feed.encode(), name="feed", content_type="application/rss+xml")

    _check(result)
    assert len(result.articles) + len(result.failures) == len(entries)
    with_text = sum(1 for e in entries if e.get("description", "").strip())
    assert len(result.articles) <= with_text
