"""Admins copy a source's address into /ingest or a browser: it is shown as code, unchanged
and never a link (plain text would have its dots defused, see bot/unlink.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.emulator_html import parse_html
from bot.emulator_links import with_links
from bot.messages_admin import admin_source_line, source_added, source_removed
from index.types import SourceRecord

URL = "https://news.example.com/feed.xml"


def _source() -> SourceRecord:
    return SourceRecord(
        id=3,
        kind="feed",
        location=URL,
        added_at=datetime(2026, 11, 1, tzinfo=UTC),
        last_fetch_at=None,
        last_error=None,
        etag=None,
        last_modified=None,
        article_count=0,
    )


def test_source_addresses_are_copyable_code_and_no_link() -> None:
    for html in (source_added(_source(), None, None), source_removed(_source())):
        parsed = with_links(parse_html(html))
        assert URL in parsed.text
        [code] = [e for e in parsed.entities if e.type == "code"]
        assert parsed.text[code.start : code.end] == URL
        assert not [e for e in parsed.entities if e.type in ("url", "email", "mention")]
    assert f"<code>{URL}</code>" in admin_source_line(_source(), UTC)
