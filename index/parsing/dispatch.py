"""Entry points: parse a file, a folder, or fetched bytes into articles and failures."""

from __future__ import annotations

import bz2
import dataclasses
import gzip
import logging
import lzma
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from index.errors import ParseError
from index.parsing.common import MAX_DOCUMENT_BYTES, ParseItem, failure_from
from index.parsing.decoding import decode_text, looks_binary
from index.parsing.feeds import iter_feed
from index.parsing.html_pages import parse_html_page
from index.parsing.json_records import iter_json_document, iter_jsonl_lines, read_lines
from index.parsing.sample_format import parse_sample_text
from index.parsing.sniff import Compression, Kind, kind_for_name, media_type, sniff_kind
from index.types import Article, ParseFailure, ParseResult

logger = logging.getLogger(__name__)

# Everything a broken or truncated compressed stream can raise while being read.
_READ_ERRORS = (OSError, EOFError, lzma.LZMAError, zlib.error, ValueError)
_LIMIT_MB = MAX_DOCUMENT_BYTES // (1024 * 1024)


def parse_path(path: Path) -> ParseResult:
    """Articles and failures of one file, or of every supported file under a folder."""
    return collect(iter_path(path))


def parse_document(
    data: bytes, *, name: str, content_type: str | None = None, url: str | None = None
) -> ParseResult:
    """Articles and failures of fetched bytes: a feed, an HTML page, JSON or plain text."""
    return collect(iter_document(data, name=name, content_type=content_type, url=url))


def collect(items: Iterator[ParseItem]) -> ParseResult:
    articles: list[Article] = []
    failures: list[ParseFailure] = []
    for item in items:
        (articles if isinstance(item, Article) else failures).append(item)
    return ParseResult(articles=tuple(articles), failures=tuple(failures))


def iter_path(path: Path) -> Iterator[ParseItem]:
    """Like `parse_path`, one item at a time (JSON Lines are streamed, never held whole).

    In a folder, hidden files and folders are skipped, and so are files whose extension is not
    an article format (README.md, images); a file given by name is read whatever its name.
    """
    if path.is_dir():
        for file in iter_article_files(path):
            yield from _iter_file(file)
    elif path.is_file():
        yield from _iter_file(path, explicit=True)
    elif path.exists():
        yield ParseFailure(name=str(path), reason="not a regular file")
    else:
        yield ParseFailure(name=str(path), reason="no such file or folder")


def iter_article_files(folder: Path) -> Iterator[Path]:
    """Files under `folder` that look like article files, sorted, hidden ones skipped."""
    for file in _visible_files(folder):
        if kind_for_name(file)[0] is Kind.UNSUPPORTED:
            logger.debug("skipping %s: not an article format", file)
            continue
        yield file


def skipped_files(folder: Path) -> list[Path]:
    """Files under `folder` that `iter_path` skips for their type (.png, .csv), sorted.

    Hidden files and editor backups are not listed: nobody expects those to be read.
    """
    if not folder.is_dir():
        return []
    return [f for f in _visible_files(folder) if kind_for_name(f)[0] is Kind.UNSUPPORTED]


def _visible_files(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and not name.endswith("~"):
                yield Path(root, name)


def iter_document(
    data: bytes,
    *,
    name: str,
    content_type: str | None = None,
    url: str | None = None,
    kind: Kind = Kind.SNIFF,
) -> Iterator[ParseItem]:
    """Items of one in-memory document; `kind` SNIFF decides from type and content."""
    if len(data) > MAX_DOCUMENT_BYTES:
        yield ParseFailure(name=name, reason=f"larger than {_LIMIT_MB} MB")
        return
    if not data.strip():
        yield ParseFailure(name=name, reason="empty file")
        return
    if looks_binary(data):
        yield ParseFailure(name=name, reason="binary data, not text")
        return
    if kind is Kind.SNIFF or kind is Kind.UNSUPPORTED:
        kind = sniff_kind(data, content_type)
    try:
        if kind is Kind.JSON:
            yield from iter_json_document(data, name=name)
        elif kind is Kind.JSONL:
            yield from iter_jsonl_lines(iter(data.splitlines()), name=name)
        elif kind is Kind.FEED:
            yield from iter_feed(data, name=name, url=url, content_type=content_type)
        elif kind is Kind.HTML:
            yield parse_html_page(data, url=url)
        elif kind is Kind.TEXT:
            article = parse_sample_text(decode_text(data))
            yield dataclasses.replace(article, url=article.url or url)
        else:
            media = media_type(content_type)
            yield ParseFailure(name=name, reason=f"unsupported content type {media or 'unknown'}")
    except ParseError as exc:
        yield failure_from(name, exc)


def _iter_file(path: Path, *, explicit: bool = False) -> Iterator[ParseItem]:
    name = str(path)
    kind, compression = kind_for_name(path)
    if kind is Kind.UNSUPPORTED and not explicit:
        return
    try:
        if kind is Kind.JSONL:
            with _open(path, compression) as stream:
                yield from iter_jsonl_lines(read_lines(stream), name=name)
            return
        if compression is Compression.NONE and path.stat().st_size > MAX_DOCUMENT_BYTES:
            yield ParseFailure(name=name, reason=f"larger than {_LIMIT_MB} MB")
            return
        with _open(path, compression) as stream:
            data = stream.read(MAX_DOCUMENT_BYTES + 1)
    except _READ_ERRORS as exc:
        yield ParseFailure(name=name, reason=_read_error_reason(exc, compression))
        return
    yield from iter_document(data, name=name, kind=kind)


def _open(path: Path, compression: Compression) -> BinaryIO:
    if compression is Compression.GZIP:
        return gzip.open(path, "rb")  # type: ignore[return-value]
    if compression is Compression.XZ:
        return lzma.open(path, "rb")  # type: ignore[return-value]
    if compression is Compression.BZIP2:
        return bz2.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def _read_error_reason(exc: BaseException, compression: Compression) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if compression is not Compression.NONE and not isinstance(exc, FileNotFoundError):
        return f"corrupt or truncated {compression.value} data"
    if isinstance(exc, OSError) and exc.strerror:
        return f"could not be read ({exc.strerror.lower()})"
    return "could not be read"
