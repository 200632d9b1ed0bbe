"""HTML pages: main text, title, date, canonical URL and site name."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from index.parsing import parse_document, parse_path

PARAGRAPHS = [
    "A powerful storm hit the coast on Tuesday, knocking out power to thousands of homes and "
    "closing schools across the region, officials said.",
    "The storm is expected to move inland overnight, bringing heavy rain and strong winds to "
    "towns that were already flooded last week.",
    "Emergency services urged residents to stay indoors and avoid travelling unless "
    "absolutely necessary until the warning is lifted on Thursday.",
]


def _page(*, head: str = "", body: str | None = None) -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    body = body if body is not None else f"<article><h1>Storm hits coast</h1>{paragraphs}</article>"
    return (
        "<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'>"
        f"<title>Storm hits coast | Coast News</title>{head}</head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"{body}<footer>Copyright Coast News</footer></body></html>"
    ).encode()


FULL_HEAD = (
    "<meta property='og:site_name' content='Coast News'>"
    "<meta property='og:title' content='Storm hits coast'>"
    "<link rel='canonical' href='https://www.coastnews.example/2024/storm'>"
    "<meta property='article:published_time' content='2024-03-05T10:00:00Z'>"
)


def test_page_with_metadata(tmp_path: Path) -> None:
    path = tmp_path / "storm.html"
    path.write_bytes(_page(head=FULL_HEAD))

    result = parse_path(path)
    assert result.failures == ()
    (article,) = result.articles
    assert article.title == "Storm hits coast"
    assert article.body == "\n\n".join(PARAGRAPHS)  # headline, menu and footer left out
    assert article.url == "https://www.coastnews.example/2024/storm"
    assert article.source == "Coast News"
    assert article.published_at == datetime(2024, 3, 5, tzinfo=UTC)
    assert article.language == "en-gb"


def test_fetched_page_without_metadata_uses_the_given_url() -> None:
    result = parse_document(
        _page(),
        name="https://www.localpaper.example/a/1",
        content_type="text/html; charset=utf-8",
        url="https://www.localpaper.example/a/1",
    )

    (article,) = result.articles
    assert article.url == "https://www.localpaper.example/a/1"
    assert article.source == "localpaper.example"
    assert article.published_at is None
    assert article.body.startswith("A powerful storm hit the coast")


def test_page_without_text_is_a_failure(tmp_path: Path) -> None:
    path = tmp_path / "empty.htm"
    path.write_bytes(_page(head=FULL_HEAD, body="<div><img src='x.png'></div>"))

    result = parse_path(path)
    assert result.articles == ()
    assert [(f.name, f.reason) for f in result.failures] == [
        (str(path), "no main text found in the page")
    ]


def test_html_is_recognised_without_an_extension_or_content_type() -> None:
    (article,) = parse_document(_page(head=FULL_HEAD), name="download").articles

    assert article.title == "Storm hits coast"
