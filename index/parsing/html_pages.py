"""One article from an HTML page: main text by trafilatura, plus title, date and canonical URL."""

from __future__ import annotations

import logging
import re

import trafilatura

from index.errors import ParseError
from index.parsing.common import build_article, host_of
from index.parsing.dates import parse_date
from index.parsing.html_text import tidy_paragraphs
from index.types import Article

logger = logging.getLogger(__name__)

_HTML_LANG = re.compile(rb"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)")
# Fewer words than this is a menu or a caption that the fallback extractor picked up.
MIN_PAGE_WORDS = 10
# Only dates the page states: the "extensive" search guesses from any number in the text.
_DATE_OPTIONS = {"extensive_search": False, "original_date": True}  # copied per call


def parse_html_page(data: bytes, *, url: str | None = None) -> Article:
    """The page's main text as one article; ParseError when the page has none."""
    try:
        document = trafilatura.bare_extraction(
            data,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            date_extraction_params=dict(_DATE_OPTIONS),
        )
    except Exception as exc:  # a third-party extractor on untrusted markup
        logger.debug("trafilatura failed", exc_info=True)
        raise ParseError("the page could not be read") from exc
    text = getattr(document, "text", None) if document is not None else None
    if not text or len(text.split()) < MIN_PAGE_WORDS:
        raise ParseError("no main text found in the page")
    title = getattr(document, "title", None)
    page_url = getattr(document, "url", None) or url
    body = _drop_repeated_title(tidy_paragraphs(text), title)
    return build_article(
        title=title,
        body=body,
        source=getattr(document, "sitename", None) or host_of(page_url),
        published_at=parse_date(getattr(document, "date", None)),
        url=page_url,
        language=getattr(document, "language", None) or _page_language(data),
    )


def _drop_repeated_title(body: str, title: str | None) -> str:
    """The extracted text often opens with the headline again; the article keeps it once."""
    if not title:
        return body
    first, _, rest = body.partition("\n\n")
    if rest and " ".join(first.split()).casefold() == " ".join(title.split()).casefold():
        return rest
    return body


def _page_language(data: bytes) -> str | None:
    match = _HTML_LANG.search(data[:4096])
    return match.group(1).decode("ascii").lower() if match else None
