"""Which parser reads a document: by file name, by content type, and by its first bytes."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import PurePath

from index.parsing.decoding import has_wide_bom, looks_binary
from index.parsing.feeds import looks_like_feed


class Kind(StrEnum):
    TEXT = "text"  # the sample article format
    JSON = "json"
    JSONL = "jsonl"
    HTML = "html"
    FEED = "feed"
    BINARY = "binary"
    UNSUPPORTED = "unsupported"
    SNIFF = "sniff"  # decide from the content


class Compression(StrEnum):
    NONE = "none"
    GZIP = "gzip"
    XZ = "xz"
    BZIP2 = "bzip2"


_COMPRESSION_SUFFIXES = {".gz": Compression.GZIP, ".xz": Compression.XZ, ".bz2": Compression.BZIP2}
_KIND_SUFFIXES = {
    ".txt": Kind.TEXT,
    ".json": Kind.JSON,
    ".jsonl": Kind.JSONL,
    ".ndjson": Kind.JSONL,
    ".html": Kind.HTML,
    ".htm": Kind.HTML,
    ".xhtml": Kind.HTML,
    ".xml": Kind.FEED,
    ".rss": Kind.FEED,
    ".atom": Kind.FEED,
}
_REAL_SUFFIX = re.compile(r"\.[a-z0-9]{1,6}")  # "2024.03.05 story" has no extension

_JSON_TYPES = frozenset({"application/json", "text/json"})
_JSONL_TYPES = frozenset(
    {"application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines"}
)
_FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "application/x-rss+xml",
    }
)
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_GENERIC_TYPES = frozenset({"application/octet-stream", "binary/octet-stream"})
_HTML_START = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|meta|title|article|div|p|h1|section|main)\b",
    re.IGNORECASE,
)


def kind_for_name(path: PurePath) -> tuple[Kind, Compression]:
    """The format a file name promises: (kind, compression). No extension: SNIFF."""
    name = path.name.lower()
    compression = Compression.NONE
    for suffix, method in _COMPRESSION_SUFFIXES.items():
        if name.endswith(suffix):
            compression = method
            name = name.removesuffix(suffix)
            break
    suffix = PurePath(name).suffix
    if not _REAL_SUFFIX.fullmatch(suffix):
        return Kind.SNIFF, compression
    return _KIND_SUFFIXES.get(suffix, Kind.UNSUPPORTED), compression


def media_type(content_type: str | None) -> str | None:
    """`text/html; charset=utf-8` -> `text/html`."""
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def sniff_kind(data: bytes, content_type: str | None = None) -> Kind:
    """The kind of a document from its content type and first bytes."""
    if looks_binary(data):
        return Kind.BINARY
    head = _head(data)
    if looks_like_feed(head):
        return Kind.FEED
    media = media_type(content_type)
    if media in _JSON_TYPES or (media or "").endswith("+json"):
        return Kind.JSON
    if media in _JSONL_TYPES:
        return Kind.JSONL
    if media in _HTML_TYPES:
        return Kind.HTML
    if media in _FEED_TYPES:
        return Kind.HTML if _HTML_START.match(head) else Kind.FEED
    if head.startswith((b"{", b"[")):
        return Kind.JSON
    if head.startswith(b"<?xml"):
        return Kind.HTML if _HTML_START.search(head) else Kind.FEED
    if _HTML_START.match(head):
        return Kind.HTML
    if media is None or media in _GENERIC_TYPES or media.startswith("text/"):
        return Kind.TEXT
    return Kind.UNSUPPORTED


def _head(data: bytes) -> bytes:
    """The first bytes as ASCII-compatible text, without BOM and leading blanks."""
    head = data[:4096]
    if has_wide_bom(head):
        # UTF-16/32 markup: sniffing only needs the ASCII letters, so drop the zero bytes.
        head = head[2:].replace(b"\x00", b"")
    return head.removeprefix(b"\xef\xbb\xbf").lstrip()
