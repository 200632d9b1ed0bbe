"""RSS and Atom feeds: entries become articles; entries without text become failures."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from index.parsing import parse_document, parse_path

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>Harbour Gazette</title><link>https://www.harbour.example/</link>
<language>en</language>
<item>
  <title>Port reopens after &amp; strike</title>
  <link>https://www.harbour.example/port</link>
  <description>&lt;p&gt;The port reopened on &lt;b&gt;Monday&lt;/b&gt;.&lt;/p&gt;
    &lt;p&gt;Ships queued.&lt;/p&gt;</description>
  <pubDate>Mon, 13 Jun 2022 08:30:00 +0200</pubDate>
</item>
<item>
  <description>No title here, only a summary of what the council decided today.</description>
</item>
<item>
  <title>Only a title</title>
  <link>https://www.harbour.example/empty</link>
</item>
<item></item>
</channel></rss>
"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Valley Post</title>
  <link href="https://valley.example/"/>
  <updated>2023-01-02T00:00:00Z</updated>
  <id>urn:valley</id>
  <entry>
    <title>Bridge opens</title>
    <link href="/bridge"/>
    <id>urn:valley:1</id>
    <updated>2023-01-02T09:00:00Z</updated>
    <summary>Short summary.</summary>
    <content type="html">&lt;p&gt;The new bridge opened to traffic.&lt;/p&gt;
      &lt;p&gt;Crowds watched.&lt;/p&gt;</content>
  </entry>
</feed>
"""


def test_rss_feed(tmp_path: Path) -> None:
    path = tmp_path / "gazette.rss"
    path.write_bytes(RSS)

    result = parse_path(path)
    first, second = result.articles
    assert first.title == "Port reopens after & strike"
    assert first.body == "The port reopened on Monday.\n\nShips queued."
    assert first.url == "https://www.harbour.example/port"
    assert first.source == "Harbour Gazette"
    assert first.published_at == datetime(2022, 6, 13, 6, 30, tzinfo=UTC)
    assert first.language == "en"
    assert second.title == "No title here, only a summary of what the council decided today."
    assert second.url is None
    assert second.published_at is None
    assert [(f.name, f.reason) for f in result.failures] == [
        ("https://www.harbour.example/empty", "no body text"),
        (f"{path}#4", "no body text"),
    ]


def test_atom_feed_fetched_with_relative_links() -> None:
    result = parse_document(
        ATOM,
        name="https://valley.example/feed",
        content_type="application/atom+xml",
        url="https://valley.example/feed",
    )

    (article,) = result.articles
    assert article.title == "Bridge opens"
    assert article.body == "The new bridge opened to traffic.\n\nCrowds watched."  # content wins
    assert article.url == "https://valley.example/bridge"
    assert article.source == "Valley Post"
    assert article.published_at == datetime(2023, 1, 2, 9, 0, tzinfo=UTC)


def test_feed_without_title_is_named_after_its_host() -> None:
    feed = RSS.replace(b"<title>Harbour Gazette</title>", b"")

    articles = parse_document(feed, name="feed", content_type="application/rss+xml").articles
    assert {a.source for a in articles} == {"harbour.example"}


def test_xml_that_is_not_a_feed(tmp_path: Path) -> None:
    path = tmp_path / "data.xml"
    path.write_bytes(b"<?xml version='1.0'?><inventory><item>bolt</item></inventory>")

    result = parse_path(path)
    assert result.articles == ()
    assert [f.reason for f in result.failures] == ["not an RSS or Atom feed"]
