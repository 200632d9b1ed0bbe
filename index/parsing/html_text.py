"""HTML fragments (feed summaries, titles) to plain text, with paragraph breaks kept."""

from __future__ import annotations

import html
import logging
import re
from html.parser import HTMLParser

logger = logging.getLogger(__name__)

# fmt: off
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
    "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
})
# fmt: on
_SKIP_TAGS = frozenset({"script", "style", "template", "noscript", "head"})
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment; block elements become paragraphs ("\\n\\n")."""
    if "<" not in fragment and "&" not in fragment:
        return tidy_paragraphs(fragment)
    collector = _TextCollector()
    try:
        collector.feed(fragment)
        collector.close()
        raw = "".join(collector.parts)
    except Exception:  # stdlib parser on untrusted markup: fall back to stripping tags
        logger.debug("HTMLParser failed, stripping tags", exc_info=True)
        raw = html.unescape(_TAG.sub("\n", fragment))
    return tidy_paragraphs(raw)


def tidy_paragraphs(text: str) -> str:
    """Collapse spaces inside lines; non-empty lines become paragraphs separated by a blank line."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n\n".join(line for line in lines if line)
